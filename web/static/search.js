// Rep search (/): ask, pick or let KMS infer the stage, filter, read the answer card and
// the results, open sources, copy a link to one, and say whether a result helped. Keyboard:
// the box has focus on load, Enter searches, ↑ / ↓ move through results, Enter opens one,
// Esc (or /) returns to the box. `?q=…&open=<asset id>` (a copied link) opens that source.

import { answerCard } from "./answer.js";
import { showAnswered } from "./answered.js";
import { $, $$, clear, h, icon } from "./dom.js";
import { applyI18n, fmtNumber, fmtPercent, kindName, langName, langToggle, onLang, pick, t } from "./i18n.js";
import { ASSET_KINDS, LANGUAGES, loadMeta } from "./meta.js";
import { resultItem } from "./results.js";
import { requireSession, userMenu } from "./session.js";
import { openSource } from "./source.js";

const PAGE = 10;
const state = {
  api: null, meta: null, response: null, extra: [], request: null, busy: null, pending: false,
  reviewer: false, // a curator or admin: drafts are shown unless they ask for approved only
};
const box = $("#q");

applyI18n();
langToggle($("#lang-toggle"));
$(".searchbox-icon").append(icon("search"));
box.focus();
renderSelectors();
renderWelcome();
onLang(() => {
  renderSelectors();
  if (state.response) render();
  else renderWelcome();
});

start().catch((err) => renderError(err));

async function start() {
  const { api, me } = await requireSession();
  state.api = api;
  state.reviewer = me.role !== "rep";
  userMenu($("#user-slot"), me, api);
  state.meta = await loadMeta(api);
  renderSelectors();
  showAnswered(api, $("#answered"), (a) => openSource(state.api, a));
  box.focus();
  const params = new URLSearchParams(location.search);
  if (state.pending && box.value.trim()) search();
  else if (params.get("q")) {
    box.value = params.get("q");
    if (params.get("stage")) $("#stage").value = params.get("stage");
    for (const sel of $$("[data-filter]")) sel.value = params.get(sel.dataset.filter) || "";
    search({ push: false });
  }
}

// ---------- selectors ----------

function options(select, placeholderKey, items, label) {
  const keep = select.value;
  clear(select, h("option", { value: "", text: t(placeholderKey) }),
    items.map((item) => h("option", { value: item.key ?? item, text: label(item) })));
  select.value = keep;
  select.classList.toggle("active", !!select.value);
}

function renderSelectors() {
  const meta = state.meta || { stages: [], products: [], industries: [], competitors: [] };
  options($("#stage"), "stage.auto", meta.stages, (s) => pick(s));
  options($("#f-kind"), "filters.kind_any", ASSET_KINDS, kindName);
  options($("#f-product"), "filters.product_any", meta.products, (e) => pick(e));
  options($("#f-industry"), "filters.industry_any", meta.industries, (e) => pick(e));
  options($("#f-competitor"), "filters.competitor_any", meta.competitors, (e) => pick(e));
  options($("#f-language"), "filters.language_any", LANGUAGES, langName);
  statusOptions();
  showInferred();
}

/** Search serves reps approved knowledge and drafts only when asked; curators and admins,
 * who review drafts, see them unless they ask for approved assets only. */
function statusOptions() {
  if (state.reviewer) options($("#f-status"), "filters.status_with_drafts", ["approved"], () => t("filters.status_approved"));
  else options($("#f-status"), "filters.status_approved", ["draft"], () => t("filters.status_drafts"));
}

function showInferred() {
  const select = $("#stage");
  const stage = state.response?.stage;
  const auto = select.options[0];
  const inferred = !select.value && stage && !stage.given;
  auto.textContent = inferred ? t("stage.auto_inferred", { stage: pick(stage) }) : t("stage.auto");
  select.classList.toggle("inferred", !!inferred);
  select.title = inferred ? t("stage.inferred_title", { pct: fmtPercent(stage.confidence) }) : "";
}

$("#filters").addEventListener("change", (e) => {
  if (!e.target.matches("[data-filter]")) return;
  e.target.classList.toggle("active", !!e.target.value);
  $("#f-clear").hidden = !$$("[data-filter]").some((s) => s.value);
  if (box.value.trim()) search();
});
$("#filters-toggle").addEventListener("click", (e) => {
  const open = $("#filters").classList.toggle("open"); // phones: the filters fold away
  e.currentTarget.setAttribute("aria-expanded", String(open));
});
$("#f-clear").addEventListener("click", () => {
  for (const sel of $$("[data-filter]")) {
    sel.value = "";
    sel.classList.remove("active");
  }
  $("#f-clear").hidden = true;
  if (box.value.trim()) search();
  box.focus();
});
$("#stage").addEventListener("change", () => box.value.trim() && search());

// ---------- searching ----------

$("#search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  search();
});

function buildRequest() {
  const f = Object.fromEntries($$("[data-filter]").map((s) => [s.dataset.filter, s.value || null]));
  return {
    query: box.value.trim(),
    stage: $("#stage").value || null,
    filters: {
      kind: f.kind ? [f.kind] : [],
      product: f.product, industry: f.industry, competitor: f.competitor, language: f.language,
      // "draft": drafts asked for beside approved assets; "approved": approved only
      status: f.status === "draft" ? ["approved", "draft"] : f.status === "approved" ? ["approved"] : [],
    },
    competitor: f.competitor,
    industry: f.industry,
    limit: PAGE,
  };
}

async function search({ push = true } = {}) {
  if (!state.api) {
    state.pending = true; // asked before the key was checked: run once it is
    return;
  }
  const request = buildRequest();
  if (!request.query) {
    box.focus();
    return;
  }
  if (push) pushUrl(request);
  state.request = request;
  state.extra = [];
  state.busy?.abort();
  const busy = (state.busy = new AbortController());
  renderLoading();
  try {
    const response = await state.api.post("/v1/answer", request, { signal: busy.signal });
    if (busy.signal.aborted) return;
    state.response = response;
    render();
    openRequested(response);
  } catch (err) {
    if (err.name === "AbortError") return;
    state.response = null;
    renderError(err);
  }
}

/** A copied link (`&open=<asset id>`) opens its source once the search is shown. */
function openRequested(response) {
  const params = new URLSearchParams(location.search);
  const wanted = Number(params.get("open"));
  const hit = wanted && response.results.find((r) => r.asset_id === wanted);
  if (!hit) return;
  params.delete("open");
  history.replaceState(null, "", `/?${params}`);
  openSource(state.api, hit.citation, hit.chunk_id);
}

function pushUrl(request) {
  const params = new URLSearchParams({ q: request.query });
  if (request.stage) params.set("stage", request.stage);
  for (const sel of $$("[data-filter]")) if (sel.value) params.set(sel.dataset.filter, sel.value);
  history.pushState(null, "", `/?${params}`);
}

window.addEventListener("popstate", () => {
  const params = new URLSearchParams(location.search);
  box.value = params.get("q") || "";
  $("#stage").value = params.get("stage") || "";
  for (const sel of $$("[data-filter]")) sel.value = params.get(sel.dataset.filter) || "";
  if (box.value) search({ push: false });
});

async function loadMore() {
  const button = $("#more-btn");
  button.disabled = true;
  const shown = state.response.results.length + state.extra.length;
  try {
    const page = await state.api.post("/v1/search", {
      ...state.request, offset: shown, log: false,
    });
    state.extra.push(...page.results);
    render({ keepFocus: shown });
  } finally {
    button.disabled = false;
  }
}
$("#more-btn").addEventListener("click", loadMore);

// ---------- rendering ----------

function renderLoading() {
  $("#welcome").hidden = true;
  $("#more").hidden = true;
  clear($("#status"), h("span.spinner"), h("span", { text: t("search.searching") }));
  clear($("#results"), [0, 1, 2].map(() =>
    h("li.result", { "aria-hidden": "true" }, h("div.skeleton", { style: { width: "45%", height: "18px" } }),
      h("div.skeleton"), h("div.skeleton", { style: { width: "80%" } }))));
  clear($("#answer"));
}

function render({ keepFocus = null } = {}) {
  const r = state.response;
  const hits = [...r.results, ...state.extra];
  showInferred();
  $("#welcome").hidden = true;
  const stageNote = r.stage
    ? h("span.chip", { title: r.stage.given ? "" : t("stage.inferred_title", { pct: fmtPercent(r.stage.confidence) }) },
        icon("flag"),
        t(r.stage.given ? "status.stage" : "status.stage_inferred", { stage: pick(r.stage) }))
    : null;
  clear($("#status"),
    h("span#result-count", { text: t("status.results", { n: fmtNumber(hits.length) }) }),
    stageNote,
    hits.length > 0 && r.gap_recorded &&
      h("div.notice.warn#gap-note", { role: "status", style: { width: "100%", marginTop: "6px" } },
        icon("gap"), h("span", { text: t("status.low_confidence") })));

  const ctx = {
    api: state.api, queryId: r.query_id, stageByKey: state.meta.stageByKey,
    open: (hit) => openSource(state.api, hit.citation, hit.chunk_id),
  };
  clear($("#results"), hits.map((hit, index) => resultItem(hit, { ...ctx, index })));
  $("#results").dataset.query = r.query; // which search the list shows (tests wait on it)
  $("#more").hidden = hits.length < PAGE || (state.extra.length > 0 && state.extra.length % PAGE !== 0);
  if (!hits.length) renderEmpty(r);

  clear($("#answer"), r
    ? answerCard(r, { stageByKey: state.meta.stageByKey, entityName, open: (c) => openSource(state.api, c), askExpert })
    : null);
  if (keepFocus !== null) $$("#results .result")[keepFocus]?.focus();
}

/** Ask an expert about the question on screen (its stage and filters go with it). */
function askExpert(note) {
  const q = state.request;
  return state.api.post("/v1/expert", { query: q.query, stage: q.stage, filters: q.filters, note });
}

/** The name of a taxonomy entity (competitor, industry, product, stage) from its key. */
function entityName(type, key) {
  const lists = { competitor: state.meta.competitors, industry: state.meta.industries, product: state.meta.products };
  if (type === "stage") return pick(state.meta.stageByKey.get(key), key);
  return pick((lists[type] || []).find((e) => e.key === key), key);
}

/** Did the shown search narrow by any filter? */
function filtered(request) {
  const f = request?.filters || {};
  // approved only narrows a search; asking for drafts too widens it
  const narrowed = f.status?.length === 1;
  return Boolean(f.kind?.length || f.product || f.industry || f.competitor || f.language || narrowed);
}

function renderEmpty(r) {
  clear($("#status"));
  // an empty filtered search that is no gap: the filters, not the knowledge base, hid the matches
  const hidden = !r.gap_recorded && filtered(state.request);
  const notice = r.gap_recorded ? "empty.recorded" : hidden ? "empty.filtered" : "empty.not_recorded";
  $("#results").append(
    h("li.gap-state.empty#empty-state", null,
      icon("gap"),
      h("h2", { text: t("empty.title", { q: r.query }) }),
      h("p", { text: t(hidden ? "empty.filtered_body" : "empty.body") }),
      h("div.notice.good", { role: "status" }, icon(r.gap_recorded ? "check" : "gap"),
        h("span", { text: t(notice) })),
      h("ul.small.muted", { style: { textAlign: "left", display: "inline-block", marginTop: "14px" } },
        h("li", { text: t("empty.tip1") }), h("li", { text: t("empty.tip2") }),
        h("li", { text: t("empty.tip3") }))));
}

function renderError(err) {
  clear($("#results"));
  clear($("#answer"));
  const known = err.detail?.known;
  clear($("#status"),
    h("div.notice.bad", { role: "alert" }, icon("info"),
      h("div", null, h("b", { text: t("error.search") }), " ", err.message,
        Array.isArray(known) && h("div.small", { text: `${t("error.known")}: ${known.slice(0, 12).join(", ")}` }))));
}

function renderWelcome() {
  if (state.response) return;
  const examples = t("welcome.examples").split("|");
  clear($("#welcome"),
    h("div.card", null,
      h("div.card-b", null,
        h("h2", { text: t("welcome.title") }),
        h("p.muted", { text: t("welcome.body") }),
        h("div.section-title", { style: { marginTop: "6px" }, text: t("welcome.try") }),
        h("div.examples", null, examples.map((q) =>
          h("button.chip", { type: "button", text: q, onclick: () => {
            box.value = q;
            search();
          } }))))));
}

// ---------- keyboard ----------

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  if ($("#source-panel") || $("dialog[open]")) return;
  const items = $$("#results .result[data-index]");
  const current = document.activeElement;
  const at = items.indexOf(current);
  if (e.key === "ArrowDown" && (current === box || at >= 0)) {
    if (!items.length) return;
    e.preventDefault();
    items[Math.min(at + 1, items.length - 1)].focus();
  } else if (e.key === "ArrowUp" && at >= 0) {
    e.preventDefault();
    if (at === 0) box.focus();
    else items[at - 1].focus();
  } else if (e.key === "Enter" && at >= 0 && current === e.target) {
    e.preventDefault();
    current.querySelector(".result-title").click();
  } else if (e.key === "Escape") {
    box.focus(); // from anywhere on the page: back to the question
    box.select();
  } else if (e.key === "/" && !/^(INPUT|SELECT|TEXTAREA)$/.test(current.tagName)) {
    e.preventDefault();
    box.focus();
    box.select();
  }
});
