// A member's organizational life (#meetings): the meetings coming up that expect me, with a leave request
// (请假) before each starts and its answer; the meetings I missed, with a make-up (补课) to record and its
// confirmation; my private calendar feed; and on the home screen the greeting on my political birthday (政治生日).
import { api, serverNow } from "../shared/api.js";
import { t } from "../shared/i18n.js";
import { $, el } from "../shared/dom.js";
import { kindLabel, kindsWhere } from "../shared/labels.js";
import { ctx, errorText, isoWithOffset, shortRange, show } from "./ui.js";

const ORG_KINDS = new Set(kindsWhere({ org_life: true }).map((k) => k.code));
const DAY_MS = 86400000;
const MISSED_STATES = new Set(["annulled", "excused"]);  // no presence: a make-up may stand for it
const LEAVE_BADGE = { pending: ["leave_pending", "state-pending"], approved: ["leave_approved", "state-confirmed"],
  declined: ["leave_declined", "state-rejected"], withdrawn: ["leave_withdrawn", ""] };

/** The home screen's line on my political birthday (nothing on other days, or offline). */
export async function drawBirthday() {
  const box = $("home-birthday");
  try {
    const b = await api("/orglife/me/birthday");
    box.textContent = b.today ? t("birthday_today", { name: ctx.me.name, years: b.years }) : "";
    box.hidden = !b.today;
  } catch {
    box.hidden = true;
  }
}

export async function showMeetings() {
  show("view-meetings", showMeetings);
  const list = $("meetings-list");
  list.replaceChildren(el("li", { class: "empty" }, t("loading")));
  const now = new Date();
  const from = encodeURIComponent(isoWithOffset(now));
  const to = encodeURIComponent(isoWithOffset(new Date(now.getTime() + 62 * DAY_MS)));
  const since = encodeURIComponent(isoWithOffset(new Date(now.getTime() - 92 * DAY_MS)));
  $("missed-list").replaceChildren(el("li", { class: "empty" }, t("loading")));
  let events;
  let mine;
  let ended;
  let makeups;
  try {
    [events, mine, ended, makeups] = await Promise.all([
      api(`/events?status=published&from=${from}&to=${to}&page_size=100`), api("/orglife/leave"),
      api(`/events?from=${since}&to=${from}&page_size=100`), api("/orglife/makeups")]);
  } catch (e) {
    if (e.status === 401) { ctx.requireLogin("login_hint_home", showMeetings); return; }
    list.replaceChildren(el("li", { class: "empty" }, errorText(e)));
    $("missed-list").replaceChildren();
    return;
  }
  drawMissed(ended.items, makeups, now);
  const leaveOf = new Map(mine.map((r) => [r.event_id, r]));
  const meetings = events.items.filter((e) => ORG_KINDS.has(e.kind) && Date.parse(e.starts_at) > now.getTime());
  if (!meetings.length) { list.replaceChildren(el("li", { class: "empty" }, t("meetings_none"))); return; }
  list.replaceChildren(...meetings.map((e) => meetingRow(e, leaveOf.get(e.id))));
}

function meetingRow(e, leave) {
  const meta = [[kindLabel(e.kind), shortRange(e.starts_at, e.ends_at), e.place_name].filter(Boolean).join(" · "),
    leave && leave.decision_note ? t("leave_note", { note: leave.decision_note }) : null];
  return meetingItem(e, meta, leave ? LEAVE_BADGE[leave.status] || ["", ""] : null, ["leave-ask", "leave_ask", leaveForm]);
}

/** A meeting's row: title and meta lines, then the answer's badge, or a button that opens the row's form. */
function meetingItem(e, meta, badge, [buttonClass, buttonKey, makeForm]) {
  const row = el("li", { class: "row meeting", "data-event": e.id },
    el("div", { class: "row-main" }, el("p", { class: "row-title" }, e.title),
      meta.filter(Boolean).map((m) => el("p", { class: "row-meta" }, m))),
    badge ? el("div", { class: "row-side" }, el("span", { class: `badge ${badge[1]}` }, t(badge[0]))) : null);
  if (badge) return row;
  const open = el("button", { type: "button", class: `secondary ${buttonClass}` }, t(buttonKey));
  open.addEventListener("click", () => { open.replaceWith(makeForm(e)); });
  row.querySelector(".row-main").append(open);
  return row;
}

/** A row's form: its fields, a check before anything is sent (a text key, or null), then send() and the list
 * drawn again; the server's refusal is shown in place. */
function rowForm(formClass, fields, submitKey, check, send) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", class: "primary" }, t(submitKey));
  const form = el("form", { class: formClass, novalidate: true }, ...fields, error, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const problem = check();
    if (problem) { error.textContent = t(problem); error.hidden = false; return; }
    submit.disabled = true;
    try {
      await send();
      showMeetings();
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

function leaveForm(e) {
  const id = `leave-reason-${e.id}`;
  const reason = el("textarea", { id, rows: 2, maxlength: 500 });
  return rowForm("leave-form", [el("label", { for: id }, t("leave_reason")), reason], "leave_submit",
    () => (reason.value.trim() ? null : "leave_reason_needed"),
    () => api("/orglife/leave", { method: "POST", body: { event_id: e.id, reason: reason.value.trim() } }));
}

function drawMissed(items, makeups, now) {
  const list = $("missed-list");
  const madeUp = new Map(makeups.map((m) => [m.event_id, m]));
  const missed = items.filter((e) => ORG_KINDS.has(e.kind) && e.status !== "cancelled"
    && Date.parse(e.ends_at) < now.getTime() && (!e.my_attendance || MISSED_STATES.has(e.my_attendance.state)))
    .sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at));
  if (!missed.length) { list.replaceChildren(el("li", { class: "empty" }, t("missed_none"))); return; }
  list.replaceChildren(...missed.map((e) => missedRow(e, madeUp.get(e.id))));
}

function missedRow(e, made) {
  const badge = made ? (made.confirmed ? ["makeup_confirmed", "state-confirmed"] : ["makeup_pending", "state-pending"])
    : null;
  return meetingItem(e, [[kindLabel(e.kind), shortRange(e.starts_at, e.ends_at)].join(" · ")], badge,
    ["makeup-record", "makeup_record", makeupForm]);
}

/** A datetime-local input's value (local wall time, to the minute). */
function localInput(date) {
  return isoWithOffset(date).slice(0, 16);
}

function makeupForm(e) {
  const cid = `makeup-content-${e.id}`;
  const wid = `makeup-when-${e.id}`;
  const content = el("textarea", { id: cid, rows: 3, maxlength: 5000 });
  const nowish = new Date(serverNow() - 60000);  // by the server's clock, which judges "not in the future"
  const when = el("input", { id: wid, type: "datetime-local", value: localInput(nowish),
    min: localInput(new Date(e.starts_at)), max: localInput(nowish) });
  return rowForm("makeup-form", [el("label", { for: cid }, t("makeup_content")), content,
    el("label", { for: wid }, t("makeup_when")), when], "makeup_submit",
  () => (content.value.trim() ? null : "makeup_content_needed"),
  () => api("/orglife/makeups", { method: "POST", body: { event_id: e.id, content: content.value.trim(),
    studied_at: isoWithOffset(when.value ? new Date(when.value) : nowish) } }));
}

export function wireMeetings() {
  $("feed-make").addEventListener("click", async () => {
    const out = $("feed-url");
    try {
      const feed = await api("/orglife/feeds", { method: "POST", body: { scope: "member" } });
      out.replaceChildren(el("a", { href: feed.webcal }, t("feed_open")), el("span", { class: "feed-text" }, feed.url));
    } catch (e) {
      out.textContent = errorText(e);
    }
    out.hidden = false;
  });
}
