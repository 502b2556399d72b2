// "Ask an expert": a question no document answers goes to the curators' gaps board
// (POST /v1/expert) with its stage, context and the rep's optional note. One form, on the
// search page's answer card and in the CRM widget's search results.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

/** The note, the button and a status line; ``ask(note) → Promise`` records the gap.
 * ``done`` (optional) is told once it is sent, so a page that redraws can keep saying so. */
export function expertForm(ask, { sent = false, done = null } = {}) {
  const note = h("textarea#expert-note", { rows: 2, maxlength: 1000, placeholder: t("expert.note_placeholder"), "aria-label": t("expert.note") });
  const status = h("div.small#expert-status", { role: "status", text: sent ? t("expert.sent") : "" });
  const button = h("button.btn#ask-expert", { type: "button", disabled: sent }, icon("gap"), h("span", { text: t("expert.ask") }));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await ask(note.value.trim() || null);
      status.textContent = t("expert.sent");
      done?.();
    } catch (err) {
      button.disabled = false;
      status.textContent = `${t("expert.failed")} ${err.message || ""}`;
    }
  });
  return [note, h("div.row", { style: { marginTop: "6px" } }, button), status];
}
