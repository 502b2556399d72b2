// Sign in (/signin): a name and a password, or single sign-on when it is set up; then
// back to the page that sent the browser here (?next=, a path of this site only).
// The demo's sign-in is never shown here: the page says where it is printed.

import { ApiError, client } from "./api.js";
import { $, clear, h, icon } from "./dom.js";
import { applyI18n, langToggle, onLang, t } from "./i18n.js";

const params = new URLSearchParams(location.search);
const next = safeNext(params.get("next") || "/");
const form = $("#signin-form");
const name = $("#name");
const password = $("#password");
let lastError = null;

applyI18n();
langToggle($("#lang-toggle"));
onLang(() => {
  if (lastError) showError(lastError);
  showNotice();
});
name.focus();
showNotice();
loadConfig();

/** A path of this site (never "//other.example" or a full URL). */
function safeNext(path) {
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/";
}

async function loadConfig() {
  try {
    const config = await client().get("/v1/auth/config");
    $("#demo-hint").hidden = !config.demo;
    $("#sso").hidden = !config.sso;
    $("#sso-link").href = `/v1/auth/oidc/login?next=${encodeURIComponent(next)}`;
  } catch {
    /* the form works without it */
  }
}

function showNotice() {
  const key = params.get("error") === "sso" ? "auth.sso_failed"
    : params.get("error") === "inactive" ? "auth.inactive"
    : params.has("signedout") ? "auth.signed_out" : "";
  const notice = $("#signin-notice");
  notice.hidden = !key;
  notice.className = `notice ${params.has("error") ? "bad" : "good"}`;
  if (key) clear(notice, icon("info"), h("span", { text: t(key) }));
}

function showError(err) {
  lastError = err;
  const box = $("#signin-error");
  let text = t("auth.failed");
  if (err.status === 401) text = t("auth.wrong");
  else if (err.code === "locked") {
    const minutes = Math.max(1, Math.ceil((err.detail?.retry_after || 60) / 60));
    text = t("auth.locked", { minutes });
  } else if (err.status === 429) text = t("auth.too_many");
  else if (err.message) text = `${t("auth.failed")} ${err.message}`;
  clear(box, icon("info"), h("span", { text }));
  box.hidden = false;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!name.value.trim() || !password.value) {
    (name.value.trim() ? password : name).focus();
    return;
  }
  const button = $("#signin-submit");
  button.disabled = true;
  try {
    await client().post("/v1/auth/login", { name: name.value.trim(), password: password.value });
    location.assign(next);
  } catch (err) {
    password.value = "";
    password.focus();
    showError(err instanceof ApiError ? err : new ApiError(0, "network", err.message));
    button.disabled = false;
  }
});
