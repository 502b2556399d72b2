// The answer card beside the results: best passages with citations, problem → solution
// entries, the win/loss picture, and the stage's playbook hints.

import { h, icon } from "./dom.js";
import { expertForm } from "./expert.js";
import { approvedBy } from "./results.js";
import { fmtNumber, fmtPercent, half, kindName, lang, pick, t } from "./i18n.js";

/** ctx: {open(citation), stageByKey, entityName(type, key), askExpert(note) → Promise} */
export function answerCard(answer, ctx) {
  const sections = [
    answer.answered ? composed(answer, ctx) : noAnswer(ctx),
    problems(answer.problems || [], ctx),
    winloss(answer.winloss, ctx),
    hints(answer.hints),
  ].filter(Boolean);
  const pct = Math.round((answer.confidence || 0) * 100);
  return h(
    "div.card.answer#answer-card",
    null,
    h(
      "div.card-b",
      h(
        "div.answer-head",
        icon("spark"),
        h("h2", { text: t("answer.title") }),
        h("span.confidence", { title: t("answer.confidence") },
          h("span", { text: t("answer.confidence_short") }),
          h("span.meter", null, h("span", { style: { width: `${pct}%` } })),
          h("b", { text: `${pct}%` })),
      ),
      answer.stage &&
        h("div.small.muted", { style: { marginTop: "4px" } },
          t(answer.stage.given ? "answer.for_stage" : "answer.for_inferred", {
            stage: pick(answer.stage),
          })),
    ),
    sections.length ? sections : h("div.card-b", null, h("p.muted", { text: t("answer.nothing") })),
  );
}

function section(titleKey, iconName, ...body) {
  return h("div.card-b", null,
    h("div.section-title.row", null, icon(iconName), h("span", { text: t(titleKey) })), ...body);
}

function citeLink(citation, ctx) {
  const label = [citation.title, citation.section && `§ ${citation.section}`,
    citation.page && t("result.page", { page: citation.page })].filter(Boolean).join(" · ");
  return h("a", {
    href: citation.url + (citation.page ? `#page=${citation.page}` : ""),
    onclick: (e) => {
      e.preventDefault();
      ctx.open(citation);
    },
  }, label);
}

/** The extractive answer: its sentences with numbered citations [1] [2], then the sources. */
function composed(answer, ctx) {
  const cites = answer.citations || [];
  const hits = new Map((answer.results || []).map((hit) => [hit.asset_id, hit]));
  const mark = (n) => h("a.cite-ref", {
    href: cites[n - 1]?.url || "#",
    "aria-label": t("answer.source_n", { n }),
    onclick: (e) => { e.preventDefault(); ctx.open(cites[n - 1]); },
  }, `[${n}]`);
  return section("answer.text_title", "doc",
    h("p.answer-text#answer-text", null,
      answer.sentences.map((s) => h("span.sentence", null, s.text, " ", mark(s.cite), " "))),
    h("ol.sources.small", { "aria-label": t("answer.sources") },
      cites.map((c) => h("li", null, citeLink(c, ctx), " ",
        h("span.source-trust.muted", { text: trustNote(hits.get(c.asset_id)) })))));
}

/** A source's trust state in words: draft, stale, or who approved it when. */
function trustNote(hit) {
  if (!hit) return "";
  if (hit.status === "draft") return t("status.draft");
  const approved = hit.status === "approved" ? approvedBy(hit) : "";
  return hit.stale ? `${t("trust.stale")} · ${approved}` : approved;
}

/** Low confidence: say so plainly, and let the rep ask an expert (a gap for the curators). */
function noAnswer(ctx) {
  return h("div.card-b.no-answer#no-answer", null,
    h("h3", { text: t("answer.none_title") }),
    h("p.small.muted", { text: t("answer.none_body") }),
    expertForm(ctx.askExpert));
}

function problems(list, ctx) {
  if (!list.length) return null;
  return section("answer.problems", "target",
    list.slice(0, 3).map((p) =>
      h("div.problem", null,
        h("div.problem-name", null, h("span", { text: pick(p) }),
          p.stage && h("span.badge", { text: pick(ctx.stageByKey.get(p.stage), p.stage) })),
        p.solutions.map((s) =>
          h("div.solution", null, h("span.arrow", { text: "→" }),
            h("div", null,
              h("div", { text: pick(s) }),
              (s.products.length || s.proof.length) &&
                h("div.products", null,
                  s.products.map((name) => h("span.badge.accent", { text: name })),
                  s.proof.slice(0, 2).map((c) => h("span.small", null, citeLink(c, ctx))))))),
        !p.solutions.length && h("div.small.muted", { text: t("answer.no_solution") }),
        p.discovery_questions.length > 0 &&
          h("ul.questions", { "aria-label": t("answer.questions") },
            p.discovery_questions.slice(0, 3).map((q) => h("li", { text: half(q) }))))));
}

function winloss(w, ctx) {
  if (!w || !w.deals || !w.shown) return null;
  const pct = (n) => `${(n / w.deals) * 100}%`;
  const f = w.filters || {};
  const years = w.first_year && w.last_year
    ? (w.first_year === w.last_year ? `${w.first_year}` : `${w.first_year}–${w.last_year}`) : "";
  const scope = [
    t("winloss.basis", { n: fmtNumber(w.deals) }),
    f.competitor && t("winloss.vs", { name: ctx.entityName("competitor", f.competitor) }),
    f.industry && t("winloss.in", { name: ctx.entityName("industry", f.industry) }),
    f.product && t("winloss.with", { name: ctx.entityName("product", f.product) }),
    f.stage && t("winloss.reached", { name: ctx.entityName("stage", f.stage) }),
    years && `(${years})`,
  ].filter(Boolean).join(" ");
  const reasons = (items, cls, key) =>
    h("div", null, h(`h4.${cls}`, { text: t(key) }),
      items.length
        ? h("ul", null, items.slice(0, 3).map((r) => h("li", null, r.reason, h("span.faint", { text: ` ×${r.count}` }))))
        : h("p.small.faint", { text: "—" }));
  return section("answer.winloss", "trophy",
    scope && h("p.small.muted", { style: { marginBottom: "8px" }, text: scope }),
    h("div.wl-figures", null,
      h("div", null, h("b", { text: fmtNumber(w.deals) }), h("span", { text: t("winloss.deals") })),
      h("div", null, h("b", { text: w.win_rate == null ? "—" : fmtPercent(w.win_rate) }),
        h("span", { text: t("winloss.win_rate") })),
      h("div", null, h("b", { text: `${w.won} / ${w.lost}` }), h("span", { text: t("winloss.won_lost") }))),
    h("div.split", { role: "img", "aria-label": t("winloss.split", w) },
      h("span.won", { style: { width: pct(w.won) } }),
      h("span.lost", { style: { width: pct(w.lost) } }),
      h("span.nod", { style: { width: pct(w.no_decision) } })),
    h("div.legend", { style: { marginTop: "6px" } },
      h("span", null, h("i", { style: { background: "var(--good)" } }), t("winloss.won")),
      h("span", null, h("i", { style: { background: "var(--bad)" } }), t("winloss.lost")),
      h("span", null, h("i", { style: { background: "#b8c0cc" } }), t("winloss.no_decision"))),
    h("div.reasons", null,
      reasons(w.top_reasons_won, "won", "winloss.why_won"),
      reasons(w.top_reasons_lost, "lost", "winloss.why_lost")));
}

function hints(hint) {
  if (!hint) return null;
  return section("answer.hints", "flag",
    h("div", { style: { fontWeight: 600, marginBottom: "4px" } }, pick(hint)),
    hint.description && lang() === "en" && h("p.small.hints-desc", { text: hint.description }),
    hint.typical_questions.length > 0 &&
      h("div", null, h("div.small.muted", { text: t("hints.questions") }),
        h("ul.questions", null, hint.typical_questions.map((q) => h("li", { text: half(q) })))),
    hint.exit_criteria.length > 0 &&
      h("div", { style: { marginTop: "8px" } }, h("div.small.muted", { text: t("hints.exit") }),
        h("ul.exit.small", null, hint.exit_criteria.map((c) => h("li", { text: half(c) })))),
    hint.asset_kinds.length > 0 &&
      h("div.row.wrap", { style: { marginTop: "8px" } },
        h("span.small.muted", { text: t("hints.kinds") }),
        hint.asset_kinds.map((k) => h("span.badge", { text: kindName(k) }))));
}
