// Qiandao plain mobile page: sign in, submit the scan of /s/{token}, show the answer.
// No inline script and no other hosts: the server sends script-src 'self'; style-src 'self'.
// Everything the server says is put into the page with textContent, never as HTML.

const API = "/api/v1";
const REQUEST_TIMEOUT_MS = 20000;
const OFFLINE_AFTER_MS = 30000; // a retry this long after the first try says when the scan was made
const ACCEPTED = new Set(["checked_in", "checked_out", "already_checked_in", "already_checked_out"]);
// Refusals where trying again (with a new client_scan_id) can give another answer.
const RETRYABLE = new Set(["not_open_yet", "rate_limited", "capacity_full", "location_required",
  "outside_geofence"]);
const NEEDS_LOCATION = new Set(["location_required", "outside_geofence"]);

const TEXT = {
  zh: {
    brand: "签到",
    loading: "正在加载…",
    login_title: "登录",
    login_hint_home: "请使用手机号和密码登录。",
    login_hint_scan: "登录后将自动完成本次扫码，无需重新扫码。",
    phone: "手机号",
    password: "密码",
    login_button: "登录",
    logging_in: "正在登录…",
    fill_both: "请输入手机号和密码",
    retry: "重试",
    try_again: "再试一次",
    share_location: "允许定位并重试",
    home: "返回首页",
    home_hint: "到达活动现场后，用手机相机或微信“扫一扫”扫描现场的签到二维码即可签到、签退。",
    logout: "退出登录",
    hello: "您好，{name}",
    submitting: "正在提交…",
    network: "网络连接失败，请检查网络后点击“重试”。",
    server_error: "服务器暂时无法处理（{status}），请稍后点击“重试”。",
    location_failed: "无法获取位置：请在系统设置中允许浏览器使用定位后重试。",
    rescan: "请扫描现场屏幕上最新的二维码。",
    opens_at: "签到开始",
    event_time: "活动时间",
    place: "地点",
    checkin_at: "签到时间",
    checkout_at: "签退时间",
    hours: "服务时长",
    hours_value: "{hours} 小时",
    hours_pending: "待社区联络员确认",
    late: "迟到",
    yes: "是",
    points: "积分",
    offline: "离线扫码，已按扫码时间记录",
    code: "代码",
    phone_label: "手机号",
    roles_label: "身份",
    branch_label: "所在支部",
    roles: { member: "党员", organizer: "组织者", liaison: "社区联络员", admin: "管理员" },
    lang_toggle: "English",
  },
  en: {
    brand: "Qiandao",
    loading: "Loading…",
    login_title: "Sign in",
    login_hint_home: "Sign in with your phone number and password.",
    login_hint_scan: "After you sign in, this scan is submitted for you; no need to scan again.",
    phone: "Phone number",
    password: "Password",
    login_button: "Sign in",
    logging_in: "Signing in…",
    fill_both: "Enter your phone number and password",
    retry: "Retry",
    try_again: "Try again",
    share_location: "Share location and retry",
    home: "Home",
    home_hint: "At the event, scan the check-in QR code with your camera or WeChat's scanner.",
    logout: "Sign out",
    hello: "Hello, {name}",
    submitting: "Submitting…",
    network: "No connection. Check the network and tap Retry.",
    server_error: "The server could not answer ({status}). Tap Retry in a moment.",
    location_failed: "Could not get your location: allow location for this browser and retry.",
    rescan: "Scan the current code on the screen at the venue.",
    opens_at: "Check-in opens",
    event_time: "Time",
    place: "Place",
    checkin_at: "Checked in",
    checkout_at: "Checked out",
    hours: "Hours",
    hours_value: "{hours} h",
    hours_pending: "awaiting the liaison's confirmation",
    late: "Late",
    yes: "yes",
    points: "Points",
    offline: "Scanned offline; recorded at the time of the scan",
    code: "Code",
    phone_label: "Phone",
    roles_label: "Roles",
    branch_label: "Branch",
    roles: { member: "member", organizer: "organizer", liaison: "liaison", admin: "admin" },
    lang_toggle: "中文",
  },
};

const $ = (id) => document.getElementById(id);
const VIEWS = ["view-loading", "view-login", "view-result", "view-home"];

const state = {
  lang: "zh",
  csrf: null,
  me: null,
  token: null,
  afterLogin: null,
};

// ---------- small helpers ----------

function storageGet(store, key) {
  try { return store.getItem(key); } catch { return null; }
}

function storageSet(store, key, value) {
  try { store.setItem(key, value); } catch { /* private mode: the id lives for this page only */ }
}

function t(key, vars) {
  let text = TEXT[state.lang][key] ?? TEXT.zh[key] ?? key;
  for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, String(value));
  return text;
}

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked) storageSet(localStorage, "qd-lang", asked.toLowerCase().startsWith("en") ? "en" : "zh");
  return storageGet(localStorage, "qd-lang") === "en" ? "en" : "zh";
}

function applyStaticTexts() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = t("brand");
  const toggle = $("lang-toggle");
  toggle.textContent = t("lang_toggle");
  toggle.hidden = false;
}

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  window.scrollTo(0, 0);
}

function uuid4() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The server sends times in the deployment's time zone with an offset: show them as sent.
function localTime(iso) {
  if (!iso) return "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function timeRange(start, end) {
  if (!start) return "";
  if (end && start.slice(0, 10) === end.slice(0, 10)) return `${localTime(start)}–${end.slice(11, 16)}`;
  return end ? `${localTime(start)} – ${localTime(end)}` : localTime(start);
}

function setFacts(dl, rows) {
  dl.replaceChildren();
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dl.append(dt, dd);
  }
  dl.hidden = !dl.childElementCount;
}

function errorText(data, status) {
  const err = data && data.error;
  if (!err) return status >= 500 ? t("server_error", { status }) : t("network");
  const parts = [err.message || err.code];
  const fields = err.details && err.details.fields;
  if (fields && typeof fields === "object") {
    for (const value of Object.values(fields)) {
      for (const msg of [].concat(value)) if (typeof msg === "string") parts.push(msg);
    }
  }
  return parts.join("：");
}

// ---------- the API ----------

async function api(method, path, body) {
  const headers = { Accept: "application/json", "X-Lang": state.lang };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.csrf && method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    const resp = await fetch(API + path, {
      method, headers, credentials: "same-origin", cache: "no-store", signal: abort.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await resp.json(); } catch { data = null; }
    return { status: resp.status, ok: resp.ok, data };
  } finally {
    clearTimeout(timer);
  }
}

async function fetchMe() {
  const r = await api("GET", "/me");
  if (r.status === 401) return null;
  if (!r.ok || !r.data) throw new Error(`GET /me: ${r.status}`);
  state.csrf = r.data.csrf_token || null;
  return r.data;
}

// ---------- views ----------

function showLogin(hintKey, then) {
  state.afterLogin = then;
  $("login-hint").textContent = t(hintKey);
  $("login-error").hidden = true;
  $("login-submit").disabled = false;
  $("login-submit").textContent = t("login_button");
  show("view-login");
  $("login-phone").focus();
}

async function onLoginSubmit(event) {
  event.preventDefault();
  const phone = $("login-phone").value.replace(/\s+/g, "");
  const password = $("login-password").value;
  const errorBox = $("login-error");
  const button = $("login-submit");
  if (!phone || !password) {
    errorBox.textContent = t("fill_both");
    errorBox.hidden = false;
    return;
  }
  button.disabled = true;
  button.textContent = t("logging_in");
  errorBox.hidden = true;
  let r;
  try {
    r = await api("POST", "/auth/login", { phone, password });
  } catch {
    r = null;
  }
  button.disabled = false;
  button.textContent = t("login_button");
  if (!r || !r.ok || !r.data) {
    errorBox.textContent = r ? errorText(r.data, r.status) : t("network");
    errorBox.hidden = false;
    return;
  }
  state.me = r.data;
  state.csrf = r.data.csrf_token || null;
  $("login-password").value = "";
  const next = state.afterLogin || showHome;
  state.afterLogin = null;
  next();
}

function showHome() {
  const me = state.me;
  $("home-hello").textContent = t("hello", { name: me.name });
  const roleNames = (me.roles || []).map((role) => t("roles")[role] || role).join("、");
  setFacts($("home-facts"), [
    [t("phone_label"), me.phone],
    [t("roles_label"), roleNames],
    [t("branch_label"), me.branch ? me.branch.name : ""],
  ]);
  show("view-home");
}

async function onLogout() {
  try {
    await api("POST", "/auth/logout");
  } catch {
    /* the cookie may still be there; the login form is what the user wants now */
  }
  state.me = null;
  state.csrf = null;
  showLogin("login_hint_home", showHome);
}

function resultView(kind, mark, message) {
  const box = $("view-result");
  box.className = `result ${kind}`;
  $("result-mark").textContent = mark;
  $("result-message").textContent = message;
  $("result-event").hidden = true;
  setFacts($("result-facts"), []);
  $("result-code").textContent = "";
  $("result-retry").hidden = true;
  $("result-retry").onclick = null;
  show("view-result");
}

function showEvent(ev) {
  if (!ev || !ev.title) return;
  $("event-title").textContent = ev.title;
  $("event-time").textContent = ev.starts_at ? `${t("event_time")}：${timeRange(ev.starts_at, ev.ends_at)}` : "";
  $("event-place").textContent = ev.place_name ? `${t("place")}：${ev.place_name}` : "";
  $("result-event").hidden = false;
}

function offerRetry(labelKey, action) {
  const button = $("result-retry");
  button.textContent = t(labelKey);
  button.onclick = action;
  button.hidden = false;
}

function showAccepted(data) {
  resultView("ok", "✓", data.message || data.outcome);
  showEvent(data.event);
  const att = data.attendance || {};
  const rows = [[t("checkin_at"), localTime(att.checkin_at)]];
  if (att.late) rows.push([t("late"), t("yes")]);
  if (att.checkout_at) {
    rows.push([t("checkout_at"), localTime(att.checkout_at)]);
    const hours = att.hours_confirmed ?? att.hours_claimed;
    if (hours !== null && hours !== undefined) {
      let value = t("hours_value", { hours });
      if (att.state === "pending") value += `（${t("hours_pending")}）`;
      rows.push([t("hours"), value]);
    }
  }
  if (data.points_awarded) rows.push([t("points"), `${data.points_awarded > 0 ? "+" : ""}${data.points_awarded}`]);
  setFacts($("result-facts"), rows);
  if (data.offline) $("result-code").textContent = t("offline");
}

function showRefused(err) {
  const details = err.details || {};
  resultView("bad", "✕", err.message || err.code);
  showEvent(details.event);
  const rows = [];
  if (details.opens_at) rows.push([t("opens_at"), localTime(details.opens_at)]);
  setFacts($("result-facts"), rows);
  let note = `${t("code")}：${err.code}`;
  if (err.code === "expired_token" || err.code === "invalid_token") note = `${t("rescan")} ${note}`;
  $("result-code").textContent = note;
  if (RETRYABLE.has(err.code)) {
    const withLocation = NEEDS_LOCATION.has(err.code);
    offerRetry(withLocation ? "share_location" : "try_again", () => {
      newScanAttempt(state.token);
      submitScan({ withLocation });
    });
  }
}

function showFailure(message, retry) {
  resultView("bad", "!", message);
  if (retry) offerRetry("retry", retry);
}

// ---------- the scan ----------

// One record per token in sessionStorage: a reload resends the same client_scan_id and so
// gets the first answer back instead of a second scan.
function scanRecord(token) {
  const key = `qd-scan:${token}`;
  let rec = null;
  try { rec = JSON.parse(storageGet(sessionStorage, key) || "null"); } catch { rec = null; }
  if (!rec || typeof rec.id !== "string") {
    rec = { id: uuid4(), first: Date.now(), tries: 0 };
    storageSet(sessionStorage, key, JSON.stringify(rec));
  }
  return rec;
}

function saveScanRecord(token, rec) {
  storageSet(sessionStorage, `qd-scan:${token}`, JSON.stringify(rec));
}

function newScanAttempt(token) {
  saveScanRecord(token, { id: uuid4(), first: Date.now(), tries: 0 });
}

function currentLocation() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: pos.coords.accuracy }),
      reject, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
}

async function submitScan(options = {}) {
  const token = state.token;
  resultView("pending", "…", t("submitting"));
  const rec = scanRecord(token);
  const body = { token, client_scan_id: rec.id };
  // A retry long after the first try (weak network) tells the server when the member scanned.
  if (rec.tries > 0 && Date.now() - rec.first > OFFLINE_AFTER_MS) body.scanned_at = new Date(rec.first).toISOString();
  if (options.withLocation || rec.location) {
    try {
      rec.location = rec.location || await currentLocation();
      saveScanRecord(token, rec);
    } catch {
      showFailure(t("location_failed"), () => submitScan(options));
      return;
    }
    body.location = rec.location;
  }

  let r;
  try {
    r = await api("POST", "/scans", body);
  } catch {
    r = null;
  }
  rec.tries += 1;
  saveScanRecord(token, rec);
  if (!r) { showFailure(t("network"), () => submitScan(options)); return; }

  const code = r.data && r.data.error && r.data.error.code;
  if (r.status === 401) { showLogin("login_hint_scan", () => submitScan(options)); return; }
  if (r.status === 403 && code === "csrf_failed" && !options.csrfRetried) {
    try {
      state.me = await fetchMe();
    } catch {
      showFailure(t("network"), () => submitScan(options));
      return;
    }
    if (!state.me) { showLogin("login_hint_scan", () => submitScan(options)); return; }
    submitScan({ ...options, csrfRetried: true });
    return;
  }
  if (r.data && ACCEPTED.has(r.data.outcome)) { showAccepted(r.data); return; }
  if (r.data && r.data.error && r.status < 500) { showRefused(r.data.error); return; }
  showFailure(errorText(r.data, r.status), () => submitScan(options));
}

// ---------- start ----------

function scanTokenFromPath() {
  const match = location.pathname.match(/^\/s\/([^/]+)\/?$/);
  if (!match) return null;
  try { return decodeURIComponent(match[1]); } catch { return match[1]; }
}

async function start() {
  show("view-loading");
  let me;
  try {
    me = await fetchMe();
  } catch {
    showFailure(t("network"), start);
    return;
  }
  const next = state.token ? () => submitScan() : showHome;
  if (!me) { showLogin(state.token ? "login_hint_scan" : "login_hint_home", next); return; }
  state.me = me;
  next();
}

function init() {
  state.lang = pickLanguage();
  state.token = scanTokenFromPath();
  applyStaticTexts();
  $("login-form").addEventListener("submit", onLoginSubmit);
  $("logout").addEventListener("click", onLogout);
  $("lang-toggle").addEventListener("click", () => {
    const url = new URL(location.href);
    url.searchParams.set("lang", state.lang === "en" ? "zh" : "en");
    location.replace(url.toString());
  });
  start();
}

init();
