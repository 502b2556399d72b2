// The /v1 client: one fetch wrapper and the error shape.
//
// A page of KMS calls the API as the signed-in person: the browser sends the session
// cookie (HttpOnly: no script sees it) and every change carries the session's CSRF token
// (`client({csrf})`, from GET /v1/auth/session). The CRM widget sends the short-lived
// token its CRM signed instead (`client({token})`).

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "";
    this.detail = detail ?? null;
  }
}

/** A token given in the URL fragment (#token=...), removed from the address bar at once. */
export function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token") || "";
  if (token) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
  return token;
}

const UNSAFE = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** A client: `{csrf}` for the signed-in person's session, `{token}` for a widget token. */
export function client(cred = {}, base = "") {
  async function request(method, path, body, options = {}) {
    const headers = { Accept: "application/json" };
    if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
    else if (cred.csrf && UNSAFE.has(method)) headers["X-CSRF-Token"] = cred.csrf;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, {
        method, headers, body: payload, signal: options.signal,
        credentials: cred.token ? "omit" : "same-origin",
      });
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
