// The CRM sidebar panel (/widget): what matters now for one opportunity, and a search box.
//
// Credentials: the token the CRM's server signed for its user and this opportunity (in the
// fragment, #token=…, then by postMessage {type: "kms:token"} — see widget.js). Opened on
// its own (no token), the panel uses the KMS sign-in of this browser, with the context
// from the query string (stage, industry, competitors, products, notes, lang, limit).
// An expired or bad token is said so here, in the panel's own width, with a retry that
// asks the host page for a fresh token ({type: "kms:token-request"}). Nothing here ever
// shows a key or a token.

import { client, takeTokenFromFragment } from "./api.js";
import { $, clear, h, icon, setSnippet } from "./dom.js";
import { applyI18n, fmtNumber, fmtPercent, half, kindName, langToggle, onLang, pick, setLang, t } from "./i18n.js";
import { showAnswered } from "./answered.js";
import { expertForm } from "./expert.js";
import { copyLinkButton, feedbackButtons, resultItem } from "./results.js";
import { loadSession, signinUrl } from "./session.js";
import { openSource } from "./source.js";

const LISTS = ["competitors", "products"];
const TOKEN_WAIT_MS = 15000;
const params = new URLSearchParams(location.search);
const context = {};
for (const [name, value] of params) {
  if (LISTS.includes(name)) context[name] = splitList(value);
  else if (name === "competitor" || name === "product") context[`${name}s`] = splitList(value);
  else context[name] = value;
}
if (context.lang) setLang(context.lang, { remember: false });
delete context.lang;

const framed = window.parent !== window;
const state = {
  cred: {}, api: null, response: null, seq: 0, error: null, names: new Map(), search: null, waiting: null,
};

applyI18n();
langToggle($("#lang-toggle"));
onLang(() => {
  renderContext();
  if (state.error) renderError(state.error);
  else if (state.response) render();
  if (state.search) renderSearch();
});
renderContext();
renderLoading();
reportHeight();

window.addEventListener("message", (event) => {
  if (!framed || event.source !== window.parent) return;
  const msg = event.data;
  if (!msg || typeof msg !== "object") return;
  if (msg.type === "kms:token" && typeof msg.token === "string") {
    useToken(msg.token);
    state.waiting?.(true);
    refresh();
  } else if (msg.type === "kms:context" && msg.context && typeof msg.context === "object") {
    for (const [name, value] of Object.entries(msg.context)) {
      if (name === "lang") setLang(String(value), { remember: false });
      else if (!state.cred.token) context[name] = LISTS.includes(name) && !Array.isArray(value) ? splitList(value) : value;
    }
    renderContext();
    refresh();
  }
});

start();

async function start() {
  const token = takeTokenFromFragment();
  if (token) useToken(token);
  else if (!framed) {
    const me = await loadSession().catch(() => null);
    if (me) state.cred.csrf = me.csrf;
    else {
      renderSignIn();
      return;
    }
  }
  state.api = client(state.cred);
  if (framed) window.parent.postMessage({ type: "kms:ready" }, "*");
  if (!token && framed) {
    renderError({ status: 401, code: "bad_token" });
    return;
  }
  refresh();
  loadNames();
  showAnswered(state.api, $("#w-answered"), (a) => openSource(state.api, a)).then(reportHeight);
}

/** Take a new token; its (signed, not secret) opportunity is what the panel shows. */
function useToken(token) {
  state.cred.token = token;
  state.api = state.api || client(state.cred);
  const claims = decodeClaims(token);
  const opp = claims?.opp;
  if (opp && typeof opp === "object") {
    for (const name of ["stage", "industry", "competitors", "products", "notes", "amount"]) delete context[name];
    Object.assign(context, opp, { opportunity_id: opp.id });
  }
  renderContext();
}

function decodeClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** Ask the host page for a fresh token; resolves true when one came. */
function requestToken() {
  if (!framed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), TOKEN_WAIT_MS);
    function done(ok) {
      clearTimeout(timer);
      state.waiting = null;
      resolve(ok);
    }
    state.waiting = done;
    window.parent.postMessage({ type: "kms:token-request" }, "*");
  });
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
    opportunity_id: context.opportunity_id || null,
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

// ---------- search ----------

$("#w-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const query = $("#w-q").value.trim();
  if (!query || !state.api) return;
  const stage = state.response?.stage?.key || null;
  state.search = { query, stage, response: null, error: null, asked: false };
  renderSearch();
  try {
    state.search.response = await state.api.post("/v1/search", { query, stage, limit: 5 });
  } catch (err) {
    state.search.error = err;
  }
  if (state.search?.query === query) renderSearch();
});

document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || e.defaultPrevented || $("#source-panel")) return;
  if (state.search && document.activeElement === $("#w-q")) closeSearch();
  $("#w-q").focus();
});

function closeSearch() {
  state.search = null;
  $("#w-q").value = "";
  renderSearch();
}

function renderSearch() {
  const box = $("#w-results");
  const s = state.search;
  box.hidden = !s;
  if (!s) {
    clear(box);
    reportHeight();
    return;
  }
  const head = h("div.w-results-h", null,
    h("h2.section-title", { text: t("widget.results_for", { q: s.query }) }),
    h("button.btn.ghost.small#w-close", { type: "button", onclick: () => {
      closeSearch();
      $("#w-q").focus();
    } }, icon("close"), t("widget.back")));
  if (!s.response && !s.error) {
    clear(box, head, h("div.skeleton"), h("div.skeleton", { style: { width: "70%" } }));
  } else if (s.error) {
    clear(box, head, errorNotice(s.error));
  } else {
    const r = s.response;
    const ctx = { api: state.api, queryId: r.query_id, stageByKey: new Map(), compact: true,
      open: (hit) => openSource(state.api, hit.citation, hit.chunk_id) };
    const unanswered = r.answered === false;
    clear(box, head, unanswered && noAnswer(s), r.results.length
      ? [unanswered && h("p.w-closest#w-closest", { text: t("widget.closest") }),
          h("ol.w-hits", { dataset: { query: r.query }, "aria-labelledby": unanswered ? "w-closest" : null },
            r.results.map((hit, index) => resultItem(hit, { ...ctx, index })))]
      : h("div.w-empty", { dataset: { query: r.query }, text: t("widget.no_results") }));
  }
  reportHeight();
}

/** No document answers the question: say so, and let the rep ask an expert. */
function noAnswer(s) {
  return h("div.notice.warn.w-no-answer#no-answer", null, icon("gap"),
    h("div.w-no-answer-b", null,
      h("h3", { text: t("answer.none_title") }),
      h("p.small", { text: t("widget.none_body") }),
      expertForm((note) => askExpert(s, note), { sent: s.asked, done: () => { s.asked = true; } })));
}

/** The question goes to the gaps board with the stage it was asked at and the deal's context. */
function askExpert(s, note) {
  const filters = {
    industry: context.industry || null,
    competitor: context.competitors?.[0] || null,
    product: context.products?.[0] || null,
  };
  return state.api.post("/v1/expert", { query: s.query, stage: s.stage, filters, note });
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
    h("h2.section-title", null, icon("check"), h("span", { text: t("hints.exit") })),
    h("ul.exit", null, criteria.map((c) => h("li", { text: half(c) }))),
  ]);
  reportHeight();
}

function recItem(item, i) {
  const hit = { asset_id: item.asset_id, title: item.title };
  return h("article.rec", { dataset: { assetId: item.asset_id } },
    h("span.rec-num", { text: i + 1 }),
    h("h3", null, h("button.rec-title", { type: "button", text: item.title,
      onclick: () => openSource(state.api, item.citation) })),
    h("div.rec-meta", null, h("span.badge.accent", { text: kindName(item.kind) }),
      item.citation.section && h("span.small.faint", { text: `§ ${item.citation.section}` })),
    h("p.rec-reason", { text: reasonText(item.reason_parts, state.response.stage) }),
    item.snippet && setSnippet(h("p.rec-snippet"), item.snippet),
    h("div.rec-actions", null, copyLinkButton(hit),
      feedbackButtons(hit, { api: state.api, queryId: state.response.query_id })));
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
    h("h2.section-title", null, icon("trophy"), h("span", { text: t("widget.winloss") })),
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

/** What went wrong, in words; a token problem offers to try again with a fresh one. */
function errorNotice(err) {
  const known = err.detail?.known;
  const tokenProblem = err.status === 401;
  const title = err.code === "token_expired" ? t("widget.expired")
    : tokenProblem ? t("widget.bad_token")
    : err.status === 422 && known ? t("widget.bad_stage", { stage: context.stage })
    : t("error.load");
  const retry = h("button.btn.small#w-retry", { type: "button", onclick: () => retryAfterError(retry) },
    icon("retry"), t("widget.retry"));
  return h("div.notice.bad.w-error", { role: "alert", dataset: { code: err.code || "" } },
    h("div", { style: { minWidth: 0 } },
      h("b", { text: title }),
      tokenProblem ? h("div.small", { text: t("widget.token_help") }) : h("div.small", { text: err.message }),
      Array.isArray(known) && h("div.small", { text: `${t("error.known")}: ${known.slice(0, 16).join(", ")}` }),
      h("div", { style: { marginTop: "8px" } }, retry)));
}

async function retryAfterError(button) {
  button.disabled = true;
  renderLoading();
  // a token problem: the host page is asked for a fresh token, which refreshes the panel
  const fresh = state.error?.status === 401 && (await requestToken());
  if (!fresh) await refresh();
}

function renderError(err) {
  clear($("#stage-line"));
  clear($("#winloss"));
  clear($("#exit"));
  clear($("#recs"), errorNotice(err));
  reportHeight();
}

function renderSignIn() {
  $("#w-search").hidden = true;
  clear($("#recs"), h("div.notice.w-error", { role: "status" },
    h("div", null, h("b", { text: t("widget.signin_needed") }), " ",
      h("a", { href: signinUrl(), text: t("auth.title") }))));
  reportHeight();
}

function reportHeight() {
  if (!framed) return;
  requestAnimationFrame(() => {
    window.parent.postMessage({ type: "kms:height", height: Math.ceil($("#panel").getBoundingClientRect().height) + 2 }, "*");
  });
}
