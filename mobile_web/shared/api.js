// The API client of every page: JSON calls under /api/v1 with the CSRF header, the signed-in user.
// Everything the server says goes into the page as text (textContent), never as HTML.
import { lang } from "./i18n.js";

export const API = "/api/v1";
let csrf = null;

export function setCsrf(token) { csrf = token; }

// The server's clock as this phone last saw it (its Date header), so a delayed scan's scanned_at is told
// in the server's time even when the phone's own clock is minutes off.
const OFFSET_KEY = "qd-clock-offset";
let clockOffset = Number((() => { try { return localStorage.getItem(OFFSET_KEY); } catch { return 0; } })()) || 0;

/** Now by the server's clock (ms), as well as this phone can tell. */
export function serverNow() { return Date.now() + clockOffset; }

function noteServerClock(resp) {
  const date = Date.parse(resp.headers.get("Date") || "");
  if (Number.isNaN(date)) return;
  clockOffset = date + 500 - Date.now(); // the header is whole seconds: take the middle of that second
  try { localStorage.setItem(OFFSET_KEY, String(clockOffset)); } catch { /* this page only */ }
}

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

// Reads still on their way: signing out drops them, since their answers (or a 401 that Chromium logs as a
// console error) belong to the session that is ending.
const reads = new Set();

/** fetch JSON under /api/v1; throws ApiError (status 0 = no network or timeout). */
export async function api(path, { method = "GET", body, headers = {}, raw = false, timeout = 20000 } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  if (method === "GET") reads.add(ctrl);
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
    reads.delete(ctrl);
  }
  noteServerClock(resp);
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
  for (const ctrl of reads) ctrl.abort();
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
