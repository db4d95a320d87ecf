// Shared by every page: JSON API calls with the CSRF header, zh-CN/English text, tiny DOM helpers.
// Everything the server says goes into the page as text (textContent), never as HTML.

export const API = "/api/v1";
const LANG_KEY = "qd-lang";
let csrf = null;

export function setCsrf(token) { csrf = token; }

/** An API refusal: status plus the envelope's code, message (already localized) and details. */
export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || (status === 0 ? "network" : "http_" + status);
    this.details = err.details || {};
    this.body = body;
  }
}

/** fetch JSON under /api/v1; throws ApiError (status 0 = no network or timeout). */
export async function api(path, { method = "GET", body, headers = {}, raw = false, timeout = 20000 } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  const opts = { method, credentials: "same-origin", signal: ctrl.signal,
    headers: { "Accept-Language": lang() === "en" ? "en" : "zh-CN", ...headers } };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  if (method !== "GET" && csrf) opts.headers["X-CSRF-Token"] = csrf;
  let resp;
  try {
    resp = await fetch(API + path, opts);
  } catch {
    throw new ApiError(0, null);
  } finally {
    clearTimeout(timer);
  }
  if (raw) {
    if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
    return resp;
  }
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** The signed-in user (and its CSRF token), or null when signed out. */
export async function loadMe() {
  try {
    const me = await api("/me");
    rememberMe(me);
    return me;
  } catch (e) {
    if (e.status === 401) { forgetMe(); return null; }
    throw e;
  }
}

export async function login(phone, password) {
  const me = await api("/auth/login", { method: "POST", body: { phone, password } });
  rememberMe(me);
  return me;
}

export async function logout() {
  try { await api("/auth/logout", { method: "POST" }); } finally { forgetMe(); }
}

// The last user signed in on this device (with the session's CSRF token), kept in localStorage:
// a page knows it is signed out without asking /me, whose 401 Chromium logs as a console error,
// and the member app opens offline. The session cookie stays the authority: a 401 forgets it.
const ME_KEY = "qd-me";

export function cachedMe() {
  try {
    const me = JSON.parse(localStorage.getItem(ME_KEY) || "null");
    if (me && me.csrf_token) setCsrf(me.csrf_token);
    return me && typeof me.id === "number" ? me : null;
  } catch { return null; }
}

export function rememberMe(me) {
  setCsrf(me.csrf_token);
  try { localStorage.setItem(ME_KEY, JSON.stringify(me)); } catch { /* private mode: this page only */ }
}

export function forgetMe() {
  csrf = null;
  try { localStorage.removeItem(ME_KEY); } catch { /* nothing kept */ }
}

// ---- text ----
const dicts = { zh: {}, en: {} };

/** Each module adds its own strings: addText({key: "中文"}, {key: "English"}). */
export function addText(zh, en) {
  Object.assign(dicts.zh, zh);
  Object.assign(dicts.en, en);
}

export function lang() {
  try { return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh"; } catch { return "zh"; }
}

export function setLang(value) {
  try { localStorage.setItem(LANG_KEY, value); } catch { /* private mode: this page only */ }
  document.documentElement.lang = value === "en" ? "en" : "zh-CN";
}

export function t(key, vars = {}) {
  const text = dicts[lang()][key] ?? dicts.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// ---- DOM ----
/** el("p", {class: "x", onclick: fn}, "text", child) — strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** API times carry the deployment's offset; show their wall-clock part. */
export function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }
export function dateTime(iso) { return iso ? `${iso.slice(5, 10).replace("-", "/")} ${iso.slice(11, 16)}` : ""; }
