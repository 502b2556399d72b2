/* KMS CRM widget loader — embed the panel for one opportunity with one script tag:
 *
 *   <script src="https://kms.example.com/widget.js"
 *           data-token="eyJ…"                    (a short-lived token your server signed)
 *           data-token-url="/kms/widget-token"   (your server again, for a fresh token)
 *           data-api-base="https://kms.example.com"   (default: where this script came from)
 *           data-lang="zh" data-target="#kms-sidebar" data-height="640"></script>
 *
 * The token is a JWT your CRM's server signs with the secret it shares with KMS, for the
 * signed-in user and this opportunity (stage, industry, competitors, products, notes): see
 * KMS's README. No long-lived key ever goes into a page. The panel is an iframe of
 * <api-base>/widget with the token in its fragment (never sent to a server or logged).
 * When it expires, the panel asks for a fresh one: from KMSWidget.tokenProvider (a
 * function returning a Promise of a token) if the page sets one, else by GET
 * data-token-url (same origin, with the page's cookies) answering {"token": "…"}.
 *
 *   KMSWidget.setToken(token);          // the opportunity changed: a new signed token
 *   KMSWidget.refreshToken();           // fetch one from data-token-url now
 *   KMSWidget.update({ lang: "zh" });   // display options
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;
  var base = (data.apiBase || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var origin = new URL(base, location.href).origin;

  var params = new URLSearchParams();
  ["lang", "limit"].forEach(function (name) {
    if (data[name]) params.set(name, data[name]);
  });

  var frame = document.createElement("iframe");
  frame.src = base + "/widget?" + params.toString() + (data.token ? "#token=" + encodeURIComponent(data.token) : "");
  frame.title = data.title || "KMS — recommended content";
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("allow", "clipboard-write");
  frame.style.cssText =
    "display:block;width:100%;max-width:" + (data.width || "360") + "px;border:0;" +
    "height:" + (data.height || "600") + "px;background:transparent;color-scheme:normal";

  var target = data.target ? document.querySelector(data.target) : null;
  if (target) target.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  var ready = false;
  var queue = [];
  function post(message) {
    if (!ready) {
      queue.push(message);
      return;
    }
    frame.contentWindow.postMessage(message, origin);
  }

  function setToken(token) {
    if (typeof token === "string" && token) post({ type: "kms:token", token: token });
  }

  function fetchToken() {
    if (typeof window.KMSWidget.tokenProvider === "function") {
      return Promise.resolve(window.KMSWidget.tokenProvider());
    }
    if (!data.tokenUrl) return Promise.reject(new Error("no token source"));
    return fetch(data.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("token request failed: " + r.status);
        return r.json();
      })
      .then(function (body) {
        return body.token;
      });
  }

  function refreshToken() {
    return fetchToken().then(setToken);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    var msg = event.data || {};
    if (msg.type === "kms:ready") {
      ready = true;
      queue.splice(0).forEach(post);
    } else if (msg.type === "kms:height" && !data.height && typeof msg.height === "number") {
      frame.style.height = Math.max(200, Math.min(msg.height, 2000)) + "px";
    } else if (msg.type === "kms:token-request") {
      refreshToken().catch(function () {
        /* the panel keeps saying the token is not valid, and offers to try again */
      });
    }
  });

  window.KMSWidget = {
    frame: frame,
    tokenProvider: null,
    setToken: setToken,
    refreshToken: refreshToken,
    /** Display options (lang). The opportunity itself comes only in a signed token. */
    update: function (context) {
      post({ type: "kms:context", context: context });
    },
  };
})();
