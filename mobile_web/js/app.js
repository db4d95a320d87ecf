// The member app: one page for /, /s/{token}, /c/{token}, /r/{token} and /a/{code}; #scan, #records, #meetings
// and #account are
// screens of /. Strict CSP: no inline script or style; server text goes in as text, never HTML.
import { cachedMe, forgetMe, login, logout } from "../shared/api.js";
import { lang, setLang, t } from "../shared/i18n.js";
import { $ } from "../shared/dom.js";
import "./member-text.js";
import { ctx, show, applyTexts, errorText } from "./ui.js";
import * as outbox from "./outbox.js";
import { noteScan, submitToken } from "./checkin.js";
import { startCamera, stopCamera, readCode } from "./camera.js";
import { hasNativeReader } from "./qr-reader.js";
import { showHome, drawOutbox } from "./home.js";
import { showRecords } from "./records.js";
import { showCard, showRegister } from "./landing.js";
import { showAccount, showCode, wireAccount, wireLoginExtras } from "./account.js";
import { drawBirthday, showMeetings, wireMeetings } from "./meetings.js";

const RETRY_MS = 30000; // while scans wait in the outbox, try again this often

function pathToken(prefix) {
  const m = location.pathname.match(new RegExp(`^/${prefix}/([^/]+)/?$`));
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch { return m[1]; }
}

let routedHref = null; // popstate and hashchange may both fire for one move: route it once

function onNavigate() {
  if (location.href !== routedHref) route();
}

function route() {
  routedHref = location.href;
  stopCamera();
  const card = pathToken("c");
  if (card) { showCard(card); return; }
  const code = pathToken("a");
  if (code) { showCode(code); return; } // signed in or not: the code says whose account it opens
  if (!ctx.me && location.hash === "#scan") { showScan(); return; } // a new member scans their activation slip
  const scanned = pathToken("s");
  const register = pathToken("r");
  if (!ctx.me) {
    if (scanned) {
      noteScan(scanned); // the moment the code was opened is the scan's moment, however long the sign-in takes
      requireLogin("login_hint_scan", () => submitToken(scanned));
    }
    else if (register) requireLogin("login_hint_register", () => showRegister(register));
    else requireLogin("login_hint_home", route);
    return;
  }
  if (scanned) submitToken(scanned);
  else if (register) showRegister(register);
  else if (location.hash === "#scan") showScan();
  else if (location.hash === "#records") showRecords();
  else if (location.hash === "#account") showAccount();
  else if (location.hash === "#meetings") showMeetings();
  else {
    showHome();
    drawBirthday();
    $("home-welcome").textContent = ctx.welcome || "";
    $("home-welcome").hidden = !ctx.welcome;
    ctx.welcome = null;
  }
}

// ---------- sign-in ----------

let afterLogin = null;
let loginHint = "login_hint_home";

function requireLogin(hintKey, then) {
  forgetMe();
  ctx.me = null;
  afterLogin = then;
  loginHint = hintKey;
  $("login-hint").textContent = t(hintKey);
  $("login-error").hidden = true;
  $("login-submit").disabled = false;
  show("view-login", () => { $("login-hint").textContent = t(loginHint); });
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
  try {
    ctx.me = await login(phone, password);
  } catch (e) {
    errorBox.textContent = errorText(e);
    errorBox.hidden = false;
    return;
  } finally {
    button.disabled = false;
    button.textContent = t("login_button");
  }
  $("login-password").value = "";
  const next = afterLogin || route;
  afterLogin = null;
  next();
  sendOutbox();
}

async function onLogout() {
  try { await logout(); } catch { /* signed out on this device anyway */ }
  ctx.me = null;
  if (location.hash) history.replaceState(null, "", "/");
  requireLogin("login_hint_home", route);
}

// ---------- the camera screen ----------

function showScan() {
  show("view-scan", showScan);
  startCamera(onDecoded);
}

function onDecoded(text) {
  const code = readCode(text);
  if (code.kind === "scan") {
    // The same page as a camera app would open, so a reload resends this scan; a new scan of the
    // same code (the member scans again) gets a new client_scan_id.
    history.pushState(null, "", `/s/${code.token}`);
    routedHref = location.href;
    submitToken(code.token, { fresh: true });
    return true;
  }
  if (code.kind === "register") { location.assign(code.path); return true; }
  if (code.kind === "code") { history.pushState(null, "", code.path); route(); return true; }
  $("scan-status").textContent = t(code.kind === "card" ? "card_code" : "not_our_code");
  return false;
}

// ---------- the outbox: sent on open, when back online, when shown again ----------

let retryTimer = null;

async function sendOutbox() {
  if (!ctx.me) return;
  await outbox.flush();
  clearTimeout(retryTimer);
  if (await outbox.waitingCount()) retryTimer = setTimeout(sendOutbox, RETRY_MS);
}

// ---------- start ----------

/** On a phone without a native QR reader, have the service worker keep the decoder once the app is idle. */
async function warmDecoder() {
  if (await hasNativeReader()) return;
  const registration = await navigator.serviceWorker.ready;
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 2000));
  later(() => { if (registration.active) registration.active.postMessage({ type: "warm-decoder" }); });
}

function init() {
  ctx.me = cachedMe(); // no request: a signed-out phone is not asked for /me (and its 401)
  ctx.requireLogin = requireLogin;
  ctx.route = route;
  applyTexts();
  $("lang-toggle").addEventListener("click", () => {
    setLang(lang() === "en" ? "zh" : "en");
    applyTexts();
    if (ctx.rerender) ctx.rerender();
  });
  $("login-form").addEventListener("submit", onLoginSubmit);
  wireLoginExtras();
  wireMeetings();
  wireAccount(() => { ctx.me = null; history.replaceState(null, "", "/"); requireLogin("login_hint_home", route); });
  $("logout").addEventListener("click", onLogout);
  $("outbox-send").addEventListener("click", sendOutbox);
  $("scan-retry").addEventListener("click", () => startCamera(onDecoded));
  $("scan-cancel").addEventListener("click", () => { stopCamera(); location.hash = ""; });
  // Links marked data-nav move inside the page: no reload, and the camera permission is kept.
  document.addEventListener("click", (ev) => {
    const link = ev.target.closest("a[data-nav]");
    if (!link || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    ev.preventDefault();
    history.pushState(null, "", link.getAttribute("href"));
    route();
  });
  window.addEventListener("hashchange", onNavigate);
  window.addEventListener("popstate", onNavigate);
  window.addEventListener("online", async () => {
    await sendOutbox();
    if (ctx.me && !$("view-home").hidden) showHome(); // fresh figures, the sent scans included
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { stopCamera(); return; }
    sendOutbox();
    if (!$("view-scan").hidden) startCamera(onDecoded);
    if (!$("view-home").hidden) drawOutbox();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
    warmDecoder();
  }
  route();
  sendOutbox();
}

init();
