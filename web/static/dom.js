// Tiny DOM helpers. Every string goes in as text; the one exception is a search snippet,
// which the API sends HTML-escaped with only <mark> tags (see setSnippet).

const SVG_NS = "http://www.w3.org/2000/svg";

/** h("div.card#x", {onclick, title, dataset:{...}}, child, "text", [children]) */
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || "div");
  for (const part of rest) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (isChild(attrs)) children.unshift(attrs);
  else applyAttrs(el, attrs);
  append(el, children);
  return el;
}

function isChild(value) {
  return value instanceof Node || Array.isArray(value) || typeof value !== "object" || value === null
    ? value !== null && value !== undefined && value !== false
    : false;
}

/** An SVG element; attributes are set as attributes (never HTML). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function applyAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style") Object.assign(el.style, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SNIPPET_SAFE = /^(?:[^<>]|<mark>|<\/mark>)*$/;

/**
 * Put a snippet into `el`. It is inserted as HTML only when the only tags in it are
 * <mark> and </mark> (everything else arrives escaped); otherwise it is rebuilt from
 * text, with the marks kept and every other tag shown as plain text.
 */
export function setSnippet(el, snippet) {
  const text = String(snippet ?? "");
  if (SNIPPET_SAFE.test(text)) {
    el.innerHTML = text;
    return el;
  }
  el.replaceChildren();
  for (const [i, part] of text.split(/<\/?mark>/).entries()) {
    if (!part) continue;
    const node = document.createTextNode(part);
    el.append(i % 2 ? h("mark", null, node) : node);
  }
  return el;
}

/** Plain text of a snippet (for titles, aria labels). */
export function snippetText(snippet) {
  const tmp = document.createElement("template");
  setSnippet(tmp.content.appendChild(document.createElement("span")), snippet);
  return tmp.content.textContent;
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

export function $$(sel, root = document) {
  return [...root.querySelectorAll(sel)];
}

/** Copy `text` to the clipboard; false when the browser does not allow it here. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

let toastTimer = 0;
export function toast(message, kind = "") {
  let el = $(".toast");
  if (!el) el = document.body.appendChild(h("div.toast", { role: "status" }));
  el.className = `toast ${kind}`;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 3200);
}

/** Inline SVG icons (stroke paths, 24×24). */
const ICONS = {
  search: "M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zm10 17-5.2-5.2",
  up: "M7 11v9H4v-9h3zm0 0 4-8c1.7 0 3 1.3 3 3v3h5.2c1.1 0 1.9 1 1.7 2l-1.4 7c-.2.9-1 1.5-1.9 1.5H7",
  down: "M17 13V4h3v9h-3zm0 0-4 8c-1.7 0-3-1.3-3-3v-3H4.8c-1.1 0-1.9-1-1.7-2l1.4-7C4.7 5.1 5.5 4.5 6.4 4.5H17",
  doc: "M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8l-5-5zm0 0v5h5M9 13h6M9 17h6",
  info: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zm0-5v-4m0-4h.01",
  key: "M15 7a4 4 0 1 1-3.9 4.9L4 19v2h3v-2h2v-2h2l1.1-1.1A4 4 0 0 1 15 7zm1.5 1.5h.01",
  close: "M6 6l12 12M18 6 6 18",
  external: "M14 4h6v6m0-6-9 9m-2-7H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-3",
  download: "M12 4v11m0 0 4-4m-4 4-4-4M5 20h14",
  check: "M5 12l4 4 10-10",
  gap: "M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zm10 17-5.2-5.2M8.5 8.5l5 5m0-5-5 5",
  upload: "M12 20V9m0 0-4 4m4-4 4 4M5 4h14",
  globe: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9S9.5 5.5 12 3z",
  spark: "M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8L12 3z",
  target: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zm0-4a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0-4a1 1 0 1 0 0-2 1 1 0 0 0 0 2z",
  trophy: "M8 21h8m-4-4v4m-5-17h10v5a5 5 0 0 1-10 0V4zm0 2H4v1a3 3 0 0 0 3 3m10-4h3v1a3 3 0 0 1-3 3",
  flag: "M5 21V4m0 0h11l-2 4 2 4H5",
  user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8a7 7 0 0 1 14 0",
  link: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1m-2 7.4a4 4 0 0 1-5.7 0 4 4 0 0 1 0-5.7l3-3",
  retry: "M4 12a8 8 0 0 1 14-5.3M20 4v4h-4m4 4a8 8 0 0 1-14 5.3M4 20v-4h4",
};

export function icon(name, cls = "") {
  const svg = s("svg", {
    viewBox: "0 0 24 24", width: 16, height: 16, fill: "none", stroke: "currentColor", "stroke-width": 1.8,
    "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", class: cls || null,
  });
  svg.append(s("path", { d: ICONS[name] || ICONS.info }));
  return svg;
}

export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
