// Curator console (/console): for curators and admins (a rep is told so, with a way back
// to search). Sections are routed by the URL fragment (#assets, #gaps, #coverage,
// #analytics, #upload, #people for admins; #asset/12 opens one asset over the table).

import { $, $$, clear, h, icon } from "../dom.js";
import { applyI18n, fmtNumber, langToggle, onLang, t } from "../i18n.js";
import { loadMeta } from "../meta.js";
import { requireSession, userMenu } from "../session.js";
import { analyticsView } from "./analytics.js";
import { assetsView, openAsset } from "./assets.js";
import { coverageView } from "./coverage.js";
import { gapsView } from "./gaps.js";
import { peopleView } from "./people.js";
import { uploadView } from "./upload.js";

const VIEWS = {
  assets: assetsView, gaps: gapsView, coverage: coverageView, analytics: analyticsView, upload: uploadView,
  people: peopleView,
};

const ctx = { api: null, meta: null, view: null, name: "", refreshCounts: () => refreshCounts() };

applyI18n();
langToggle($("#lang-toggle"));
onLang(() => route(true));
start();

async function start() {
  const { api, me } = await requireSession();
  userMenu($("#user-slot"), me, api);
  if (me.role !== "curator" && me.role !== "admin") {
    clear($("#view"), h("div.notice.bad.refused#refused", { role: "alert" }, icon("info"),
      h("div", null, h("h1", { text: t("console.refused_title") }),
        h("p", { text: t("console.rep_refused") }),
        h("a", { href: "/", text: t("console.back_to_search") }))));
    return;
  }
  try {
    ctx.meta = { me, ...(await loadMeta(api)) };
  } catch (err) {
    clear($("#view"), h("div.notice.bad.refused", { role: "alert" }, icon("info"),
      h("span", { text: `${t("error.load")}: ${err.message}` })));
    return;
  }
  ctx.api = api;
  $("#tabs a[data-tab=people]").hidden = me.role !== "admin";
  window.addEventListener("hashchange", () => route());
  route();
  refreshCounts();
}

/** The counts beside the section names: assets the curator sees, open gaps. */
function refreshCounts() {
  const count = (path, el) =>
    ctx.api.get(path).then((page) => ($(el).textContent = fmtNumber(page.count)), () => {});
  count("/v1/assets?limit=1", "#count-assets");
  count("/v1/gaps?status=open&limit=1", "#count-gaps");
}

/** Show the section named by the fragment; `rerender` redraws it (language change). */
function route(rerender = false) {
  if (!ctx.api) return;
  const hash = location.hash.slice(1) || "assets";
  const [name, id] = hash.split("/");
  const allowed = VIEWS[name] && (name !== "people" || ctx.meta.me.role === "admin");
  const tab = name === "asset" ? "assets" : allowed ? name : "assets";
  for (const a of $$("#tabs a")) {
    if (a.dataset.tab === tab) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (rerender || ctx.name !== tab) {
    ctx.name = tab;
    const view = $("#view");
    clear(view);
    ctx.view = VIEWS[tab](view, ctx);
  }
  if (name === "asset" && id) openAsset(ctx, Number(id));
}
