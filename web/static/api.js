// The /v1 client: one fetch wrapper, the error shape, and where the API key is kept.
//
// A key is kept in sessionStorage (this tab) or, when the user ticks "remember", in
// localStorage. Each page has its own slot so a rep key for search and a curator key
// for the console can live side by side. A key can also arrive once in the URL fragment
// (#key=...), which never reaches a server; the page stores it and removes it from the URL.

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "";
    this.detail = detail ?? null;
  }
}

export const keyStore = {
  get(slot) {
    return sessionStorage.getItem(`kms.${slot}`) || localStorage.getItem(`kms.${slot}`) || "";
  },
  set(slot, key, remember) {
    this.clear(slot);
    (remember ? localStorage : sessionStorage).setItem(`kms.${slot}`, key);
  },
  clear(slot) {
    sessionStorage.removeItem(`kms.${slot}`);
    localStorage.removeItem(`kms.${slot}`);
  },
  /** A key or token given in the fragment (#key=... / #token=...), removed from the URL. */
  takeFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const found = { key: params.get("key") || "", token: params.get("token") || "" };
    if (found.key || found.token) {
      params.delete("key");
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    }
    return found;
  },
};

/** A client bound to a credential: `{key}` sends X-API-Key, `{token}` a Bearer token. */
export function client(cred, base = "") {
  async function request(method, path, body, options = {}) {
    const headers = { Accept: "application/json" };
    if (cred.key) headers["X-API-Key"] = cred.key;
    else if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, { method, headers, body: payload, signal: options.signal });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ApiError(0, "network", err.message);
    }
    if (options.raw) {
      if (!response.ok) throw await toError(response);
      return response;
    }
    if (response.status === 204) return null;
    if (!response.ok) throw await toError(response);
    return response.json();
  }
  return {
    cred,
    get: (path, options) => request("GET", path, undefined, options),
    post: (path, body, options) => request("POST", path, body, options),
    patch: (path, body, options) => request("PATCH", path, body, options),
    put: (path, body, options) => request("PUT", path, body, options),
    del: (path, options) => request("DELETE", path, undefined, options),
    raw: (path, options) => request("GET", path, undefined, { ...options, raw: true }),
  };
}

async function toError(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    /* not JSON */
  }
  const err = data?.error || {};
  const retry = response.headers.get("Retry-After");
  return new ApiError(
    response.status,
    err.code || (typeof data?.detail === "string" ? "http_error" : ""),
    err.message || (typeof data?.detail === "string" ? data.detail : response.statusText),
    err.detail ?? (retry ? { retry_after: Number(retry) } : null),
  );
}

/** Query string from an object, skipping empty values; arrays repeat the name. */
export function qs(params) {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) v.forEach((item) => out.append(k, item));
    else out.append(k, v);
  }
  const text = out.toString();
  return text ? `?${text}` : "";
}

/** A short, human form of a key: its prefix only. */
export function keyLabel(key) {
  const parts = String(key).split("_");
  return parts.length >= 3 && parts[0] === "kms" ? `kms_${parts[1]}…` : `${String(key).slice(0, 6)}…`;
}
