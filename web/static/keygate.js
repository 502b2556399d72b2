// Asking for an API key once: a dialog that explains where a key comes from, checks it
// against the API, and keeps it (this tab, or this device when "remember" is ticked).

import { ApiError, client, keyLabel, keyStore } from "./api.js";
import { $, h, icon } from "./dom.js";
import { applyI18n, t } from "./i18n.js";

/**
 * Resolve with a checked client. `check(api)` calls the API and throws an ApiError when
 * the key will not do; a 401 asks again, any other refusal is shown with its message
 * (for example a rep key on the console).
 */
export async function ensureKey({ slot, check, force = false, refusal }) {
  const fromUrl = keyStore.takeFromFragment().key;
  let key = fromUrl || (force ? "" : keyStore.get(slot));
  let message = "";
  for (;;) {
    if (!key) {
      const answer = await askKey(slot, message);
      key = answer.key;
      keyStore.set(slot, key, answer.remember);
    } else if (fromUrl && key === fromUrl) {
      keyStore.set(slot, key, false);
    }
    const api = client({ key });
    try {
      const who = await check(api);
      return { api, who, key };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) throw err;
      keyStore.clear(slot);
      key = "";
      message = err.status === 401 ? t("key.rejected") : refusal?.(err) || err.message;
    }
  }
}

function askKey(slot, message) {
  return new Promise((resolve) => {
    $("#key-dialog")?.remove();
    const input = h("input.input#key-input", {
      type: "password", autocomplete: "off", spellcheck: false, required: true,
      placeholder: "kms_…", style: { width: "100%" }, "aria-describedby": "key-help",
    });
    const remember = h("input", { type: "checkbox", id: "key-remember" });
    const error = h("div.notice.bad", { role: "alert", hidden: !message, text: message });
    const form = h(
      "form",
      { method: "dialog" },
      h(
        "div.dialog-b",
        h("div.row", icon("key"), h("h2#key-title", { "data-i18n": "key.title" })),
        h("p.muted", { "data-i18n": `key.intro.${slot}` }),
        h(
          "div.keyhelp#key-help",
          h("div", { "data-i18n": "key.help" }),
          h("code", null, "KMS_DEV_ADMIN_KEY=kms_dev_local_demo_key make run"),
          h("div", { "data-i18n": "key.help2" }),
          h("code", null, "kms keys create --role rep --team emea"),
        ),
        h("label.field", { for: "key-input" }, h("span", { "data-i18n": "key.label" }), input),
        h(
          "div.row",
          { style: { marginTop: "10px", justifyContent: "space-between" } },
          h("label.check", null, remember, h("span", { "data-i18n": "key.remember" })),
          h("button.linkbtn", {
            type: "button", "data-i18n": "key.show",
            onclick: (e) => {
              input.type = input.type === "password" ? "text" : "password";
              e.target.dataset.i18n = input.type === "password" ? "key.show" : "key.hide";
              applyI18n(e.target.parentElement);
            },
          }),
        ),
        h("div", { style: { marginTop: "12px" } }, error),
      ),
      h("div.dialog-f", h("button.btn.primary", { type: "submit", "data-i18n": "key.submit" })),
    );
    const dialog = h("dialog#key-dialog", { "aria-labelledby": "key-title" }, form);
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      dialog.close();
      dialog.remove();
      resolve({ key, remember: remember.checked });
    });
    document.body.append(dialog);
    applyI18n(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** The top-bar key button: shows which key is in use; clicking offers to change it. */
export function keyButton(slot, key, onChange) {
  const button = h(
    "button.btn.ghost.small#key-button",
    { type: "button", "data-i18n-title": "key.change" },
    icon("key"),
    h("span.mono", { text: keyLabel(key) }),
  );
  button.addEventListener("click", () => {
    keyStore.clear(slot);
    onChange();
  });
  return button;
}
