// Upload: drop or pick files, set their metadata, send them (with byte progress), then
// follow the ingest job live (GET /v1/jobs/{id}) until it is done, with per-file errors.

import { clear, h, icon } from "../dom.js";
import { fmtNumber, kindName, pick, t } from "../i18n.js";
import { ASSET_KINDS } from "../meta.js";

const POLL_MS = 500;

export function uploadView(root, ctx) {
  let files = [];
  const input = h("input#u-files", { type: "file", multiple: true, hidden: true });
  const chosen = h("div.files#u-chosen");
  const zone = h("div.drop-zone#drop-zone", null, icon("upload"),
    h("h2", { text: t("upload.drop") }),
    h("p", null, t("upload.or"), " ",
      h("button.linkbtn", { type: "button", text: t("upload.browse"), onclick: () => input.click() })),
    h("p.small.faint", { text: t("upload.types") }), chosen);
  const kind = h("select.select#u-kind", null, h("option", { value: "", text: t("upload.kind_auto") }),
    ASSET_KINDS.map((k) => h("option", { value: k, text: kindName(k) })));
  const status = h("select.select#u-status", null,
    ["draft", "approved"].map((s) => h("option", { value: s, text: t(`status.${s}`) })));
  const owner = h("input.input#u-owner");
  const teams = h("input.input#u-teams", { placeholder: t("assets.everyone") });
  const stage = h("select.select#u-stage", null, h("option", { value: "", text: t("upload.stage_auto") }),
    ctx.meta.stages.map((s) => h("option", { value: s.key, text: pick(s) })));
  const review = h("input.input#u-review", { type: "date" });
  const send = h("button.btn.primary#u-send", { type: "submit", disabled: true }, icon("upload"), t("upload.send"));
  const jobs = h("div#jobs");

  const pick_ = (list) => {
    files = [...list];
    clear(chosen, files.map((f) => h("span.badge", { text: `${f.name} · ${size(f.size)}` })));
    send.disabled = !files.length;
  };
  input.addEventListener("change", () => pick_(input.files));
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    pick_(e.dataTransfer.files);
  });

  const form = h("form#upload-form", null, zone,
    h("div.upload-grid", null,
      h("label.field", null, t("filters.kind"), kind),
      h("label.field", null, t("assets.col.status"), status),
      h("label.field", null, t("filters.stage"), stage),
      h("label.field", null, t("assets.col.owner"), owner),
      h("label.field", null, t("assets.col.teams"), teams),
      h("label.field", null, t("assets.col.review_by"), review)),
    h("div.row", { style: { marginTop: "14px" } }, send));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData();
    for (const f of files) data.append("files", f, f.name);
    for (const [name, el] of [["kind", kind], ["status", status], ["owner", owner], ["teams", teams],
      ["stages", stage], ["review_by", review]]) {
      if (el.value.trim()) data.append(name, el.value.trim());
    }
    startJob(ctx, data, files.map((f) => f.name), jobs);
    pick_([]);
    input.value = "";
  });

  clear(root, h("div.view-h", null, h("h1", { text: t("tab.upload") }), h("span.sub", { text: t("upload.sub") })),
    input, form, h("h2", { style: { margin: "24px 0 10px" }, text: t("upload.jobs") }), jobs);
  return {};
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function startJob(ctx, data, names, jobs) {
  const bar = h("span", { style: { width: "0%" } });
  const state = h("span.badge.accent", { text: t("job.uploading") });
  const counts = h("div.job-counts");
  const errors = h("div");
  const title = h("b", { text: names.join(", ") });
  const card = h("div.card.job", null, h("div.row", null, title, h("span.spacer"), state),
    h("div.meter", null, bar), counts, errors);
  jobs.prepend(card);

  // XMLHttpRequest, not fetch: it reports upload progress.
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/v1/ingest");
  xhr.setRequestHeader("X-API-Key", ctx.api.cred.key);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) bar.style.width = `${(e.loaded / e.total) * 30}%`;
  });
  xhr.addEventListener("load", () => {
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      /* not JSON */
    }
    if (xhr.status >= 300 || !body) {
      fail(body?.error?.message || `HTTP ${xhr.status}`);
      return;
    }
    card.dataset.jobId = body.job_id;
    title.textContent = `${t("job.title", { id: body.job_id })} · ${body.files.join(", ")}`;
    poll(body.status_url || `/v1/jobs/${body.job_id}`);
  });
  xhr.addEventListener("error", () => fail(t("job.network")));
  xhr.send(data);

  function fail(message) {
    card.dataset.status = "failed";
    state.className = "badge bad";
    state.textContent = t("job.failed");
    clear(errors, h("div.notice.bad", { style: { marginTop: "8px" }, text: message }));
  }

  async function poll(url) {
    let job;
    try {
      job = await ctx.api.get(url);
    } catch (err) {
      fail(err.message);
      return;
    }
    const frac = job.total ? job.done / job.total : 0;
    bar.style.width = `${30 + frac * 70}%`;
    state.className = `badge ${{ done: "good", failed: "bad" }[job.status] || "accent"}`;
    state.textContent = t(`job.${job.status}`);
    card.dataset.status = job.status;
    clear(counts,
      h("span", null, t("job.progress"), " ", h("b", { text: `${job.done} / ${job.total}` })),
      ["added", "updated", "unchanged", "failed"].map((k) =>
        h("span", null, t(`job.${k}`), " ", h("b", { text: fmtNumber(job[k]) }))));
    clear(errors, job.errors.length > 0 && h("ul.list-plain", { style: { marginTop: "8px" } },
      job.errors.map((e) => h("li.small", null, h("span.badge.bad", { text: e.item || "—" }),
        h("span", { text: [e.line && t("job.line", { line: e.line }), e.field, e.message].filter(Boolean).join(" · ") })))));
    if (job.status === "done" || job.status === "failed") {
      ctx.reloadAssets?.();
      ctx.refreshCounts?.();
      return;
    }
    setTimeout(() => poll(url), POLL_MS);
  }
}
