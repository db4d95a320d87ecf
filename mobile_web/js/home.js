// Home: who I am, the big Scan button, what waits in the outbox, my points and hours this year,
// the events open now and coming up, and the staff pages my roles open.
import { api, forgetMe, rememberMe } from "../shared/api.js";
import { t } from "../shared/i18n.js";
import { $, el, hhmm } from "../shared/dom.js";
import { kindLabel, kindOf } from "../shared/labels.js";
import * as outbox from "./outbox.js";
import { ctx, show, rowsInto, shortRange, shortTime, isoWithOffset, hoursText } from "./ui.js";

/** The badge colour of a kind, from its flags in the server's table (not from its name). */
function kindTone(code) {
  const k = kindOf(code);
  if (!k) return "";
  return k.expects_roster ? "kind-roster" : k.needs_confirmation ? "kind-confirmed" : k.records_hours ? "kind-hours" : "";
}

const DAY_MS = 86400000;

function cacheKey() { return `qd-home:${ctx.me.id}`; }

function readCache() {
  try { return JSON.parse(localStorage.getItem(cacheKey()) || "null") || {}; } catch { return {}; }
}

function writeCache(data) {
  try { localStorage.setItem(cacheKey(), JSON.stringify(data)); } catch { /* fine: shown this time only */ }
}

export function showHome() {
  const me = ctx.me;
  show("view-home", showHome);
  $("home-hello").textContent = t("hello", { name: me.name });
  $("home-branch").textContent = me.branch ? me.branch.name : "";
  const roles = me.roles || [];
  const organizes = roles.includes("organizer") || roles.includes("admin");
  const liaises = roles.includes("liaison");
  $("manage-events").hidden = !organizes;
  $("manage-hours").hidden = !liaises;
  $("home-manage").hidden = !organizes && !liaises;
  drawCommunity(organizes, liaises);
  drawAdmin(organizes, roles.includes("admin"));
  drawOutbox();
  const cached = readCache();
  drawData(cached);
  refresh(cached);
}

// 双报到: "my community" under My records (with how to register when not yet), and the liaison's and
// organizer's community pages under Manage. Made here: index.html has no place for them.
function drawCommunity(organizes, liaises) {
  if (!$("home-community")) {
    $("home-records").after(el("a", { class: "button", id: "home-community", href: "/app/community/index.html" }),
      el("p", { class: "muted small hint", id: "home-community-note" }));
    $("manage-hours").after(el("a", { class: "button", id: "manage-community", href: "/app/community/liaison.html" }),
      el("a", { class: "button", id: "manage-report", href: "/app/community/report.html" }));
  }
  $("home-community").textContent = t("community_link");
  $("home-community-note").textContent = t("community_unregistered");
  $("home-community-note").hidden = Boolean(ctx.me.community_id);
  $("manage-community").textContent = t("manage_community");
  $("manage-community").hidden = !liaises;
  $("manage-report").textContent = t("manage_report");
  $("manage-report").hidden = !organizes;
}

// Reports and roster import for organizers and admins, points rules for admins: pages under /app/admin/.
function drawAdmin(organizes, admin) {
  const links = [["manage-participation", "/app/admin/report.html", "manage_participation", organizes],
    ["manage-import", "/app/admin/import.html", "manage_import", organizes],
    ["manage-rules", "/app/admin/rules.html", "manage_rules", admin]];
  for (const [id, href, key, shown] of links) {
    if (!$(id)) $("home-manage").append(el("a", { class: "button", id, href, "data-i18n": key }));
    $(id).textContent = t(key);
    $(id).hidden = !shown;
  }
}

function drawData(data, missing = "loading") {
  $("stat-points").textContent = data.balance ?? "—";
  $("stat-hours").textContent = data.hours ?? "—";
  rowsInto($("list-open"), (data.open || []).map((e) => eventRow(e, false)), data.open ? "none_open" : missing);
  rowsInto($("list-upcoming"), (data.upcoming || []).map((e) => eventRow(e, true)),
    data.upcoming ? "none_upcoming" : missing);
}

function eventRow(e, upcoming) {
  const mine = e.my_attendance;
  const done = mine && mine.state !== "annulled";  // "you're done": say so where the member looks first
  return {
    title: e.title,
    meta: [shortRange(e.starts_at, e.ends_at), e.place_name, upcoming ? t("opens", { time: shortTime(e.window_opens_at) }) : "",
      done ? t(mine.checkout_at ? "done_out" : "done_in", { time: shortTime(mine.checkout_at || mine.checkin_at) }) : ""],
    badge: done ? t(mine.checkout_at ? "badge_out" : "badge_in") : kindLabel(e.kind),
    badgeClass: done ? "done" : kindTone(e.kind),
  };
}

async function refresh(cached) {
  const me = ctx.me;
  const now = new Date();
  const from = encodeURIComponent(isoWithOffset(now));
  const to = encodeURIComponent(isoWithOffset(new Date(now.getTime() + 30 * DAY_MS)));
  const year = isoWithOffset(now).slice(0, 4);
  const calls = {
    me: api("/me"),
    open: api("/events?open_now=true&page_size=20").then((r) => r.items),
    upcoming: api(`/events?status=published&from=${from}&to=${to}&page_size=30`)
      .then((r) => r.items.filter((e) => Date.parse(e.window_opens_at) > now.getTime()).slice(0, 8)),
    balance: api("/points/ledger?page_size=1").then((r) => r.balance),
    hours: api(`/members/${me.id}/service-record?from=${year}-01-01`).then((r) => hoursText(r.totals.hours)),
  };
  const names = Object.keys(calls);
  const results = await Promise.allSettled(Object.values(calls));
  if (ctx.me !== me || $("view-home").hidden) return; // signed out or moved on meanwhile
  const fresh = { ...cached };
  let offline = false;
  let signedOut = false;
  results.forEach((r, i) => {
    if (r.status === "fulfilled") fresh[names[i]] = r.value;
    else if (r.reason && r.reason.status === 401) signedOut = true;
    else if (!r.reason || !r.reason.status) offline = true;
  });
  if (signedOut) {
    forgetMe();
    ctx.me = null;
    ctx.requireLogin("login_hint_home", showHome);
    return;
  }
  if (fresh.me) {
    ctx.me = { ...fresh.me };
    delete fresh.me;
    rememberMe(ctx.me);
    $("home-community-note").hidden = Boolean(ctx.me.community_id); // registered since the last visit
  }
  if (!offline) fresh.at = isoWithOffset();
  writeCache(fresh);
  drawData(fresh, "offline_now");
  $("home-stale").hidden = !offline;
  $("home-stale").textContent = fresh.at ? t("stale", { time: shortTime(fresh.at) }) : t("offline_now");
}

// ---------- the outbox on the home screen ----------

export async function drawOutbox() {
  let list = [];
  try { list = await outbox.items(); } catch { list = []; }
  const waiting = list.filter((i) => i.status === "waiting");
  const done = list.filter((i) => i.status === "done");
  $("stat-outbox").textContent = String(waiting.length);
  $("stat-outbox").parentElement.hidden = !waiting.length; // "0 to send" says nothing to a member
  $("outbox-waiting").hidden = !waiting.length;
  $("outbox-waiting").textContent = t("outbox_waiting", { n: waiting.length });
  $("outbox-send").hidden = !waiting.length;
  $("outbox-login").hidden = !outbox.state.needsLogin || !waiting.length;
  $("outbox-results-title").hidden = !done.length;
  $("outbox-results").replaceChildren(...done.map(resultItem));
  $("home-outbox").hidden = !waiting.length && !done.length;
  $("home-outbox").className = `panel outbox ${done.some((i) => !ok(i)) ? "has-bad" : ""}`;
}

function ok(item) { return Boolean(item.response && item.response.outcome); }
function heldItem(item) { return Boolean(item.response && item.response.outcome === "pending_review"); }

function resultItem(item) {
  const body = item.response || {};
  const err = body.error || {};
  const ev = body.event || (err.details && err.details.event) || {};
  const att = body.attendance || {};
  let message = body.message || err.message || err.code;
  if (body.outcome === "already_checked_in") message = t("already_in_at", { time: hhmm(att.checkin_at) });
  const tone = heldItem(item) ? "wait" : ok(item) ? "ok" : "bad";
  return el("li", { class: `row result-row ${tone}` },
    el("span", { class: "row-mark", "aria-hidden": "true" }, { wait: "…", ok: "✓", bad: "✕" }[tone]),
    el("div", { class: "row-main" },
      el("p", { class: "row-title" }, message),
      el("p", { class: "row-meta" }, ev.title || ""),
      el("p", { class: "row-meta" }, `${t("scanned_at")}：${shortTime(item.scanned_at)}`)),
    el("button", { type: "button", class: "small-button", onclick: () => outbox.remove(item.id) }, t("ack")));
}

outbox.changes.addEventListener("change", () => {
  if (!$("view-home").hidden) drawOutbox();
});
