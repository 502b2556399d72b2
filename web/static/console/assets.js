// Assets: filter, sort, approve / retire in the table; the detail panel re-stages,
// re-owns, sets teams and the review-by date, and shows chunks, stages, entities,
// duplicates and linked outcomes.

import { qs } from "../api.js";
import { $, clear, debounce, h, icon, toast } from "../dom.js";
import { fmtDate, fmtNumber, kindName, langName, pick, t } from "../i18n.js";
import { ASSET_KINDS, LANGUAGES } from "../meta.js";

const PAGE = 50; // the API's largest page (settings.page_size_max)
const MAX_ROWS = 2000;
const SHOWN = 100;
const SORTS = {
  // the default: what needs a curator first (drafts, stale, duplicates), then the newest
  attention: (a) => (a.status === "retired" ? 1 : -((a.status === "draft") * 4 + a.stale * 2 + !!a.duplicate_of)),
  title: (a) => a.title.toLowerCase(),
  kind: (a) => a.kind,
  status: (a) => a.status,
  owner: (a) => a.owner || "\uffff",
  review_by: (a) => a.review_by || "9999",
  updated_at: (a) => a.updated_at,
};

export function assetsView(root, ctx) {
  const state = { rows: [], count: 0, sort: "attention", dir: 1, seq: 0, shown: SHOWN };
  const search = h("input.input#a-q", { type: "search", placeholder: t("assets.filter"), "aria-label": t("assets.filter") });
  const select = (name, items, label, anyKey) => {
    const el = h("select.select", { "aria-label": t(anyKey), dataset: { f: name } },
      h("option", { value: "", text: t(anyKey) }),
      items.map((v) => h("option", { value: v.key ?? v, text: label(v) })));
    el.addEventListener("change", () => load());
    return el;
  };
  const stale = h("input", { type: "checkbox", id: "a-stale" });
  const dups = h("input", { type: "checkbox", id: "a-dups" });
  const countEl = h("span.sub");
  const tbody = h("tbody");
  const foot = h("div.table-f");
  const filters = [
    select("kind", ASSET_KINDS, kindName, "filters.kind_any"),
    select("status", ["draft", "approved", "retired"], (s) => t(`status.${s}`), "assets.status_any"),
    select("language", LANGUAGES, langName, "filters.language_any"),
    select("stage", ctx.meta.stages, (s) => pick(s), "assets.stage_any"),
  ];
  search.addEventListener("input", debounce(() => load(), 250));
  stale.addEventListener("change", () => load());
  dups.addEventListener("change", () => render());

  const th = (key, labelKey) => {
    const cell = h("th", { scope: "col", dataset: { sort: key } },
      h("button", { type: "button", text: t(labelKey), onclick: () => {
        state.dir = state.sort === key ? -state.dir : 1;
        state.sort = key;
        render();
      } }));
    return cell;
  };
  const head = h("tr", null,
    th("title", "assets.col.title"), th("kind", "assets.col.kind"), th("status", "assets.col.status"),
    th("owner", "assets.col.owner"), h("th", { scope: "col", text: t("assets.col.teams") }),
    th("review_by", "assets.col.review_by"),
    th("updated_at", "assets.col.updated"), h("th", { scope: "col" }, h("span.visually-hidden", { text: t("assets.col.actions") })));

  clear(root,
    h("div.view-h", null, h("h1", { text: t("tab.assets") }), countEl),
    h("div.toolbar", null, search, filters,
      h("label.check", null, stale, h("span", { text: t("assets.stale_only") })),
      h("label.check", null, dups, h("span", { text: t("assets.dups_only") }))),
    h("div.table-wrap", null, h("table.data#assets-table", null, h("thead", null, head), tbody), foot));

  // Filters run on the server; every matching row is fetched (pages in parallel, up to
  // MAX_ROWS) so that sorting covers them all. The table shows SHOWN rows at a time.
  async function load() {
    const params = { q: search.value.trim(), stale: stale.checked ? "true" : "", limit: PAGE };
    for (const el of filters) params[el.dataset.f] = el.value;
    const seq = ++state.seq;
    try {
      const first = await ctx.api.get(`/v1/assets${qs({ ...params, offset: 0 })}`);
      const offsets = [];
      for (let at = PAGE; at < Math.min(first.count, MAX_ROWS); at += PAGE) offsets.push(at);
      const rest = await Promise.all(offsets.map((offset) => ctx.api.get(`/v1/assets${qs({ ...params, offset })}`)));
      if (seq !== state.seq) return;
      state.rows = [first, ...rest].flatMap((page) => page.data);
      state.count = first.count;
      render();
    } catch (err) {
      clear(tbody, h("tr", null, h("td", { colspan: 8 }, h("div.notice.bad", { text: err.message }))));
    }
  }

  function render() {
    const key = SORTS[state.sort];
    const order = (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * state.dir || b.id - a.id;
    let rows = [...state.rows].sort(order);
    if (dups.checked) rows = rows.filter((a) => a.duplicate_of);
    for (const cell of head.children) {
      if (cell.dataset.sort) cell.setAttribute("aria-sort", cell.dataset.sort === state.sort ? (state.dir > 0 ? "ascending" : "descending") : "none");
    }
    countEl.textContent = t("assets.count", { n: fmtNumber(state.count) }) +
      (state.sort === "attention" ? ` · ${t("assets.attention_first")}` : "");
    const visible = rows.slice(0, state.shown);
    clear(tbody, visible.length ? visible.map((a) => row(a)) :
      h("tr", null, h("td.empty", { colspan: 8, text: t("assets.none") })));
    clear(foot, h("span", { text: t("assets.shown", { n: visible.length, total: rows.length }) }),
      rows.length > visible.length && h("button.btn.small", { type: "button", text: t("results.more"), onclick: () => {
        state.shown += SHOWN;
        render();
      } }));
  }

  function row(a) {
    const act = (labelKey, cls, status) =>
      h(`button.btn.small.${cls}`, { type: "button", dataset: { action: status },
        onclick: () => setStatus(ctx, a, status, () => load()) }, t(labelKey));
    return h(`tr${a.status === "retired" ? ".retired" : ""}`, { dataset: { assetId: a.id } },
      h("td.wrap", null,
        h("button.t-title", { type: "button", text: a.title, onclick: () => (location.hash = `asset/${a.id}`) }),
        h("div.t-sub", { text: [`#${a.id}`, langName(a.language), a.file_name || a.source_type].filter(Boolean).join(" · ") })),
      h("td", null, h("span.badge.accent", { text: kindName(a.kind) })),
      h("td", null, h("div.flags", null, statusBadge(a.status),
        a.stale && h("span.badge.warn", { text: t("flag.stale") }),
        a.duplicate_of && h("span.badge.bad", { title: t("flag.duplicate_of", { id: a.duplicate_of }), text: t("flag.duplicate") }))),
      h("td", { text: a.owner || "—" }),
      h("td.small", { text: a.teams.length ? a.teams.join(", ") : t("assets.everyone") }),
      h(`td.small${a.stale ? ".overdue" : ""}`, { text: a.review_by ? fmtDate(a.review_by) : "—" }),
      h("td.small.muted", { text: fmtDate(a.updated_at) }),
      h("td", null, h("div.t-actions", null,
        a.status !== "approved" && act("action.approve", "good", "approved"),
        a.status !== "retired" && act("action.retire", "danger", "retired"),
        h("button.btn.small.ghost", { type: "button", onclick: () => (location.hash = `asset/${a.id}`) }, t("action.edit")))));
  }

  ctx.reloadAssets = () => load();
  load();
  return { reload: load };
}

export function statusBadge(status) {
  const cls = { approved: ".good", retired: ".bad", draft: ".warn" }[status] || "";
  return h(`span.badge${cls}`, { text: t(`status.${status}`) });
}

async function setStatus(ctx, asset, status, done) {
  if (status === "retired" && !confirm(t("confirm.retire", { title: asset.title }))) return;
  try {
    if (status === "retired") await ctx.api.post(`/v1/assets/${asset.id}/retire`);
    else await ctx.api.patch(`/v1/assets/${asset.id}`, { status });
    toast(t(status === "retired" ? "toast.retired" : "toast.approved", { title: asset.title }));
    done();
  } catch (err) {
    toast(err.message, "bad");
  }
}

// ---------- detail panel ----------

export async function openAsset(ctx, id) {
  $("#asset-panel")?.remove();
  $("#asset-scrim")?.remove();
  const close = () => {
    panel.remove();
    scrim.remove();
    if (location.hash.startsWith("#asset/")) history.replaceState(null, "", "#assets");
  };
  const body = h("div.drawer-b", null, h("div.skeleton"), h("div.skeleton"), h("div.skeleton"));
  const title = h("h2#asset-title", { text: `#${id}` });
  const panel = h("section.drawer#asset-panel", { role: "dialog", "aria-modal": "true", "aria-labelledby": "asset-title", tabindex: -1 },
    h("div.drawer-h", null, h("div", { style: { flex: 1, minWidth: 0 } },
      h("div.section-title", { text: t("asset.title") }), title),
    h("button.btn.ghost.small", { type: "button", "aria-label": t("source.close"), onclick: close }, icon("close"))),
    body);
  const scrim = h("div.scrim#asset-scrim", { onclick: close });
  panel.addEventListener("keydown", (e) => e.key === "Escape" && close());
  document.body.append(scrim, panel);
  panel.focus();
  let a;
  try {
    a = await ctx.api.get(`/v1/assets/${id}`);
  } catch (err) {
    clear(body, h("div.notice.bad", { text: err.message }));
    return;
  }
  title.textContent = a.title;
  clear(body, editForm(ctx, a, close), stagesSection(ctx, a), entitiesSection(a), dupSection(a),
    outcomesSection(a), chunksSection(ctx, a));
}

function editForm(ctx, a, close) {
  const curated = new Set(a.stages.filter((s) => s.origin === "curated").map((s) => s.stage));
  const status = h("select.select#e-status", null, ["draft", "approved", "retired"].map((s) =>
    h("option", { value: s, text: t(`status.${s}`), selected: a.status === s })));
  const owner = h("input.input#e-owner", { value: a.owner || "", placeholder: t("asset.owner_ph") });
  const teams = h("input.input#e-teams", { value: a.teams.join(", "), placeholder: t("assets.everyone") });
  const review = h("input.input#e-review", { type: "date", value: a.review_by || "" });
  const pins = h("input.input#e-pins", { value: (a.pins || []).join(", "), placeholder: t("asset.pins_ph") });
  const checks = ctx.meta.stages.map((s) =>
    h("label.check", null, h("input", { type: "checkbox", value: s.key, checked: curated.has(s.key) }),
      h("span", { text: pick(s) })));
  const save = async (e) => {
    e.preventDefault();
    const list = (v) => v.split(/[,，]/).map((x) => x.trim()).filter(Boolean);
    const change = {
      status: status.value, owner: owner.value.trim() || null, teams: list(teams.value),
      review_by: review.value || null, pins: list(pins.value),
      stages: checks.map((c) => c.querySelector("input")).filter((i) => i.checked).map((i) => i.value),
    };
    try {
      await ctx.api.patch(`/v1/assets/${a.id}`, change);
      toast(t("toast.saved", { title: a.title }));
      ctx.reloadAssets?.();
      close();
    } catch (err) {
      toast(err.message, "bad");
    }
  };
  return h("section", null,
    h("div.row.wrap", { style: { marginBottom: "12px" } }, statusBadge(a.status),
      h("span.badge.accent", { text: kindName(a.kind) }), h("span.badge", { text: langName(a.language) }),
      a.stale && h("span.badge.warn", { text: t("flag.stale") }),
      a.duplicate_of && h("span.badge.bad", { text: t("flag.duplicate_of", { id: a.duplicate_of }) }),
      a.has_file && h("span.small.muted", { text: a.file_name || "" })),
    h("form.detail-grid#asset-form", { onsubmit: save },
      h("label.field", null, t("assets.col.status"), status),
      h("label.field", null, t("assets.col.owner"), owner),
      h("label.field", null, t("assets.col.teams"), teams),
      h("label.field", null, t("assets.col.review_by"), review),
      h("div.field.full", null, h("span.small.muted", { text: t("asset.curated_stages") }), h("div.stage-checks", null, checks)),
      h("label.field.full", null, t("asset.pins"), pins),
      h("div.full.row", null, h("button.btn.primary", { type: "submit", text: t("action.save") }),
        h("button.btn", { type: "button", text: t("action.cancel"), onclick: close }))));
}

function section(titleKey, ...body) {
  return h("section", null, h("div.section-title", { text: t(titleKey) }), ...body);
}

function stagesSection(ctx, a) {
  if (!a.stages.length) return section("asset.stages", h("p.small.muted", { text: "—" }));
  return section("asset.stages", [...a.stages].sort((x, y) => y.score - x.score).map((s) =>
    h("div.aff-row", null, h("span", { text: pick(ctx.meta.stageByKey.get(s.stage), s.stage) }),
      h("div.meter", null, h("span", { style: { width: `${Math.round(Math.min(1, s.score) * 100)}%` } })),
      h("span.small.muted", { text: t(`origin.${s.origin}`) }))));
}

function entitiesSection(a) {
  if (!a.entities.length) return null;
  return section("asset.entities", h("div.ent-chips", null, a.entities.map((e) =>
    h("span.badge", { title: e.type }, h("b", { text: t(`entity.${e.type}`) }), ` ${pick(e)}`))));
}

function dupSection(a) {
  if (!a.duplicates.length) return null;
  return section("asset.duplicates", h("ul.list-plain", null, a.duplicates.map((d) =>
    h("li", null, h("span.badge.bad", { text: t(`dup.${d.relation}`) }),
      h("a", { href: `#asset/${d.asset_id}`, text: `#${d.asset_id} ${d.title}` })))));
}

function outcomesSection(a) {
  const outcomes = a.outcomes || [];
  if (!outcomes.length) return null;
  return section("asset.outcomes", h("ul.list-plain", null, outcomes.map((o) =>
    h("li", null, h(`span.badge.${o.outcome === "won" ? "good" : o.outcome === "lost" ? "bad" : ""}`, { text: t(`outcome.${o.outcome}`) }),
      h("span", { text: [o.account, o.industry, o.competitors.join(", ")].filter(Boolean).join(" · ") })))));
}

function chunksSection(ctx, a) {
  return section("asset.chunks", h("div.small.muted", { style: { marginBottom: "8px" }, text: t("asset.chunk_count", { n: a.chunks.length }) }),
    a.chunks.map((c) => {
      const item = h("div.chunk-item", null,
        h("div.head", null, h("b", { text: `#${c.ordinal + 1}` }),
          c.section && h("span", { text: `§ ${c.section}` }),
          c.page && h("span", { text: t("result.page", { page: c.page }) }),
          c.stages.slice(0, 3).map((s) => h("span.badge", { text: pick(ctx.meta.stageByKey.get(s.stage), s.stage) })),
          c.duplicate_of && h("span.badge.bad", { text: t("flag.duplicate") })),
        h("p", { text: c.text }));
      item.addEventListener("click", () => item.classList.toggle("open"));
      return item;
    }));
}
