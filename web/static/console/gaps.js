// Gaps board: open → in progress → closed. Tag, assign, move (buttons or drag and drop),
// link the asset that closes a gap; create one by hand; run detection; merge a question gap
// into an open one that asks the same thing (in either language), the curator confirming.

import { qs } from "../api.js";
import { $, clear, debounce, h, icon, toast } from "../dom.js";
import { fmtDate, fmtNumber, fmtPercent, pick, t } from "../i18n.js";

const COLUMNS = [
  ["open", "var(--bad)"],
  ["in_progress", "var(--warn)"],
  ["closed", "var(--good)"],
];
const KINDS = ["zero_results", "low_confidence", "negative_feedback", "thin_stage", "no_solution", "no_proof", "manual", "ask_expert"];
// gaps that record a question (and count its askers): the ones a merge joins
const QUESTION_KINDS = new Set(["zero_results", "low_confidence", "ask_expert"]);

export function gapsView(root, ctx) {
  const state = { gaps: [], count: 0 };
  const kind = h("select.select#g-kind", { "aria-label": t("gaps.kind_any") },
    h("option", { value: "", text: t("gaps.kind_any") }),
    KINDS.map((k) => h("option", { value: k, text: t(`gapkind.${k}`) })));
  const tag = h("input.input#g-tag", { type: "search", placeholder: t("gaps.tag_filter"), "aria-label": t("gaps.tag_filter") });
  const board = h("div.board#gaps-board");
  const sub = h("span.sub");
  kind.addEventListener("change", () => load());
  tag.addEventListener("change", () => load());

  clear(root,
    h("div.view-h", null, h("h1", { text: t("tab.gaps") }), sub, h("span.spacer"),
      h("button.btn", { type: "button", onclick: detect }, icon("spark"), t("gaps.detect")),
      h("button.btn.primary", { type: "button", onclick: () => editGap(ctx, null, load) }, t("gaps.new"))),
    h("p.muted", { style: { margin: "-8px 0 14px" }, text: t("gaps.intro") }),
    h("div.toolbar", null, kind, tag),
    board);

  async function load() {
    try {
      const page = await ctx.api.get(`/v1/gaps${qs({ kind: kind.value, tag: tag.value.trim(), limit: 200 })}`);
      state.gaps = page.data;
      state.count = page.count;
      render();
    } catch (err) {
      clear(board, h("div.notice.bad", { text: err.message }));
    }
  }

  async function detect() {
    try {
      const r = await ctx.api.post("/v1/gaps/detect", {});
      toast(t("gaps.detected", r));
      load();
    } catch (err) {
      toast(err.message, "bad");
    }
  }

  async function move(gap, status) {
    try {
      await ctx.api.patch(`/v1/gaps/${gap.id}`, { status });
      load();
    } catch (err) {
      toast(err.message, "bad");
    }
  }

  function render() {
    const open = state.gaps.filter((g) => g.status === "open").length;
    sub.textContent = t("gaps.count", { n: fmtNumber(state.count), open: fmtNumber(open) });
    ctx.refreshCounts?.();
    clear(board, COLUMNS.map(([status, color]) => {
      const cards = state.gaps.filter((g) => g.status === status);
      const column = h("section.column", { dataset: { status }, "aria-label": t(`gapstatus.${status}`) },
        h("div.column-h", null, h("span.dot", { style: { background: color } }),
          h("span", { text: t(`gapstatus.${status}`) }), h("span.n", { text: cards.length })),
        cards.map((g) => card(g)),
        !cards.length && h("p.small.faint", { style: { padding: "4px" }, text: t("gaps.column_empty") }));
      column.addEventListener("dragover", (e) => {
        e.preventDefault();
        column.classList.add("drop");
      });
      column.addEventListener("dragleave", () => column.classList.remove("drop"));
      column.addEventListener("drop", (e) => {
        e.preventDefault();
        column.classList.remove("drop");
        const gap = state.gaps.find((g) => String(g.id) === e.dataTransfer.getData("text/plain"));
        if (gap && gap.status !== status) move(gap, status);
      });
      return column;
    }));
  }

  function card(g) {
    const stage = g.stage && ctx.meta.stageByKey.get(g.stage);
    const next = { open: "in_progress", in_progress: "closed" }[g.status];
    const same = next && QUESTION_KINDS.has(g.kind) && sameQuestion(ctx, g, load);
    const el = h("article.gap-card", { draggable: "true", dataset: { gapId: g.id } },
      h("div.meta", null, h("span.badge", { text: t(`gapkind.${g.kind}`) }),
        stage && h("span.badge.accent", { text: pick(stage) }),
        h("span.occ", { title: t("gaps.occurrences"), text: `×${g.occurrences}` })),
      h("h3", { text: g.title }),
      g.query && g.query !== g.title && h("div.small.muted", { text: `“${g.query}”` }),
      (g.notes || []).length > 0 && h("div.small.gap-note", { text: `${t("gaps.note")}: ${g.notes[g.notes.length - 1]}` }),
      Object.keys(g.context || {}).length > 0 && h("div.small.faint", {
        text: Object.entries(g.context).map(([k, v]) => `${t(`filters.${k}`)}: ${Array.isArray(v) ? v.join(", ") : v}`).join(" · "),
      }),
      h("div.meta", null,
        g.tags.map((tg) => h("span.chip", { style: { height: "20px", fontSize: "11.5px" }, text: tg })),
        h("span", { text: g.owner ? `${t("asset.owner")}: ${g.owner}` : t("gaps.unassigned") }),
        g.closing_asset_id && h("a", { href: `#asset/${g.closing_asset_id}`, text: t("gaps.closed_by", { id: g.closing_asset_id }) })),
      h("div.small.faint", { style: { marginTop: "4px" }, text: fmtDate(g.updated_at) }),
      h("div.acts", null,
        next && h("button.btn.small", { type: "button", dataset: { move: next }, onclick: () => move(g, next) },
          t(next === "closed" ? "gaps.close" : "gaps.start")),
        g.status === "closed" && h("button.btn.small", { type: "button", onclick: () => move(g, "open") }, t("gaps.reopen")),
        same?.button,
        h("button.btn.small.ghost", { type: "button", dataset: { edit: g.id }, onclick: () => editGap(ctx, g, load) },
          t("action.edit"))),
      same?.panel);
    el.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", String(g.id)));
    return el;
  }

  load();
  return { reload: load };
}

/** "Same question?" on an open question gap: a button that loads into ``panel`` the open
 * question gaps that may ask the same (nearest first), each with "Merge here" (this gap
 * into that one); ``done`` reloads the board after a merge. */
function sameQuestion(ctx, gap, done) {
  const panel = h("div.gap-similar", { id: `gap-similar-${gap.id}`, hidden: true });
  const button = h("button.btn.small", {
    type: "button", dataset: { similar: gap.id }, "aria-expanded": "false", "aria-controls": panel.id,
  }, t("gaps.same"));
  button.addEventListener("click", async () => {
    if (!panel.hidden) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    button.disabled = true;
    try {
      const similar = await ctx.api.get(`/v1/gaps/${gap.id}/similar`);
      clear(panel, similarList(ctx, gap, similar, done));
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
    } catch (err) {
      toast(err.message, "bad");
    } finally {
      button.disabled = false;
    }
  });
  return { button, panel };
}

function similarList(ctx, gap, similar, done) {
  if (!similar.length) return h("p.small.muted", { text: t("gaps.same_none") });
  return h("ul.similar-list", { "aria-label": t("gaps.same_title") }, similar.map(({ gap: other, similarity }) =>
    h("li", { dataset: { gapId: other.id } },
      h("span.q", { text: `“${other.query}”` }),
      h("span.badge", { text: t(`gapkind.${other.kind}`) }),
      h("span.occ", { title: t("gaps.occurrences"), text: `×${other.occurrences}` }),
      h("span.pct", { text: t("gaps.similarity", { p: fmtPercent(similarity) }) }),
      h("button.btn.small.primary", {
        type: "button", dataset: { mergeInto: other.id }, "aria-label": t("gaps.merge_label", { q: other.query }),
        onclick: () => mergeInto(ctx, gap, other, done),
      }, t("gaps.merge_here")))));
}

async function mergeInto(ctx, gap, into, done) {
  try {
    await ctx.api.post(`/v1/gaps/${gap.id}/merge`, { into: into.id });
    toast(t("gaps.merged"));
    done();
  } catch (err) {
    toast(err.message, "bad");
  }
}

/** Create (gap = null) or edit a gap in a dialog. */
async function editGap(ctx, gap, done) {
  $("#gap-dialog")?.remove();
  const list = (v) => v.split(/[,，]/).map((x) => x.trim()).filter(Boolean);
  const title = h("input.input", { id: "gd-title", value: gap?.title || "", required: true, disabled: !!gap });
  const tags = h("input.input", { id: "gd-tags", value: gap?.tags.join(", ") || "", placeholder: "pricing, emea" });
  const owner = h("input.input", { id: "gd-owner", value: gap?.owner || "" });
  const stage = h("select.select", { id: "gd-stage", disabled: !!gap },
    h("option", { value: "", text: "—" }),
    ctx.meta.stages.map((s) => h("option", { value: s.key, text: pick(s), selected: gap?.stage === s.key })));
  const status = h("select.select", { id: "gd-status" }, COLUMNS.map(([s]) =>
    h("option", { value: s, text: t(`gapstatus.${s}`), selected: (gap?.status || "open") === s })));
  const closing = h("input.input", { id: "gd-closing", list: "gd-assets", autocomplete: "off",
    value: gap?.closing_asset_id ?? "", placeholder: t("gaps.closing_ph") });
  const options = h("datalist#gd-assets");
  closing.addEventListener("input", debounce(() => suggestAssets(ctx.api, closing.value, options), 200));
  suggestAssets(ctx.api, "", options);
  const answer = h("textarea.input", { id: "gd-answer", rows: 3, maxlength: 5000, placeholder: t("gaps.answer_ph") });
  const form = h("form", { method: "dialog" },
    h("div.dialog-b", null, h("h2", { text: gap ? t("gaps.edit") : t("gaps.new") }),
      h("div.detail-grid", { style: { marginTop: "12px" } },
        h("label.field.full", null, t("gaps.f.title"), title),
        h("label.field", null, t("gaps.f.tags"), tags),
        h("label.field", null, t("assets.col.owner"), owner),
        h("label.field", null, t("filters.stage"), stage),
        gap && h("label.field", null, t("assets.col.status"), status),
        gap && h("label.field.full", null, t("gaps.f.closing"), closing, options),
        gap && h("label.field.full", null, t("gaps.f.answer"), answer))),
    h("div.dialog-f", null,
      h("button.btn", { type: "button", text: t("action.cancel"), onclick: () => dialog.close() }),
      h("button.btn.primary", { type: "submit", text: t("action.save") })));
  const dialog = h("dialog#gap-dialog", null, form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      if (gap) {
        const change = { tags: list(tags.value), owner: owner.value.trim() || null, status: status.value };
        const picked = closing.value.trim();
        const written = answer.value.trim();
        if (picked && !written && !/^\d+$/.test(picked)) throw new Error(t("gaps.closing_pick"));
        if (picked && !written) change.closing_asset_id = Number(picked);
        await ctx.api.patch(`/v1/gaps/${gap.id}`, change);
        // a written answer becomes an approved article that closes the gap
        if (written) await ctx.api.post(`/v1/gaps/${gap.id}/answer`, { text: written });
      } else {
        await ctx.api.post("/v1/gaps", { title: title.value.trim(), query: title.value.trim(), tags: list(tags.value),
          owner: owner.value.trim() || null, stage: stage.value || null });
      }
      dialog.close();
      done();
    } catch (err) {
      toast(err.message, "bad");
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** Approved assets whose title holds ``text`` (search as you type), as the datalist's
 * options: value the asset id, label its title. A number typed is an id already. */
async function suggestAssets(api, text, list) {
  const q = text.trim();
  if (/^\d+$/.test(q)) return;
  const params = new URLSearchParams({ status: "approved", limit: "20" });
  if (q) params.set("q", q);
  try {
    const page = await api.get(`/v1/assets?${params}`);
    clear(list, page.data.map((a) => h("option", { value: a.id, label: `${a.title} (#${a.id})` })));
  } catch {
    // suggestions are a convenience: typing an id still works
  }
}
