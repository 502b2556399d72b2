// "Your question was answered": the caller's questions that a curator has since answered
// (closed gaps), one notice each, on the search page and in the CRM widget. A dismissed
// notice stays dismissed in this browser.

import { clear, h, icon } from "./dom.js";
import { t } from "./i18n.js";

const SEEN_KEY = "kms.answered.seen";

/** Fill ``container`` with the notices; ``open(citation)`` opens the answering asset. */
export async function showAnswered(api, container, open) {
  let items = [];
  try {
    items = await api.get("/v1/me/answered");
  } catch {
    container.dataset.loaded = "failed"; // a courtesy: the page works without it
    return;
  }
  const seen = new Set(JSON.parse(localStorage.getItem(SEEN_KEY) || "[]"));
  const fresh = items.filter((a) => !seen.has(a.gap_id));
  clear(container, fresh.map((a) => {
    const source = { asset_id: a.asset_id, title: a.title, url: `/v1/assets/${a.asset_id}` };
    const note = h("div.notice.good.answered-notice", { role: "status", dataset: { gapId: a.gap_id } },
      icon("check"),
      h("span", null, t("answered.text", { q: a.query }), " ",
        h("a", { href: source.url, onclick: (e) => { e.preventDefault(); open(source); } }, a.title)),
      h("button.linkbtn.small", { type: "button", onclick: () => {
        seen.add(a.gap_id);
        localStorage.setItem(SEEN_KEY, JSON.stringify([...seen]));
        note.remove();
      } }, t("answered.dismiss")));
    return note;
  }));
  container.dataset.loaded = "true"; // (tests wait on it)
}
