// The CRM sidebar panel (/widget): recommendations for one opportunity.
// Context comes from the query string (stage, industry, competitors, products, amount,
// notes, lang, limit) and later from the embedding page by postMessage
// ({type: "kms:context", context}); the key or token from the fragment (see widget.js).

import { client, keyStore } from "./api.js";
import { $, clear, h, icon } from "./dom.js";
import { applyI18n, fmtNumber, fmtPercent, half, kindName, langToggle, onLang, pick, setLang, t } from "./i18n.js";
import { ensureKey } from "./keygate.js";
import { openSource } from "./source.js";

const LISTS = ["competitors", "products"];
const params = new URLSearchParams(location.search);
const context = {};
for (const [name, value] of params) {
  if (LISTS.includes(name)) context[name] = splitList(value);
  else if (name === "competitor" || name === "product") context[`${name}s`] = splitList(value);
  else context[name] = value;
}
if (context.lang) setLang(context.lang, { remember: false });
delete context.lang;

const state = { api: null, response: null, seq: 0, error: null, names: new Map() };

applyI18n();
langToggle($("#lang-toggle"));
onLang(() => {
  renderContext();
  if (state.response) render();
  else if (state.error) renderError(state.error);
});
renderContext();
renderLoading();
reportHeight();
window.parent.postMessage({ type: "kms:ready" }, "*");

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || event.source === window) return;
  const msg = event.data;
  if (!msg || msg.type !== "kms:context" || typeof msg.context !== "object") return;
  for (const [name, value] of Object.entries(msg.context)) {
    if (name === "lang") setLang(String(value), { remember: false });
    else context[name] = LISTS.includes(name) && !Array.isArray(value) ? splitList(value) : value;
  }
  renderContext();
  refresh();
});

start();

async function start() {
  const given = keyStore.takeFromFragment();
  if (given.token) state.api = client({ token: given.token });
  else if (given.key) state.api = client({ key: given.key });
  else {
    // No key from the embedding page: use the one this browser gave KMS, or ask.
    const check = (api) => api.get("/v1/me");
    state.api = (await ensureKey({ slot: "key", check })).api;
  }
  refresh();
  loadNames();
}

/** Names of competitors and industries (the win/loss picture names them by key). */
async function loadNames() {
  const types = ["competitor", "industry"];
  const pages = await Promise.all(types.map((type) =>
    state.api.get(`/v1/graph/entities?type=${type}&limit=200`).catch(() => ({ data: [] }))));
  for (const page of pages) for (const e of page.data || []) state.names.set(`${e.type}:${e.key}`, e);
  renderContext();
  if (state.response) render();
}

function entityName(type, key) {
  const stages = [state.response?.stage, state.response?.next_stage];
  if (type === "stage") return pick(stages.find((st) => st?.key === key), key);
  const type_ = { competitors: "competitor" }[type] || type;
  return pick(state.names.get(`${type_}:${key}`), key);
}

function splitList(value) {
  return String(value || "").split(",").map((v) => v.trim()).filter(Boolean);
}

function body() {
  return {
    stage: context.stage || "",
    industry: context.industry || null,
    competitors: context.competitors || [],
    products: context.products || [],
    amount: context.amount ? Number(context.amount) : null,
    notes: context.notes || "",
    limit: Math.min(Number(context.limit) || 5, 20),
  };
}

async function refresh() {
  if (!state.api) return;
  const seq = ++state.seq;
  document.body.classList.add("updating");
  try {
    const response = await state.api.post("/v1/recommend", body());
    if (seq !== state.seq) return;
    state.response = response;
    state.error = null;
    render();
  } catch (err) {
    if (seq !== state.seq) return;
    state.response = null;
    state.error = err;
    renderError(err);
  } finally {
    if (seq === state.seq) document.body.classList.remove("updating");
    reportHeight();
  }
}

// ---------- rendering ----------

/** A context value as the taxonomy names it (the CRM may send a key, a name or an alias). */
function display(type, value) {
  const wanted = String(value).trim().toLowerCase();
  for (const [id, e] of state.names) {
    if (!id.startsWith(`${type}:`)) continue;
    const names = [e.key, e.name_en, e.name_zh, ...(e.aliases || [])].map((n) => String(n).toLowerCase());
    if (names.includes(wanted)) return pick(e, value);
  }
  return value;
}

function renderContext() {
  const bits = [context.industry && display("industry", context.industry),
    ...(context.competitors || []).map((c) => t("widget.vs", { name: display("competitor", c) })),
    ...(context.products || [])].filter(Boolean);
  $("#context").textContent = bits.join(" · ") || t("widget.no_context");
  $("#context").title = $("#context").textContent;
  const q = [context.industry, ...(context.competitors || []), ...(context.products || [])]
    .filter(Boolean).join(" ");
  const url = new URL("/", location.origin);
  if (q) url.searchParams.set("q", q);
  if (context.stage) url.searchParams.set("stage", context.stage);
  $("#open-search").href = url.pathname + url.search;
}

function renderLoading() {
  clear($("#recs"), [0, 1, 2].map(() =>
    h("div.rec", null, h("div.skeleton", { style: { width: "70%" } }), h("div.skeleton"))));
}


function render() {
  const r = state.response;
  const stage = r.stage;
  const next = r.next_stage;
  clear($("#stage-line"),
    stage && [icon("flag"), h("span#stage-name", { text: pick(stage) })],
    next && next.key !== stage?.key && h("span.next", { text: t("widget.next", { stage: pick(next) }) }));

  const list = r.recommendations;
  clear($("#recs"), list.length
    ? list.map((item, i) => recItem(item, i))
    : h("div.w-empty", { text: t("widget.none") }));
  renderWinloss(r.winloss);
  const criteria = r.exit_criteria;
  clear($("#exit"), criteria.length > 0 && [
    h("div.section-title", null, icon("check"),
      h("span", { text: t("hints.exit") })),
    h("ul.exit", null, criteria.map((c) => h("li", { text: half(c) }))),
  ]);
  reportHeight();
}

function recItem(item, i) {
  return h("article.rec", { dataset: { assetId: item.asset_id } },
    h("span.rec-num", { text: i + 1 }),
    h("button.rec-title", { type: "button", text: item.title,
      onclick: () => openSource(state.api, item.citation) }),
    h("div.rec-meta", null, h("span.badge.accent", { text: kindName(item.kind) }),
      item.citation.section && h("span.small.faint", { text: `§ ${item.citation.section}` })),
    h("p.rec-reason", { text: reasonText(item.reason_parts, state.response.stage) }));
}

/** The reason parts of a recommendation, worded in the current language. */
function reasonText(parts, stage) {
  const words = parts.map((part) => {
    if (part.code === "won_deals") {
      const key = ["reason.won_deals", part.competitor && "_vs", part.industry && "_in"].filter(Boolean).join("");
      return t(key, { competitor: part.competitor, industry: part.industry });
    }
    return t(`reason.${part.code}`, { kind: kindName(part.kind), stage: pick(stage) });
  });
  const text = words.join(" · ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function renderWinloss(list) {
  const pictures = (list || []).filter((w) => w.deals);
  clear($("#winloss"), pictures.length > 0 && [
    h("div.section-title", null, icon("trophy"), h("span", { text: t("widget.winloss") })),
    pictures.slice(0, 3).map(winlossBlock),
  ]);
}

function winlossBlock(w) {
  const pct = (n) => `${(n / w.deals) * 100}%`;
  const scope = Object.entries(w.filters || {}).map(([type, key]) => entityName(type, key)).join(" · ");
  return h("div.wl-block", null,
    scope && h("div.small.muted", { style: { marginBottom: "2px" }, text: scope }),
    h("div.wl-line", null,
      h("b", { text: w.win_rate == null ? "—" : fmtPercent(w.win_rate) }),
      h("span.muted", { text: t("widget.win_rate_of", { n: fmtNumber(w.deals) }) })),
    h("div.split", { role: "img", "aria-label": t("winloss.split", w) },
      h("span.won", { style: { width: pct(w.won) } }),
      h("span.lost", { style: { width: pct(w.lost) } }),
      h("span.nod", { style: { width: pct(w.no_decision) } })),
    h("div.w-reasons", null,
      w.top_reasons_won.slice(0, 2).map((r) => h("div.won", { text: r.reason })),
      w.top_reasons_lost.slice(0, 2).map((r) => h("div.lost", { text: r.reason }))));
}

function renderError(err) {
  clear($("#stage-line"));
  clear($("#winloss"));
  clear($("#exit"));
  const known = err.detail?.known;
  clear($("#recs"), h("div.notice.bad.w-error", { role: "alert" },
    h("div", null,
      h("b", { text: err.status === 422 && known ? t("widget.bad_stage", { stage: context.stage }) : t("error.load") }),
      h("div.small", { text: err.message }),
      Array.isArray(known) && h("div.small", { text: `${t("error.known")}: ${known.slice(0, 16).join(", ")}` }))));
  reportHeight();
}

function reportHeight() {
  requestAnimationFrame(() => {
    window.parent.postMessage({ type: "kms:height", height: Math.ceil($("#panel").getBoundingClientRect().height) + 2 }, "*");
  });
}
