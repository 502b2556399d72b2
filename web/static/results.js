// One search result: title (opens the source), kind / language / stages, the highlighted
// snippet, the citation, "why this result" on demand, a link to copy, and helpful / not
// helpful.

import { copyText, h, icon, setSnippet, toast } from "./dom.js";
import { fmtDate, has, kindName, langName, pick, t } from "./i18n.js";

/** ctx: {api, queryId, stageByKey, open(hit), index, compact (no "why")} */
export function resultItem(hit, ctx) {
  const whyBox = h("div.why", { hidden: true, id: `why-${hit.chunk_id}` });
  const whyButton = h("button.btn.ghost.small.why-toggle", {
    type: "button", "aria-expanded": "false", "aria-controls": `why-${hit.chunk_id}`,
    onclick: () => {
      const open = whyBox.hidden;
      whyBox.hidden = !open;
      whyButton.setAttribute("aria-expanded", String(open));
      if (open && !whyBox.firstChild) renderWhy(whyBox, hit.why || []);
    },
  }, icon("info"), t("result.why"));

  const where = [
    hit.section && `§ ${hit.section}`,
    hit.page && t("result.page", { page: hit.page }),
  ].filter(Boolean).join(" · ");
  const citeHref = hit.citation.url + (hit.citation.page ? `#page=${hit.citation.page}` : "");
  const li = h(
    "li.result",
    { tabindex: 0, dataset: { index: ctx.index, assetId: hit.asset_id, chunkId: hit.chunk_id } },
    h("span.rank", { text: `#${ctx.index + 1}` }),
    h("button.result-title", { type: "button", text: hit.title, onclick: () => opened(ctx, hit) }),
    h(
      "div.result-meta",
      h("span.badge.accent", { text: kindName(hit.kind) }),
      hit.language && h("span.badge", { text: langName(hit.language) }),
      hit.status === "draft" && h("span.badge.warn", { text: t("status.draft") }),
      hit.stale && h("span.badge.warn.stale", { title: t("trust.stale_title", { date: hit.review_by }), text: t("trust.stale") }),
      hit.status === "approved" && !hit.stale && h("span.badge.good.trusted", {
        title: t("trust.approved_title", { owner: hit.owner || "—", date: hit.review_by || "—" }),
        text: t("trust.approved"),
      }),
      hit.status === "approved" && h("span.approved-by.small.muted", { text: approvedBy(hit) }),
      (hit.stages || []).slice(0, 3).map((key) =>
        h("span.badge", { text: pick(ctx.stageByKey.get(key), key) })),
      where && h("span.where", { text: where }),
    ),
    setSnippet(h("p.snippet"), hit.snippet),
    h(
      "div.result-actions",
      h("a.cite", {
        href: citeHref,
        onclick: (e) => {
          e.preventDefault();
          opened(ctx, hit);
        },
      }, icon("doc"), t("result.open"), hit.citation.page ? ` · ${t("result.page", { page: hit.citation.page })}` : ""),
      !ctx.compact && whyButton,
      copyLinkButton(hit),
      feedbackButtons(hit, ctx),
    ),
    whyBox,
  );
  return li;
}

/** A link to this source that a colleague can open (the search page, opening it). */
export function sourceLink(hit) {
  const url = new URL("/", location.origin);
  url.searchParams.set("q", hit.title);
  url.searchParams.set("open", hit.asset_id);
  return url.href;
}

export function copyLinkButton(hit) {
  const link = sourceLink(hit);
  return h("button.btn.ghost.small.copy-link", {
    type: "button", dataset: { link }, title: t("result.copy_link"),
    onclick: async () => toast(t((await copyText(link)) ? "result.link_copied" : "result.link_failed", { link })),
  }, icon("link"), t("result.copy_link"));
}

function renderWhy(box, why) {
  const max = Math.max(0.0001, ...why.map((w) => Math.abs(w.value)));
  box.append(h("div.section-title", { text: t("why.title") }));
  if (!why.length) box.append(h("p.small.muted", { text: t("why.none") }));
  for (const w of why) {
    const label = has(`why.${w.signal}`) ? t(`why.${w.signal}`) : w.signal.replace(/_/g, " ");
    const bar = h(`div.why-bar${w.value < 0 ? ".neg" : ""}`, null,
      h("span", { style: { width: `${Math.round((Math.abs(w.value) / max) * 100)}%` } }));
    box.append(h("div.why-row", null, h("span", { text: label }), bar,
      h("span.v", { text: (w.value >= 0 ? "+" : "") + w.value.toFixed(3) })));
  }
}

/** Helpful / not helpful on `hit` ({asset_id}) for the query `ctx.queryId`. */
export function feedbackButtons(hit, ctx) {
  const thanks = h("span.thanks", { hidden: true, role: "status", text: t("feedback.thanks") });
  const send = async (helpful, button, other, reason = null, comment = "") => {
    if (!ctx.queryId) {
      toast(t("feedback.noquery"), "bad");
      return;
    }
    button.disabled = other.disabled = true;
    try {
      await ctx.api.post("/v1/feedback", {
        query_id: ctx.queryId, asset_id: hit.asset_id, helpful, reason, comment,
      });
      why.hidden = true;
      button.setAttribute("aria-pressed", "true");
      other.setAttribute("aria-pressed", "false");
      thanks.hidden = false;
    } catch (err) {
      toast(`${t("feedback.failed")}: ${err.message}`, "bad");
    } finally {
      button.disabled = other.disabled = false;
    }
  };
  const up = h("button.btn.small.good.fb-up", {
    type: "button", "aria-pressed": "false", title: t("feedback.helpful"),
  }, icon("up"), t("feedback.helpful"));
  const down = h("button.btn.small.danger.fb-down", {
    type: "button", "aria-pressed": "false", title: t("feedback.not_helpful"),
  }, icon("down"), t("feedback.not_helpful"));
  // not helpful: ask why (wrong, outdated, incomplete, other + words), then send
  const words = h("input.input.small.fb-words", { type: "text", maxlength: 2000, placeholder: t("feedback.why_words"), "aria-label": t("feedback.why_words") });
  const why = h("div.fb-why", { hidden: true, role: "group", "aria-label": t("feedback.why") },
    h("span.small.muted", { text: t("feedback.why") }),
    ["wrong", "outdated", "incomplete", "other"].map((reason) =>
      h("button.btn.small", { type: "button", dataset: { reason }, onclick: () => send(false, down, up, reason, words.value.trim()) },
        t(`feedback.reason.${reason}`))),
    words);
  up.addEventListener("click", () => send(true, up, down));
  down.addEventListener("click", () => { why.hidden = !why.hidden; });
  return h("div.feedback", { role: "group", "aria-label": t("feedback.label") }, thanks, up, down, why);
}

/** "Approved by Wang Lei on 2 Nov 2026" (or that no approver was recorded). */
export function approvedBy(hit) {
  if (!hit.approved_by) return t("trust.approved_unknown");
  return t("trust.approved_by", { by: hit.approved_by, when: fmtDate(hit.approved_at) });
}

/** Open a result, and count the click for its query (click-through in analytics). */
function opened(ctx, hit) {
  if (ctx.queryId) ctx.api.post(`/v1/queries/${ctx.queryId}/opened`).catch(() => {});
  ctx.open(hit);
}
