// The signed-in person: every page but /signin needs one. Not signed in (or signed out
// elsewhere) sends the browser to /signin, which brings it back here afterwards. The top
// bar shows who is signed in, with a sign-out button.

import { ApiError, client } from "./api.js";
import { clear, h, icon } from "./dom.js";
import { applyI18n, t } from "./i18n.js";

/** Where /signin sends the browser back to. */
export function signinUrl(next = location.pathname + location.search + location.hash) {
  return `/signin?next=${encodeURIComponent(next)}`;
}

/** The person ({name, display_name, role, teams, csrf}) and a client for the API, or a
 *  redirect to /signin (the promise then never settles). */
export async function requireSession() {
  const me = await loadSession();
  if (!me) {
    location.assign(signinUrl());
    return new Promise(() => {});
  }
  return { me, api: client({ csrf: me.csrf }) };
}

/** The session, or null when nobody is signed in here. */
export async function loadSession() {
  try {
    return await client().get("/v1/auth/session");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** The top bar's person: name, role, and a sign-out button. */
export function userMenu(slot, me, api) {
  const out = h("button.btn.ghost.small#signout", { type: "button", "data-i18n": "auth.signout" });
  out.addEventListener("click", async () => {
    out.disabled = true;
    try {
      await api.post("/v1/auth/logout");
    } finally {
      location.assign("/signin?signedout=1");
    }
  });
  clear(slot,
    h("span.who", { title: me.name },
      icon("user"), h("span.who-name", { text: me.display_name || me.name }),
      h("span.who-role", { "data-i18n": `role.${me.role}` })),
    out);
  applyI18n(slot);
}
