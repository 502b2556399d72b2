// People (admins): who can sign in, their role and teams; add a person, change one,
// deactivate (signed out everywhere at once); make an API key for a person or a team —
// shown this once, for a machine (a CRM's server, a script), never for a page.

import { $, clear, h, icon, toast } from "../dom.js";
import { fmtDate, t } from "../i18n.js";

const ROLES = ["rep", "curator", "admin"];
const list = (v) => v.split(/[,，\s]+/).map((x) => x.trim()).filter(Boolean);

export function peopleView(root, ctx) {
  const tbody = h("tbody");
  const count = h("span.sub");
  clear(root,
    h("div.view-h", null, h("h1", { text: t("tab.people") }), count,
      h("span.spacer"),
      h("button.btn.primary#add-person", { type: "button", onclick: () => editPerson(ctx, null, load) },
        icon("user"), t("people.add")),
      h("button.btn#new-key", { type: "button", onclick: () => newKey(ctx) }, icon("key"), t("people.new_key"))),
    h("p.muted.small", { style: { marginBottom: "12px" }, text: t("people.intro") }),
    h("div.table-wrap", null, h("table.data#people-table", null,
      h("thead", null, h("tr", null,
        ["people.col.name", "people.col.role", "people.col.teams", "people.col.signin", "people.col.last"]
          .map((key) => h("th", { scope: "col", text: t(key) })),
        h("th", { scope: "col" }, h("span.visually-hidden", { text: t("assets.col.actions") })))),
      tbody)));

  async function load() {
    const page = await ctx.api.get("/v1/users");
    count.textContent = String(page.count);
    clear(tbody, page.data.map((u) => h(`tr${u.active ? "" : ".retired"}`, { dataset: { user: u.name } },
      h("td", null, h("b", { text: u.display_name || u.name }), h("div.t-sub", { text: u.name })),
      h("td", { text: t(`role.${u.role}`) }),
      h("td", { text: u.teams.join(", ") || "—" }),
      h("td", { text: u.sso ? t("people.sso") : u.has_password ? t("people.password") : "—" }),
      h("td", { text: u.last_signin_at ? fmtDate(u.last_signin_at) : "—" }),
      h("td.t-actions", null,
        h("button.btn.small", { type: "button", text: t("action.edit"), onclick: () => editPerson(ctx, u, load) }),
        h(`button.btn.small${u.active ? ".danger" : ".good"}`, {
          type: "button", text: t(u.active ? "people.deactivate" : "people.activate"),
          onclick: async () => {
            try {
              await ctx.api.patch(`/v1/users/${u.id}`, { active: !u.active });
              load();
            } catch (err) {
              toast(err.message, "bad");
            }
          },
        })))));
  }
  load().catch((err) => toast(err.message, "bad"));
  return { reload: load };
}

function roleSelect(id, value) {
  return h("select.select", { id }, ROLES.map((r) =>
    h("option", { value: r, text: t(`role.${r}`), selected: r === value })));
}

/** Add (person = null) or change a person in a dialog. */
function editPerson(ctx, person, done) {
  const name = h("input.input", { id: "pd-name", value: person?.name || "", required: true, disabled: !!person,
    autocomplete: "off", autocapitalize: "none", spellcheck: false });
  const display = h("input.input", { id: "pd-display", value: person?.display_name || "" });
  const role = roleSelect("pd-role", person?.role || "rep");
  const teams = h("input.input", { id: "pd-teams", value: person?.teams.join(", ") || "", placeholder: "emea-enterprise" });
  const password = h("input.input", { id: "pd-password", type: "password", autocomplete: "new-password",
    minlength: 10, placeholder: t(person ? "people.password_keep" : "people.password_ph") });
  const form = h("form", { method: "dialog" },
    h("div.dialog-b", null, h("h2", { text: t(person ? "people.edit" : "people.add") }),
      h("div.detail-grid", { style: { marginTop: "12px" } },
        h("label.field", null, t("people.col.name"), name),
        h("label.field", null, t("people.display"), display),
        h("label.field", null, t("people.col.role"), role),
        h("label.field", null, t("people.col.teams"), teams),
        h("label.field.full", null, t("auth.password"), password))),
    h("div.dialog-f", null,
      h("button.btn", { type: "button", text: t("action.cancel"), onclick: () => dialog.close() }),
      h("button.btn.primary", { type: "submit", text: t("action.save") })));
  const dialog = modal("person-dialog", t(person ? "people.edit" : "people.add"), form, async () => {
    const body = { role: role.value, teams: list(teams.value), display_name: display.value.trim() };
    if (password.value) body.password = password.value;
    try {
      if (person) await ctx.api.patch(`/v1/users/${person.id}`, body);
      else await ctx.api.post("/v1/users", { name: name.value.trim(), ...body });
      dialog.close();
      toast(t("people.saved"));
      done();
    } catch (err) {
      toast(detailMessage(err), "bad");
    }
  });
}

/** An API key for a person or a team, shown once. */
function newKey(ctx) {
  const label = h("input.input", { id: "kd-name", placeholder: "crm-server" });
  const user = h("input.input", { id: "kd-user", autocapitalize: "none", spellcheck: false });
  const teams = h("input.input", { id: "kd-teams", placeholder: "emea-enterprise" });
  const role = roleSelect("kd-role", "rep");
  const shown = h("div#kd-shown", { hidden: true });
  const form = h("form", { method: "dialog" },
    h("div.dialog-b", null, h("h2", { text: t("people.new_key") }),
      h("p.muted.small", { text: t("people.key_intro") }),
      h("div.detail-grid", { style: { marginTop: "12px" } },
        h("label.field", null, t("people.key_label"), label),
        h("label.field", null, t("people.col.role"), role),
        h("label.field", null, t("people.key_user"), user),
        h("label.field", null, t("people.col.teams"), teams)),
      shown),
    h("div.dialog-f", null,
      h("button.btn", { type: "button", text: t("action.close"), onclick: () => dialog.close() }),
      h("button.btn.primary", { type: "submit", text: t("people.create_key") })));
  const dialog = modal("key-dialog", t("people.new_key"), form, async () => {
    try {
      const made = await ctx.api.post("/v1/keys", {
        name: label.value.trim(), role: role.value, user: user.value.trim() || null, teams: list(teams.value),
      });
      const value = h("input.input.mono#kd-key", { readonly: true, value: made.key, "aria-label": t("people.key_once") });
      clear(shown, h("div.notice.warn", { style: { marginTop: "12px" } }, icon("key"),
        h("div", { style: { flex: 1, minWidth: 0 } }, h("p", { text: t("people.key_once") }), value)));
      shown.hidden = false;
      value.select();
    } catch (err) {
      toast(detailMessage(err), "bad");
    }
  });
}

/** A modal dialog around `form`, removed when closed; `submit()` runs on submit. */
function modal(id, label, form, submit) {
  $(`#${id}`)?.remove();
  const dialog = h(`dialog#${id}`, { "aria-label": label }, form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function detailMessage(err) {
  const first = Array.isArray(err.detail) ? err.detail[0] : null;
  return first?.field ? `${first.field}: ${first.message}` : err.message;
}
