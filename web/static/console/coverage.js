// Coverage: approved assets per stage × asset kind (from analytics), and the problem map
// per stage × problem (solutions and proof assets for each problem where it surfaces).

import { clear, h } from "../dom.js";
import { kindName, pick, t } from "../i18n.js";
import { heatLegend, heatmap } from "./charts.js";

export function coverageView(root, ctx) {
  const kinds = h("div.card-b", null, h("div.skeleton"), h("div.skeleton"));
  const problems = h("div.card-b", null, h("div.skeleton"), h("div.skeleton"));
  clear(root,
    h("div.view-h", null, h("h1", { text: t("tab.coverage") }), h("span.sub", { text: t("coverage.sub") })),
    h("div.card", { style: { marginBottom: "16px" } },
      h("div.card-h", null, h("h2", { text: t("coverage.kinds") })), kinds),
    h("div.card", null, h("div.card-h", null, h("h2", { text: t("coverage.problems") })), problems));

  const stages = ctx.meta.stages;
  ctx.api.get("/v1/analytics?days=30").then((a) => {
    const cells = new Map(a.coverage.map((c) => [`${c.stage}|${c.kind}`, c]));
    const kindList = [...new Set(a.coverage.map((c) => c.kind))].sort();
    if (!kindList.length) return clear(kinds, h("p.muted", { text: t("coverage.none") }));
    clear(kinds,
      heatmap({
        id: "heat-kinds", rows: stages, cols: kindList, rowLabel: (s) => pick(s), colLabel: kindName,
        cell: (s, k) => {
          const c = cells.get(`${s.key}|${k}`);
          const approved = c?.approved ?? 0;
          // a zero is a gap only where the sales process says this kind is useful
          const useful = (s.asset_kinds || []).includes(k);
          return { value: approved, label: String(approved), gap: useful,
            title: t(useful ? "coverage.cell_useful" : "coverage.cell",
              { approved, total: c?.total ?? 0, stage: pick(s), kind: kindName(k) }) };
        },
      }),
      heatLegend({ zero: t("coverage.zero"), none: t("coverage.not_needed"), low: t("coverage.low"), high: t("coverage.high") }));
  }, (err) => clear(kinds, h("div.notice.bad", { text: err.message })));

  ctx.api.get("/v1/graph/problems?limit=200").then((page) => {
    const order = new Map(stages.map((s, i) => [s.key, i]));
    const list = [...(page.data || [])].sort((a, b) =>
      (order.get(a.stage) ?? 99) - (order.get(b.stage) ?? 99) || pick(a).localeCompare(pick(b)));
    if (!list.length) return clear(problems, h("p.muted", { text: t("coverage.none") }));
    clear(problems,
      heatmap({
        id: "heat-problems", rows: list, cols: stages, rowLabel: (p) => pick(p), colLabel: (s) => pick(s),
        rowWidth: 300, compact: true,
        cell: (p, s) => (p.stage !== s.key ? null : {
          value: p.proof, label: `${p.solutions} / ${p.proof}`,
          title: t("coverage.problem_cell", { solutions: p.solutions, proof: p.proof }),
        }),
      }),
      h("p.small.muted", { style: { marginTop: "8px" }, text: t("coverage.problem_note") }),
      heatLegend({ zero: t("coverage.no_proof"), low: t("coverage.low"), high: t("coverage.high") }));
  }, (err) => clear(problems, h("div.notice.bad", { text: err.message })));
  return {};
}
