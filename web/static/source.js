// Opening a citation. The source file needs the caller's sign-in, so it is fetched, not linked:
// a PDF opens in a new tab at its page (blob URL + #page=N, read by the browser's viewer);
// anything else opens in a side panel that shows the asset's text scrolled to the cited
// section, with a download button. Text is always inserted as text.

import { $, clear, h, icon, toast } from "./dom.js";
import { kindName, langName, t } from "./i18n.js";

/** Open `citation` ({asset_id, title, url, page, section}); `chunkId` marks the passage. */
export async function openSource(api, citation, chunkId = null) {
  const isFile = /\/file$/.test(citation.url);
  // A tab opened now (in the click) is not blocked as a pop-up; it is closed if unused.
  let tab = null;
  let file = null;
  if (isFile) {
    try {
      const response = await api.raw(citation.url);
      const blob = await response.blob();
      file = { blob, name: filename(response, citation) };
    } catch (err) {
      if (err.status !== 404 && err.status !== 403) toast(err.message, "bad");
    }
  }
  if (file && file.blob.type === "application/pdf") {
    const url = URL.createObjectURL(file.blob);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    tab = window.open(`${url}${citation.page ? `#page=${citation.page}` : ""}`, "_blank");
    if (tab) return;
  }
  await showPanel(api, citation, chunkId, file);
}

function filename(response, citation) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : citation.title;
}

function download(file) {
  const url = URL.createObjectURL(file.blob);
  const a = h("a", { href: url, download: file.name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function closePanel() {
  $("#source-panel")?.remove();
  $("#source-scrim")?.remove();
  window.__kmsReturnFocus?.focus?.();
}

async function showPanel(api, citation, chunkId, file) {
  closePanel();
  window.__kmsReturnFocus = document.activeElement;
  const body = h("div.drawer-b", null, h("div.skeleton"), h("div.skeleton"), h("div.skeleton"));
  const where = [
    citation.section && `§ ${citation.section}`,
    citation.page && t("result.page", { page: citation.page }),
  ].filter(Boolean).join(" · ");
  const panel = h(
    "section.drawer#source-panel",
    { role: "dialog", "aria-modal": "true", "aria-labelledby": "source-title", tabindex: -1 },
    h(
      "div.drawer-h",
      h(
        "div",
        { style: { flex: 1, minWidth: 0 } },
        h("div.section-title", { text: t("source.title") }),
        h("h2#source-title", { text: citation.title }),
        where && h("div.small.muted", { text: where }),
      ),
      file &&
        h("button.btn.small", { type: "button", onclick: () => download(file) },
          icon("download"), t("source.download")),
      h("button.btn.ghost.small", {
        type: "button", "aria-label": t("source.close"), title: t("source.close"), onclick: closePanel,
      }, icon("close")),
    ),
    body,
  );
  panel.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    closePanel();
    document.querySelector("[data-search-box]")?.focus(); // Esc ends at the question
  });
  document.body.append(h("div.scrim#source-scrim", { onclick: closePanel }), panel);
  panel.focus();

  let asset = null;
  try {
    asset = await api.get(`/v1/assets/${citation.asset_id}`);
  } catch {
    asset = null;
  }
  const chunks = asset?.chunks || [];
  if (!chunks.length && file && /^text\//.test(file.blob.type)) {
    chunks.push({ id: null, text: await file.blob.text(), section: null, page: null });
  }
  if (!chunks.length) {
    clear(body, h("p.muted", { text: file ? t("source.binary") : t("source.unavailable") }));
    return;
  }
  const meta = asset
    ? h("div.row.wrap", { style: { marginBottom: "12px" } },
        h("span.badge.accent", { text: kindName(asset.kind) }),
        asset.language && h("span.badge", { text: langName(asset.language) }),
        asset.owner && h("span.small.muted", { text: `${t("asset.owner")}: ${asset.owner}` }))
    : null;
  const target = pickTarget(chunks, citation, chunkId);
  clear(
    body,
    meta,
    chunks.map((c) =>
      h(`div.chunk${c === target ? ".target" : ""}`, { dataset: { chunk: c.id ?? "" } },
        (c.section || c.page) &&
          h("span.where", {
            text: [c.section, c.page && t("result.page", { page: c.page })].filter(Boolean).join(" · "),
          }),
        c.text),
    ),
  );
  if (target) body.querySelector(".chunk.target")?.scrollIntoView({ block: "center" });
}

function pickTarget(chunks, citation, chunkId) {
  return (
    chunks.find((c) => chunkId && c.id === chunkId) ||
    chunks.find((c) => citation.section && c.section === citation.section &&
      (!citation.page || c.page === citation.page)) ||
    chunks.find((c) => citation.page && c.page === citation.page) ||
    null
  );
}
