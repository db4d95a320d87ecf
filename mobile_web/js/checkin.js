// Sending a scanned token (POST /scans) and the answer screen. Without a connection the scan goes
// to the outbox and the screen says "waiting to send"; the outbox's answer replaces it when it comes.
import { api, loadMe } from "../shared/api.js";
import { t } from "../shared/i18n.js";
import { $, hhmm } from "../shared/dom.js";
import { kindLabel, kindOf } from "../shared/labels.js";
import * as outbox from "./outbox.js";
import { ctx, show, setFacts, localTime, shortRange, isoWithOffset, uuid4, errorText, hoursText } from "./ui.js";

const ACCEPTED = new Set(["checked_in", "checked_out", "already_checked_in", "already_checked_out"]);
// Refusals where trying again (with a new client_scan_id) can give another answer.
const RETRYABLE = new Set(["not_open_yet", "rate_limited", "capacity_full", "location_required", "outside_geofence"]);
const NEEDS_LOCATION = new Set(["location_required", "outside_geofence"]);
const NEXT = {
  expired_token: "next_rescan", invalid_token: "next_rescan", not_open_yet: "next_not_open", closed: "next_ask",
  cancelled: "next_ask", not_eligible: "next_ask", capacity_full: "next_ask", outside_geofence: "next_location",
  location_required: "next_location", not_checked_in: "next_checkin_first", rate_limited: null,
  confirm_checkout: "next_confirm_checkout",
};
// A send this long after the scan (a sign-in first, a retry) tells the server when the code was opened:
// the scan is judged at that moment, not when it arrives.
const LATE_AFTER_MS = 3000;

let shown = null; // what the answer screen shows now, to redraw it (language switch, outbox answer)

// One record per token in sessionStorage: a reload sends the same client_scan_id, so it gets the
// first answer back instead of counting as a second scan.
function scanRecord(token, fresh = false) {
  const key = `qd-scan:${token}`;
  let rec = null;
  try { rec = fresh ? null : JSON.parse(sessionStorage.getItem(key) || "null"); } catch { rec = null; }
  if (!rec || typeof rec.id !== "string") {
    rec = { id: uuid4(), first: Date.now(), at: isoWithOffset(), tries: 0 };
    saveRecord(token, rec);
  }
  return rec;
}

/** Remember when a code was opened before anything else happens (a sign-in first). */
export function noteScan(token) { scanRecord(token); }

function saveRecord(token, rec) {
  try { sessionStorage.setItem(`qd-scan:${token}`, JSON.stringify(rec)); } catch { /* this page only */ }
}

function currentLocation() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      reject, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
}

/** Send the scan of `token` for the signed-in member and show the answer. */
export async function submitToken(token, opts = {}) {
  const rec = scanRecord(token, opts.fresh);
  draw({ kind: "pending" });
  const body = { token, client_scan_id: rec.id };
  if (opts.confirm) body.confirm_checkout = true;
  if (Date.now() - rec.first > LATE_AFTER_MS) body.scanned_at = rec.at;
  if (opts.withLocation || rec.location) {
    try {
      rec.location = rec.location || await currentLocation();
      saveRecord(token, rec);
    } catch {
      draw({ kind: "failure", message: t("location_failed"), retry: () => submitToken(token, opts) });
      return;
    }
    body.location = rec.location;
  }
  rec.tries += 1;
  saveRecord(token, rec);
  let data;
  try {
    data = await api("/scans", { method: "POST", body, timeout: 15000 });
  } catch (e) {
    if (e.status === 0) { await queue(token, rec); return; }
    if (e.status === 401) { ctx.requireLogin("login_hint_scan", () => submitToken(token, opts)); return; }
    if (e.status === 403 && e.code === "csrf_failed" && !opts.csrfRetried) {
      let me = null;
      try { me = await loadMe(); } catch { await queue(token, rec); return; }
      if (!me) { ctx.requireLogin("login_hint_scan", () => submitToken(token, opts)); return; }
      submitToken(token, { ...opts, fresh: false, csrfRetried: true });
      return;
    }
    if (e.status >= 500 || !e.body || !e.body.error) {
      draw({ kind: "failure", message: errorText(e), retry: () => submitToken(token, opts) });
      return;
    }
    draw({ kind: "answer", body: e.body, token });
    outbox.remove(rec.id).catch(() => {});
    return;
  }
  draw({ kind: "answer", body: data, token });
  outbox.remove(rec.id).catch(() => {}); // answered now: an earlier queued copy is not needed
}

async function queue(token, rec) {
  try {
    const item = await outbox.add(rec.id, token, rec.at);
    draw({ kind: "queued", id: rec.id, at: item.scanned_at });
  } catch {
    draw({ kind: "failure", message: t("network"), retry: () => submitToken(token) });
  }
}

/** The answer of a queued scan arrived: show it if the screen is waiting for it. */
outbox.changes.addEventListener("change", async () => {
  if (!shown || shown.kind !== "queued" || $("view-result").hidden) return;
  const item = await outbox.get(shown.id).catch(() => null);
  if (item && item.status === "done") {
    draw({ kind: "answer", body: item.response });
    // Seen here, so not listed again on the home screen (unless the page is in the background).
    if (!document.hidden) outbox.remove(item.id).catch(() => {});
  }
});

// ---------- the answer screen ----------

function draw(what) {
  shown = what;
  const box = $("view-result");
  for (const id of ["result-sub", "result-next", "result-note"]) $(id).textContent = "";
  $("result-event").hidden = true;
  setFacts($("result-facts"), []);
  $("result-retry").hidden = true;
  $("result-scan").hidden = what.kind === "pending";
  // Done: home (where the event now shows as done) is the next step; another scan is for another code.
  const done = what.kind === "answer" && Boolean(what.body && what.body.outcome);
  $("result-home").classList.toggle("primary", done);
  $("result-scan").textContent = t(done ? "scan_other" : "scan_again");
  if (what.kind === "pending") paint(box, "pending", "…", t("submitting"));
  else if (what.kind === "queued") {
    paint(box, "wait", "", t("queued_title")); // the mark is a clock drawn in CSS
    $("result-sub").textContent = t("queued_text");
    setFacts($("result-facts"), [[t("scanned_at"), localTime(what.at)]]);
  } else if (what.kind === "failure") {
    paint(box, "bad", "!", what.message);
    offerRetry("retry", what.retry);
  } else if (what.body && ACCEPTED.has(what.body.outcome)) accepted(box, what.body);
  else if (what.body && what.body.outcome === "pending_review") held(box, what.body);
  else refused(box, (what.body && what.body.error) || { code: "error", message: t("network") }, what.token);
  show("view-result", () => draw(what));
}

function paint(box, kind, mark, message) {
  box.className = `result ${kind}`;
  $("result-mark").textContent = mark;
  $("result-message").textContent = message;
}

function showEvent(ev) {
  if (!ev || !ev.title) return;
  $("event-title").textContent = ev.title;
  $("event-time").textContent = ev.starts_at ? `${t("event_time")}：${shortRange(ev.starts_at, ev.ends_at)}` : "";
  $("event-place").textContent = ev.place_name ? `${t("place")}：${ev.place_name}` : "";
  $("result-event").hidden = false;
}

function offerRetry(labelKey, action) {
  const button = $("result-retry");
  button.textContent = t(labelKey);
  button.onclick = action;
  button.hidden = false;
}

function accepted(box, data) {
  const att = data.attendance || {};
  const out = data.outcome === "checked_out" || data.outcome === "already_checked_out";
  let title = data.message || data.outcome;
  if (data.outcome === "already_checked_in") title = t("already_in_at", { time: hhmm(att.checkin_at) });
  if (data.outcome === "already_checked_out") title = t("already_out_at", { time: hhmm(att.checkout_at) });
  paint(box, "ok", "✓", title);
  if (data.outcome.startsWith("already")) $("result-sub").textContent = data.message || "";
  showEvent(data.event);
  const rows = [[t("checkin_at"), localTime(att.checkin_at)]];
  if (att.late) rows.push([t("late"), t("yes")]);
  if (att.checkout_at) rows.push([t("checkout_at"), localTime(att.checkout_at)]);
  const hours = att.hours_confirmed ?? att.hours_claimed;
  if (out && hours !== null && hours !== undefined) {
    rows.push([t("hours"), hoursText(hours) + (att.state === "pending" ? `（${t("hours_pending")}）` : "")]);
  }
  if (data.points_awarded) rows.push([t("points"), `${data.points_awarded > 0 ? "+" : ""}${data.points_awarded}`]);
  setFacts($("result-facts"), rows);
  const kind = data.event && data.event.kind;
  const checkinOnly = kindOf(kind) && !kindOf(kind).records_hours;
  let next = checkinOnly ? "next_checkin_only" : "next_checkout";
  if (out) next = att.state === "pending" ? "next_confirm" : "next_done";
  $("result-next").textContent = t(next, { kind: kindLabel(kind) });
  if (data.offline) $("result-note").textContent = t("offline_note", { time: hhmm(out ? att.checkout_at : att.checkin_at) });
}

// A delayed scan that waits for the organizer: neither a success nor a refusal, and nothing to retry.
function held(box, data) {
  paint(box, "wait", "", data.message || t("held_title"));
  showEvent(data.event);
  const review = data.review || {};
  const minutes = Math.max(1, Math.round((review.delay_s || 0) / 60));
  $("result-sub").textContent = t(review.reason === "no_location" ? "held_no_location" : "held_late", { minutes });
  $("result-next").textContent = t("held_next");
}

function refused(box, err, token) {
  const details = err.details || {};
  const ask = err.code === "confirm_checkout";  // a question, not a failure
  paint(box, ask ? "wait" : "bad", ask ? "" : "✕", err.message || err.code);
  showEvent(details.event);
  setFacts($("result-facts"), [[t("opens_at"), localTime(details.opens_at)]]);
  const next = err.code in NEXT ? NEXT[err.code] : "next_ask";  // null: the message already says what to do
  $("result-next").textContent = next ? t(next) : "";
  box.dataset.code = err.code;  // for support, not shown: a member reads the words and one piece of advice
  if (token && err.code === "confirm_checkout") {  // minutes after the check-in: ask before checking out
    offerRetry("confirm_checkout_button", () => submitToken(token, { fresh: true, confirm: true }));
    return;
  }
  if (token && RETRYABLE.has(err.code)) {
    const withLocation = NEEDS_LOCATION.has(err.code);
    offerRetry(withLocation ? "share_location" : "try_again", () => submitToken(token, { fresh: true, withLocation }));
  }
}
