// The venue screen: the rotating QR, large, swapped for the next code as each window turns (well
// before the shown one expires), a countdown, the event title and the live count of arrivals.
// display.html?event=ID&direction=in|out
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, param, timeRange } from "../shared/dom.js";
import { stateLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  dp_in: "签到", dp_out: "签退", dp_scan_in: "用微信“扫一扫”或手机相机扫码签到",
  dp_scan_out: "服务结束后，用微信“扫一扫”或手机相机扫码签退", dp_next: "{n} 秒后更新二维码",
  dp_static: "静态二维码：活动签到时间内有效",
  dp_expected: "应到 {n} 人", dp_fullscreen: "全屏", dp_back: "返回", dp_qr_alt: "{dir}二维码",
  dp_trouble: "网络中断，正在重试…", dp_expired: "二维码已失效，正在重新连接…",
  dp_not_open: "签到将于 {time} 开放", dp_closed: "签到时间已结束", dp_no_event: "缺少活动编号（?event=）。", dp_live: "现场名单",
  dp_not_live: "草稿或已取消的活动没有签到码。",
}, {
  dp_in: "Check-in", dp_out: "Check-out", dp_scan_in: "Scan with WeChat or your phone camera to check in",
  dp_scan_out: "After service, scan with WeChat or your phone camera to check out", dp_next: "New code in {n} s",
  dp_static: "Static code: valid during the check-in window",
  dp_expected: "of {n} expected", dp_fullscreen: "Full screen", dp_back: "Back", dp_qr_alt: "{dir} QR code",
  dp_trouble: "Connection lost, retrying…", dp_expired: "The code has expired; reconnecting…",
  dp_not_open: "Check-in opens at {time}", dp_closed: "Check-in has closed", dp_no_event: "No event given (?event=).", dp_live: "Live attendance",
  dp_not_live: "A draft or cancelled event has no code to show.",
});

const eventId = param("event");
const direction = param("direction") === "out" ? "out" : "in";
const COUNT_EVERY_MS = 4000;
const RETRY_MS = 3000;
const state = { event: null, fatal: null, token: null, img: null, nextAt: 0, expiresAt: 0, period: 20,
  trouble: null, summary: null, cursor: null };
const timers = {};

function qrSrc(token) {
  return `${API}/events/${eventId}/qr?format=svg&direction=${direction}&token=${encodeURIComponent(token)}`;
}

/** Load the next image off-screen and swap it in once it is ready (no blank frame). */
function swapImage(token) {
  return new Promise((resolve) => {
    const img = el("img", { class: "show-qr", id: "qr", alt: t("dp_qr_alt", { dir: t("dp_" + direction) }) });
    const show = () => {
      const old = state.img;
      state.img = img;
      if (old && old.parentNode) old.replaceWith(img); else drawQrBox();
      resolve(true);
    };
    img.onload = () => img.decode().then(show, show); // decoded before it replaces the shown code
    img.onerror = () => resolve(false);
    img.src = qrSrc(token);
  });
}

let fetching = false;
async function refreshCode() {
  if (fetching) return; // the request under way will schedule the next one
  fetching = true;
  clearTimeout(timers.code);
  let wait = RETRY_MS;
  try {
    const resp = await api(`/events/${eventId}/qr-token?direction=${direction}`, { raw: true });
    const code = await resp.json();
    const skew = Date.now() - (Date.parse(resp.headers.get("Date")) || Date.now());
    if (code.token !== state.token && !(await swapImage(code.token))) throw new Error(t("dp_trouble"));
    state.token = code.token;
    state.nextAt = Date.now() + code.refresh_in_seconds * 1000;
    state.expiresAt = Date.parse(code.expires_at) + skew; // on this device's clock
    if (state.event.qr_mode !== "static") {
      state.period = Math.max(1, Math.round((state.expiresAt - state.nextAt) / 1000));
    }
    state.trouble = null;
    wait = code.refresh_in_seconds * 1000 + 250; // just after the window turns
  } catch (e) {
    if ([403, 404, 409, 422].includes(e.status)) {
      state.fatal = e.status === 409 ? t("dp_not_live") : errorText(e);
      draw();
      return;
    }
    if (e.status === 401) { location.reload(); return; }
    state.trouble = e.status === undefined ? e.message : errorText(e);
  } finally {
    fetching = false;
  }
  if (state.fatal) return;
  timers.code = setTimeout(refreshCode, wait);
  tick();
}

let counting = false;
async function pollCount() {
  if (counting) return;
  counting = true;
  clearTimeout(timers.count);
  try {
    const answer = await api(`/events/${eventId}/attendance${state.cursor ? "?since=" + state.cursor : ""}`);
    state.summary = answer.summary;
    state.cursor = answer.cursor;
    drawCount();
  } catch { /* the count waits for the next round */ }
  counting = false;
  timers.count = setTimeout(pollCount, COUNT_EVERY_MS);
}

function setText(id, text) {
  const node = $(id);
  if (node && node.textContent !== text) node.textContent = text;
  if (node) node.hidden = !text;
}

/** Every quarter second: the countdown, and the code hidden once it can no longer be accepted. */
function tick() {
  const bar = $("progress");
  if (!bar || !state.event) return;
  const now = Date.now();
  const expired = state.token && now >= state.expiresAt - 1000;
  if (state.img) state.img.hidden = !!(state.trouble && expired);
  const opens = Date.parse(state.event.window_opens_at);
  setText("window", now < opens ? t("dp_not_open", { time: timeRange(state.event.window_opens_at) })
    : now > Date.parse(state.event.window_closes_at) ? t("dp_closed") : "");
  setText("trouble", state.trouble ? t(expired ? "dp_expired" : "dp_trouble") : "");
  const rotating = state.event.qr_mode !== "static";
  const left = Math.max(0, Math.ceil((state.nextAt - now) / 1000));
  setText("countdown", state.trouble || !state.token ? "" : rotating ? t("dp_next", { n: left }) : t("dp_static"));
  $("countdown").dataset.seconds = String(left);
  bar.hidden = !rotating || !!state.trouble || !state.token;
  bar.max = state.period;
  bar.value = Math.min(left, state.period);
}

function drawCount() {
  const box = $("count");
  if (!box || !state.summary) return;
  const s = state.summary;
  const n = direction === "out" ? s.checked_out : s.checked_in;
  box.replaceChildren(el("span", { class: "show-count-label" }, stateLabel(direction === "out" ? "checked_out" : "checked_in")),
    el("b", { id: "count-value" }, String(n)),
    s.expected !== null && s.expected !== undefined && direction === "in"
      ? el("span", { class: "show-count-label" }, t("dp_expected", { n: s.expected })) : "");
}

function drawQrBox() {
  const box = $("qr-box");
  if (box) box.replaceChildren(...(state.img ? [state.img] : []));
}

function fullscreen() {
  const root = document.documentElement;
  if (root.requestFullscreen) root.requestFullscreen().catch(() => {});
}

function draw() {
  const main = $("main");
  if (state.fatal || !eventId) {
    main.replaceChildren(el("div", { class: "panel" }, el("p", { class: "error", role: "alert" },
      state.fatal || t("dp_no_event")), el("a", { class: "button", href: "/app/staff/events.html" }, t("dp_back"))));
    return;
  }
  if (!state.event) { main.replaceChildren(el("p", { class: "muted center" }, t("st_loading"))); return; }
  const ev = state.event;
  if (state.img) state.img.alt = t("dp_qr_alt", { dir: t("dp_" + direction) });
  main.replaceChildren(el("div", { class: "show" },
    el("div", { class: "show-qr-box", id: "qr-box" }),
    el("div", { class: "show-info" },
      el("p", { class: "show-dir " + direction }, t("dp_" + direction)),
      el("h1", { class: "show-title", id: "show-title" }, ev.title),
      el("p", { class: "show-meta" }, timeRange(ev.starts_at, ev.ends_at), ev.place_name ? ` · ${ev.place_name}` : ""),
      el("p", { class: "show-how" }, t(direction === "out" ? "dp_scan_out" : "dp_scan_in")),
      el("div", { class: "show-count", id: "count", "aria-live": "polite" }),
      el("p", { class: "show-countdown", id: "countdown", hidden: true }),
      el("progress", { class: "show-progress", id: "progress", max: 20, value: 0, hidden: true, "aria-hidden": "true" }),
      el("p", { class: "show-window", id: "window", hidden: true }),
      el("p", { class: "show-trouble", id: "trouble", role: "alert", hidden: true }),
      el("div", { class: "show-tools" },
        el("button", { type: "button", id: "fullscreen", onclick: fullscreen }, t("dp_fullscreen")),
        el("a", { class: "button", href: `/app/staff/live.html?event=${eventId}` }, t("dp_live")),
        el("a", { class: "button", href: "/app/staff/events.html" }, t("dp_back"))))));
  drawQrBox();
  drawCount();
  tick();
}

async function keepAwake() {
  try { if (navigator.wakeLock) await navigator.wakeLock.request("screen"); } catch { /* not granted: fine */ }
}

boot({
  roles: ["organizer", "liaison", "admin"],
  bare: true,
  start: async () => {
    if (!eventId) return;
    try {
      state.event = await api(`/events/${encodeURIComponent(eventId)}`);
    } catch (e) {
      state.fatal = errorText(e);
      draw();
      return;
    }
    draw();
    refreshCode();
    pollCount();
    setInterval(tick, 250);
    keepAwake();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") { keepAwake(); refreshCode(); pollCount(); }
    });
  },
  draw,
});
