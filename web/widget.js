/* KMS CRM widget loader — embed the recommendations panel with one script tag:
 *
 *   <script src="https://kms.example.com/widget.js"
 *           data-api-key="kms_…"            (or data-token="…", a short-lived token)
 *           data-api-base="https://kms.example.com"   (default: where this script came from)
 *           data-stage="Negotiation" data-industry="manufacturing"
 *           data-competitors="Northwind" data-products="LumaFlow,LumaGuard"
 *           data-amount="120000" data-notes="Security review next week"
 *           data-lang="zh" data-target="#kms-sidebar" data-height="640"></script>
 *
 * The panel is an iframe of <api-base>/widget: context goes in its query string, the key
 * or token in its fragment (never sent to a server or written to logs). Later changes
 * go by postMessage, only to the widget's origin:
 *
 *   KMSWidget.update({ stage: "Closed Won", competitors: ["DataForge"] });
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;
  var base = (data.apiBase || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var origin = new URL(base, location.href).origin;
  var CONTEXT = ["stage", "industry", "competitors", "products", "amount", "notes", "lang", "limit"];

  var params = new URLSearchParams();
  CONTEXT.forEach(function (name) {
    if (data[name]) params.set(name, data[name]);
  });
  var secret = new URLSearchParams();
  if (data.apiKey) secret.set("key", data.apiKey);
  else if (data.token) secret.set("token", data.token);

  var frame = document.createElement("iframe");
  frame.src = base + "/widget?" + params.toString() + (secret.toString() ? "#" + secret : "");
  frame.title = data.title || "KMS — recommended content";
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.style.cssText =
    "display:block;width:100%;max-width:" + (data.width || "360") + "px;border:0;" +
    "height:" + (data.height || "600") + "px;background:transparent;color-scheme:normal";

  var target = data.target ? document.querySelector(data.target) : null;
  if (target) target.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  var ready = false;
  var pending = null;
  function send(context) {
    if (!ready) {
      pending = Object.assign(pending || {}, context);
      return;
    }
    frame.contentWindow.postMessage({ type: "kms:context", context: context }, origin);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    var msg = event.data || {};
    if (msg.type === "kms:ready") {
      ready = true;
      if (pending) send(pending);
      pending = null;
    } else if (msg.type === "kms:height" && !data.height && typeof msg.height === "number") {
      frame.style.height = Math.max(200, Math.min(msg.height, 2000)) + "px";
    }
  });

  window.KMSWidget = {
    frame: frame,
    /** Merge new opportunity context (stage, industry, competitors, products, amount, notes). */
    update: send,
  };
})();
