// Three small charts drawn as SVG / CSS: bars per day (with the zero-result share),
// a line of a rate per day, and heatmap cells. No chart library: these are a few dozen
// lines, need no build or download, follow the page's colours and print crisply.

import { h, s } from "../dom.js";
import { fmtDay, fmtPercent } from "../i18n.js";

const W = 560;
const H = 220;
const PAD = { l: 36, r: 12, t: 10, b: 24 };

function frame(max, fmt) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
  const ticks = max % 5 === 0 && max >= 5 ? 5 : 4;
  for (let i = 0; i <= ticks; i++) {
    const y = PAD.t + ((H - PAD.t - PAD.b) * i) / ticks;
    svg.append(s("line", { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: "grid-line" }));
    svg.append(s("text", { x: PAD.l - 6, y: y + 3, "text-anchor": "end", text: fmt((max * (ticks - i)) / ticks) }));
  }
  return svg;
}

function xLabels(svg, days, x) {
  const step = Math.max(1, Math.ceil(days.length / 7));
  days.forEach((d, i) => {
    const last = i === days.length - 1;
    if ((i % step === 0 && (last || days.length - 1 - i >= step / 2)) || (last && i % step >= step / 2)) {
      const anchor = i === 0 ? "start" : last ? "end" : "middle";
      svg.append(s("text", { x: x(i), y: H - 6, "text-anchor": anchor, text: fmtDay(d.day) }));
    }
  });
}

/** Bars of `queries` per day, the zero-result part in red. */
export function dayBars(days, label) {
  const max = niceMax(Math.max(4, ...days.map((d) => d.queries)));
  const svg = frame(max, (v) => String(Math.round(v)));
  svg.setAttribute("aria-label", label);
  const inner = W - PAD.l - PAD.r;
  const band = inner / Math.max(days.length, 1);
  const bw = Math.max(2, Math.min(22, band * 0.7));
  const x = (i) => PAD.l + band * i + band / 2;
  const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
  days.forEach((d, i) => {
    const title = s("title", { text: `${d.day}: ${d.queries} / ${d.zero_results}` });
    const bar = s("rect", { x: x(i) - bw / 2, y: y(d.queries), width: bw, height: y(0) - y(d.queries), rx: 2, class: "bar" });
    bar.append(title);
    svg.append(bar);
    if (d.zero_results) {
      svg.append(s("rect", { x: x(i) - bw / 2, y: y(d.zero_results), width: bw, height: y(0) - y(d.zero_results), rx: 2, class: "bar zero" }));
    }
  });
  xLabels(svg, days, x);
  return svg;
}

const ZERO_RATE = (d) => (d.queries ? d.zero_results / d.queries : null);

/** A line of a rate per day, `rate(day)` → 0..1 or null (skipped); default: zero results. */
export function rateLine(days, label, rate = ZERO_RATE) {
  const svg = frame(1, (v) => fmtPercent(v));
  svg.setAttribute("aria-label", label);
  const inner = W - PAD.l - PAD.r;
  const x = (i) => PAD.l + (days.length > 1 ? (inner * i) / (days.length - 1) : inner / 2);
  const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - v);
  const pts = days.map((d, i) => { const v = rate(d); return v == null ? null : [x(i), y(v), d, v]; }).filter(Boolean);
  if (pts.length) {
    const path = pts.map(([px, py], i) => `${i ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join("");
    const area = `${path}L${pts.at(-1)[0].toFixed(1)},${y(0)}L${pts[0][0].toFixed(1)},${y(0)}Z`;
    svg.append(s("path", { d: area, class: "area" }), s("path", { d: path, class: "line" }));
    for (const [px, py, d, v] of pts) {
      const dot = s("circle", { cx: px, cy: py, r: 3, class: "pt" });
      dot.append(s("title", { text: `${d.day}: ${fmtPercent(v)}` }));
      svg.append(dot);
    }
  }
  xLabels(svg, days, x);
  return svg;
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 4, 5, 10].map((m) => m * p).find((m) => m >= v) || v;
}

/**
 * A heatmap: rows × columns, `cell(row, col)` → {value, label, title, gap} or null (not
 * applicable). Colour runs from pale to the accent by √(value / max); a zero is red (a gap)
 * unless `gap` is false (nothing is expected there).
 */
export function heatmap({ rows, cols, rowLabel, colLabel, cell, rowWidth = 170, compact = false, id = null }) {
  const grid = h(`div.heat${compact ? ".compact" : ""}`, {
    id, role: "table", style: { gridTemplateColumns: `${rowWidth}px repeat(${cols.length}, minmax(58px, 1fr))` },
  });
  let max = 1;
  for (const r of rows) for (const c of cols) max = Math.max(max, cell(r, c)?.value || 0);
  grid.append(h("div", { role: "columnheader" }), ...cols.map((c) => h("div.hcol", { role: "columnheader", text: colLabel(c) })));
  for (const r of rows) {
    grid.append(h("div.hrow", { role: "rowheader", title: rowLabel(r), text: rowLabel(r) }));
    for (const c of cols) {
      const v = cell(r, c);
      if (!v) {
        grid.append(h("div.hcell.na", { role: "cell", "aria-label": "—" }));
        continue;
      }
      const cls = v.value ? "" : v.gap === false ? ".none" : ".zero";
      const el = h(`div.hcell${cls}`, { role: "cell", title: v.title || "", text: v.label ?? v.value });
      if (v.value) {
        const a = 0.12 + 0.78 * Math.sqrt(v.value / max); // square root: small counts stay visible
        el.style.background = `rgb(52 81 209 / ${a.toFixed(2)})`;
        if (a > 0.55) el.style.color = "#fff";
      }
      grid.append(el);
    }
  }
  return grid;
}

export function heatLegend(labels) {
  return h("div.heat-legend", null,
    h("span", { style: { background: "var(--bad-weak)", border: "1px solid #f2c4c0" } }), labels.zero,
    labels.none && [h("span", { style: { background: "#f1f3f6", border: "1px solid var(--border)" } }), labels.none],
    h("span", { style: { background: "rgb(52 81 209 / 0.2)" } }), labels.low,
    h("span", { style: { background: "rgb(52 81 209 / 0.9)" } }), labels.high);
}
