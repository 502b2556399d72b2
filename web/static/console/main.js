// Curator console (/console): a curator or admin key is required; a rep key is refused
// with a clear message. Sections are routed by the URL fragment (#assets, #gaps,
// #coverage, #analytics, #upload; #asset/12 opens one asset over the assets table).

import { ApiError } from "../api.js";
import { $, $$, clear, h, icon } from "../dom.js";
import { applyI18n, fmtNumber, langToggle, onLang, t } from "../i18n.js";
import { ensureKey, keyButton } from "../keygate.js";
import { loadMeta } from "../meta.js";
import { analyticsView } from "./analytics.js";
import { assetsView, openAsset } from "./assets.js";
import { coverageView } from "./coverage.js";
import { gapsView } from "./gaps.js";
import { uploadView } from "./upload.js";

const VIEWS = {
  assets: assetsView, gaps: gapsView, coverage: coverageView, analytics: analyticsView, upload: uploadView,
};

const ctx = { api: null, meta: null, view: null, name: "", refreshCounts: () => refreshCounts() };

applyI18n();
langToggle($("#lang-toggle"));
onLang(() => route(true));
start();

async function start() {
  let who;
  try {
    who = await ensureKey({
      slot: "curator",
      check: async (api) => {
        const me = await api.get("/v1/me");
        if (me.role !== "curator" && me.role !== "admin") throw new ApiError(403, "forbidden", "", me);
        return { me, ...(await loadMeta(api)) };
      },
      refusal: (err) => (err.status === 403 ? t("key.rep_refused") : ""),
    });
  } catch (err) {
    clear($("#view"), h("div.notice.bad.refused", { role: "alert" }, icon("info"),
      h("span", { text: `${t("error.load")}: ${err.message}` })));
    return;
  }
  ctx.api = who.api;
  ctx.meta = who.who;
  $("#who").textContent = `${who.who.me.name} · ${t(`role.${who.who.me.role}`)}`;
  clear($("#key-slot"), keyButton("curator", who.key, () => location.reload()));
  applyI18n($("#key-slot"));
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
  const tab = name === "asset" ? "assets" : VIEWS[name] ? name : "assets";
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
