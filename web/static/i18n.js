// Every UI string, in English and Chinese, and the zh / en switch.
//
// Static markup names its strings with data-i18n (text), data-i18n-placeholder,
// data-i18n-title and data-i18n-aria-label; scripts call t(key, {vars}). The choice is
// remembered in localStorage ("kms.lang"); the default follows the browser language.
// Names that come from data (stages, products...) carry both languages; pick() chooses.

import { STRINGS } from "./strings.js";

const listeners = new Set();
let current = initialLang();

function initialLang() {
  const forced = new URLSearchParams(location.search).get("lang");
  const saved = forced || safeGet("kms.lang");
  if (saved === "zh" || saved === "en") return saved;
  const browser = (navigator.languages?.[0] || navigator.language || "en").toLowerCase();
  return browser.startsWith("zh") ? "zh" : "en";
}

function safeGet(name) {
  try {
    return localStorage.getItem(name);
  } catch {
    return null;
  }
}

export function lang() {
  return current;
}

export function t(key, vars) {
  const entry = STRINGS[key];
  let text = entry ? entry[current] ?? entry.en : key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

/** Has this key a translation? (for optional keys such as kind names) */
export function has(key) {
  return key in STRINGS;
}

export function setLang(next, { remember = true } = {}) {
  if (next !== "zh" && next !== "en") return;
  current = next;
  if (remember) {
    try {
      localStorage.setItem("kms.lang", next);
    } catch {
      /* private mode: not remembered */
    }
  }
  applyI18n();
  listeners.forEach((fn) => fn(next));
}

export function onLang(fn) {
  listeners.add(fn);
}

export function applyI18n(root = document) {
  if (root === document) {
    document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
    const titleKey = document.documentElement.dataset.title;
    if (titleKey) document.title = t(titleKey);
  }
  const scope = root.querySelectorAll ? root : document;
  for (const el of scope.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const [attr, data] of [
    ["placeholder", "i18nPlaceholder"],
    ["title", "i18nTitle"],
    ["aria-label", "i18nAriaLabel"],
  ]) {
    for (const el of scope.querySelectorAll(`[data-${attrName(data)}]`)) {
      el.setAttribute(attr, t(el.dataset[data]));
    }
  }
}

function attrName(dataKey) {
  return dataKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Wire a button that switches to the other language; it shows that language's name. */
export function langToggle(button) {
  const label = () => {
    button.textContent = current === "zh" ? "EN" : "中文";
    button.setAttribute("aria-label", t("lang.switch"));
    button.title = t("lang.switch");
  };
  button.addEventListener("click", () => setLang(current === "zh" ? "en" : "zh"));
  onLang(label);
  label();
}

/** The name of a thing that carries name_en / name_zh, in the current language. */
export function pick(item, fallback = "") {
  if (!item) return fallback;
  const zh = item.name_zh || item.zh;
  const en = item.name_en || item.en;
  return (current === "zh" ? zh || en : en || zh) || item.name || item.key || fallback;
}

/** A text in "English / 中文" form (as the sales process writes them), in one language. */
export function half(text) {
  const parts = String(text).split(" / ");
  if (parts.length !== 2) return text;
  const zhFirst = /[\u4e00-\u9fff]/.test(parts[0]);
  const [en, zh] = zhFirst ? [parts[1], parts[0]] : parts;
  return current === "zh" ? zh : en;
}

export function kindName(kind) {
  return has(`kind.${kind}`) ? t(`kind.${kind}`) : String(kind || "").replace(/_/g, " ");
}

export function langName(code) {
  return has(`language.${code}`) ? t(`language.${code}`) : code;
}

export function fmtNumber(n, options) {
  return new Intl.NumberFormat(current === "zh" ? "zh-CN" : "en-US", options).format(n);
}

export function fmtPercent(x, digits = 0) {
  return fmtNumber(x, { style: "percent", maximumFractionDigits: digits });
}

export function fmtDate(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(current === "zh" ? "zh-CN" : "en-GB", {
    year: "numeric", month: "short", day: "numeric",
  }).format(d);
}

export function fmtDay(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(current === "zh" ? "zh-CN" : "en-GB", {
    month: "numeric", day: "numeric",
  }).format(d);
}
