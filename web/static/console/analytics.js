// Search analytics: queries per day, zero-result rate, top queries, top gaps, stale assets.

import { qs } from "../api.js";
import { clear, h } from "../dom.js";
import { fmtDate, fmtNumber, fmtPercent, t } from "../i18n.js";
import { dayBars, rateLine } from "./charts.js";

export function analyticsView(root, ctx) {
  const days = h("select.select#an-days", { "aria-label": t("analytics.period") },
    [7, 30, 90].map((d) => h("option", { value: d, text: t("analytics.days", { n: d }), selected: d === 30 })));
  const body = h("div", null, h("div.skeleton"), h("div.skeleton"));
  days.addEventListener("change", () => load());
  clear(root, h("div.view-h", null, h("h1", { text: t("tab.analytics") }), h("span.spacer"), days), body);

  async function load() {
    let a;
    let openGaps;
    try {
      [a, openGaps] = await Promise.all([
        ctx.api.get(`/v1/analytics${qs({ days: days.value })}`),
        ctx.api.get("/v1/gaps?status=open&limit=1").then((p) => p.count, () => null),
      ]);
    } catch (err) {
      clear(body, h("div.notice.bad", { text: err.message }));
      return;
    }
    const kpi = (value, labelKey, id) =>
      h("div.card.kpi", { id }, h("span", { text: t(labelKey) }), h("b", { text: value }));
    const perDay = fillDays(a.per_day, a.days);
    const zeros = perDay.reduce((n, d) => n + d.zero_results, 0);
    clear(body,
      h("div.kpis", null,
        kpi(fmtNumber(a.queries), "analytics.queries", "kpi-queries"),
        kpi(a.zero_result_rate == null ? "—" : fmtPercent(a.zero_result_rate, 1), "analytics.zero_rate", "kpi-zero"),
        kpi(a.low_confidence_rate == null ? "—" : fmtPercent(a.low_confidence_rate, 1), "analytics.low_rate", "kpi-low"),
        kpi(a.helpful_ratio == null ? "—" : fmtPercent(a.helpful_ratio, 1), "analytics.helpful_ratio", "kpi-helpful"),
        kpi(a.click_through_rate == null ? "—" : fmtPercent(a.click_through_rate, 1), "analytics.click_through", "kpi-clicks"),
        kpi(openGaps == null ? "—" : fmtNumber(openGaps), "analytics.open_gaps", "kpi-gaps"),
        kpi(fmtNumber(a.stale.length), "analytics.stale", "kpi-stale")),
      h("div.charts", null,
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.per_day") }),
          h("span.spacer"), h("span.legend", null,
            h("span", null, h("i", { style: { background: "var(--accent)" } }), t("analytics.queries")),
            h("span", null, h("i", { style: { background: "var(--bad)" } }), t("analytics.zero", { n: zeros })))),
          h("div.card-b", null, dayBars(perDay, t("analytics.per_day")))),
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.zero_rate_day") })),
          h("div.card-b", null, rateLine(perDay, t("analytics.zero_rate_day"))))),
      h("div.charts", { style: { marginTop: "16px" } },
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.low_rate_day") })),
          h("div.card-b#chart-low", null, rateLine(perDay, t("analytics.low_rate_day"),
            (d) => (d.queries ? (d.low_confidence || 0) / d.queries : null)))),
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.helpful_day") })),
          h("div.card-b#chart-helpful", null, rateLine(perDay, t("analytics.helpful_day"), (d) => {
            const votes = (d.helpful || 0) + (d.not_helpful || 0);
            return votes ? d.helpful / votes : null;
          })))),
      h("div.charts", { style: { marginTop: "16px" } },
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.click_through_day") })),
          h("div.card-b#chart-clicks", null, rateLine(perDay, t("analytics.click_through_day"),
            (d) => (d.with_results ? (d.opened || 0) / d.with_results : null))))),
      h("div.charts", { style: { marginTop: "16px" } },
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.top_queries") })),
          h("div.card-b#top-queries", null, topQueries(a.top_queries))),
        h("div.card", null, h("div.card-h", null, h("h2", { text: t("analytics.top_gaps") })),
          h("div.card-b", null, list(a.top_gaps, (g) => [
            h("span.badge", { text: t(`gapkind.${g.kind}`) }), h("span", { text: g.title }),
            h("span.spacer"), h("b.small", { text: `×${g.occurrences}` })])),
          h("div.card-h", null, h("h2", { text: t("analytics.stale_assets") })),
          h("div.card-b", null, list(a.stale, (s) => [
            h("a", { href: `#asset/${s.asset_id}`, text: s.title }), h("span.spacer"),
            h("span.small.muted", { text: [s.owner, fmtDate(s.review_by)].filter(Boolean).join(" · ") })])))));
  }

  load();
  return { reload: load };
}

/** Every day of the period (UTC, ending today), with zeros where nothing was searched. */
function fillDays(perDay, days) {
  const byDay = new Map(perDay.map((d) => [d.day, d]));
  const today = new Date();
  const out = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i))
      .toISOString().slice(0, 10);
    out.push(byDay.get(day) || { day, queries: 0, zero_results: 0 });
  }
  return out;
}

function topQueries(items) {
  if (!items.length) return h("p.muted", { text: t("analytics.no_queries") });
  const max = Math.max(...items.map((q) => q.count));
  return items.slice(0, 12).map((q) =>
    h("div.hbar", { title: t("analytics.query_title", q) },
      h("span.label", { text: q.query }),
      h("span.track", null,
        h("span", { style: { width: `${((q.count - q.zero_results) / max) * 100}%` } }),
        h("span.zero", { style: { width: `${(q.zero_results / max) * 100}%` } })),
      h("span.n", { text: q.count })));
}

function list(items, row) {
  if (!items.length) return h("p.small.muted", { text: "—" });
  return h("ul.list-plain", null, items.slice(0, 8).map((item) => h("li", null, row(item))));
}
