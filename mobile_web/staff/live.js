// The live attendance page: counts and the list, refreshed every few seconds with ?since=cursor and
// merged by id; check-in by hand (live-checkin.js), annul with a reason, exports.
// live.html?event=ID
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, hhmm, param, timeRange } from "../shared/dom.js";
import { askReason, busy, toast } from "../shared/dialog.js";
import { kindLabel, kindOf, methodLabel, stateLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";
import { stopScan } from "../js/qr-reader.js";
import { checkinError, checkinPanel, manualCheckin } from "./live-checkin.js";
import { heldPanel } from "./held-scans.js";

addText({
  lv_expected: "应到", lv_present: "已到", lv_late: "迟到", lv_absent: "缺席", lv_not_yet: "未到",
  lv_list: "签到名单", lv_filter: "在名单中筛选",
  lv_show_annulled: "显示已作废", lv_empty: "还没有人签到。", lv_in_at: "签到 {time}", lv_out_at: "签退 {time}",
  lv_annul: "作废", lv_annul_title: "作废 {name} 的签到", lv_annul_text: "作废后积分会被扣回，原因会记入审计日志。",
  lv_annulled_ok: "已作废 {name} 的签到", lv_export_csv: "导出 CSV", lv_export_xlsx: "导出 Excel",
  lv_display: "签到大屏", lv_updated: "{time} 已更新", lv_offline: "连接中断，正在重试…", lv_back: "我的活动",
  lv_no_event: "缺少活动编号（?event=）。", lv_hours: "{n} 小时",
  lv_restore: "恢复", lv_restore_title: "恢复 {name} 的签到", lv_restore_go: "确认恢复",
  lv_restore_keep: "保持作废", lv_restore_text: "恢复到作废前的状态，扣回的积分重新发放，原因会记入审计日志。",
  lv_restored_ok: "已恢复 {name} 的签到",
  lv_rate: "出勤率 {rate}：已到 {present} ÷（应到 {expected} − 请假 {excused}）；请假不算缺席",
}, {
  lv_expected: "Expected", lv_present: "Present", lv_late: "Late", lv_absent: "Absent", lv_not_yet: "Not yet here",
  lv_list: "Attendance", lv_filter: "Filter the list",
  lv_show_annulled: "Show annulled", lv_empty: "Nobody has checked in yet.", lv_in_at: "in {time}",
  lv_out_at: "out {time}", lv_annul: "Annul", lv_annul_title: "Annul {name}'s attendance",
  lv_annul_text: "Points are taken back; the reason goes to the audit log.", lv_annulled_ok: "Annulled {name}",
  lv_export_csv: "Export CSV", lv_export_xlsx: "Export Excel", lv_display: "Check-in screen",
  lv_updated: "updated {time}", lv_offline: "Connection lost, retrying…", lv_back: "My events",
  lv_no_event: "No event given (?event=).", lv_hours: "{n} h",
  lv_restore: "Restore", lv_restore_title: "Restore {name}'s attendance", lv_restore_go: "Restore it",
  lv_restore_keep: "Keep it annulled",
  lv_restore_text: "Back to its state before the annulment, with its points paid again; the reason goes to the audit log.",
  lv_restored_ok: "Restored {name}",
  lv_rate: "Attendance {rate}: present {present} ÷ (expected {expected} − excused {excused}); leave is no absence",
});

const eventId = param("event");
const POLL_MS = 3000;
const state = { event: null, fatal: null, summary: null, items: new Map(), cursor: null, filter: "",
  showAnnulled: false, offline: false, updatedAt: null };
let pollTimer = null;
let held = null; // delayed scans waiting for a decision: refreshed with every poll

function merge(item) {
  state.items.set(item.id, { ...(state.items.get(item.id) || {}), ...item });
}

/** After a change made here: show it at once, then ask for the summary. */
function changed(item) {
  merge(item);
  drawList();
  poll();
}

let polling = false;
let pollAgain = false;
async function poll() {
  if (polling) { pollAgain = true; return; } // one request at a time; ask again when it ends
  polling = true;
  clearTimeout(pollTimer);
  try {
    const since = state.cursor ? `?since=${encodeURIComponent(state.cursor)}` : "";
    const answer = await api(`/events/${eventId}/attendance${since}`);
    for (const item of answer.items) merge(item);
    state.summary = answer.summary;
    state.cursor = answer.cursor;
    state.offline = false;
    state.updatedAt = new Date();
    if (answer.items.length || !$("att-list")?.childElementCount) drawList();
    if (held) held.refresh();
  } catch (e) {
    if (e.status === 401) { location.reload(); return; }
    if (e.status === 403 || e.status === 404) { state.fatal = errorText(e); draw(); return; }
    state.offline = true;
  } finally {
    polling = false;
  }
  drawCounts();
  if (pollAgain) { pollAgain = false; poll(); return; }
  pollTimer = setTimeout(poll, document.visibilityState === "hidden" ? POLL_MS * 5 : POLL_MS);
}

/** Counts that are attendance states are named by the server's state labels. */
const COUNT_STATE = { out: "checked_out", pending: "pending", annulled: "annulled", excused: "excused" };

// Drawn before the first answer too, with "–" in each cell: the numbers fill cells already in place, so
// nothing below moves when they arrive (the cells follow the kind's flags, as the summary's fields do).
function drawCounts() {
  const box = $("counts");
  if (!box) return;
  const s = state.summary || {};
  const ev = state.event;
  const roster = Boolean(kindOf(ev.kind) && kindOf(ev.kind).expects_roster);
  const cell = (key, value, cls) => el("div", { class: "count " + cls, "data-count": key },
    el("b", {}, String(value ?? "–")), el("span", {}, COUNT_STATE[key] ? stateLabel(COUNT_STATE[key]) : t("lv_" + key)));
  const cells = [];
  if (roster || (s.expected !== null && s.expected !== undefined)) cells.push(cell("expected", s.expected, ""));
  cells.push(cell("present", s.checked_in, "present"), cell("late", s.late, "late"));
  if (roster || (s.absent !== null && s.absent !== undefined)) {  // nobody is absent before the event has ended
    const over = Date.now() > Date.parse(ev.ends_at);
    const c = cell("absent", s.absent, over ? "absent" : "not-yet");
    if (!over) c.querySelector("span").textContent = t("lv_not_yet");
    cells.push(c, cell("excused", s.excused, "excused"));  // approved leave: neither present nor absent
  }
  if (ev.requires_checkout) cells.push(cell("out", s.checked_out, ""));
  if (ev.requires_confirmation) cells.push(cell("pending", s.pending, ""));
  cells.push(cell("annulled", s.annulled, ""));
  box.replaceChildren(...cells);
  const rate = $("rate");
  if (rate) {  // the base said where the rate is shown: expected minus excused
    rate.hidden = s.attendance_rate === null || s.attendance_rate === undefined;
    rate.textContent = rate.hidden ? "" : t("lv_rate", { rate: `${(100 * s.attendance_rate).toFixed(1)}%`,
      present: s.rate_base - s.absent, expected: s.expected, excused: s.expected - s.rate_base });
  }
  const note = $("updated");
  if (note) {
    note.textContent = state.offline ? t("lv_offline") : state.updatedAt
      ? t("lv_updated", { time: state.updatedAt.toTimeString().slice(0, 8) }) : "";
    note.className = state.offline ? "small error" : "small muted";
  }
}

async function annul(item, button) {
  const reason = await askReason(t("lv_annul_title", { name: item.member_name }), t("lv_annul_text"),
    t("lv_annul"), "", true);
  if (reason === null) return;
  try {
    const answer = await busy(button, () => api(`/events/${eventId}/attendance/${item.id}/annul`,
      { method: "POST", body: { reason } }));
    toast(t("lv_annulled_ok", { name: item.member_name }));
    changed(answer.attendance);
  } catch (e) {
    toast(errorText(e), "bad");
    if (e.details && e.details.attendance) changed(e.details.attendance);
  }
}

async function restore(item, button) {
  const reason = await askReason(t("lv_restore_title", { name: item.member_name }), t("lv_restore_text"),
    t("lv_restore_go"), "", false, t("lv_restore_keep"));
  if (reason === null) return;
  try {
    const answer = await busy(button, () => api(`/events/${eventId}/attendance/${item.id}/restore`,
      { method: "POST", body: { reason } }));
    toast(t("lv_restored_ok", { name: item.member_name }));
    changed(answer.attendance);
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

async function checkOut(item, button) {
  const reason = await askReason(t("ci_reason_out_title", { name: item.member_name }), t("ci_reason_text"),
    t("ci_out"));
  if (reason === null) return;
  button.disabled = true;
  await manualCheckin(eventId, { member_id: item.user_id, reason, direction: "out" }, item.member_name, changed)
    .catch((e) => toast(checkinError(e, item.member_name), "bad"));
  button.disabled = false;
}

function row(item) {
  const annulled = item.state === "annulled";
  const badges = [el("span", { class: "badge " + (annulled ? "red" : item.state === "checked_in" ? "green" : "") },
    stateLabel(item.state))];
  if (item.late) badges.push(el("span", { class: "badge amber" }, t("lv_late")));
  const times = [item.checkin_at ? `${t("lv_in_at", { time: hhmm(item.checkin_at) })} ${methodLabel(item.checkin_method)}` : "",
    item.checkout_at ? `${t("lv_out_at", { time: hhmm(item.checkout_at) })} ${methodLabel(item.checkout_method)}` : "",
    item.hours_confirmed ?? item.hours_claimed ? t("lv_hours", { n: item.hours_confirmed ?? item.hours_claimed }) : ""];
  const canOut = state.event.requires_checkout && item.state === "checked_in";
  return el("li", { class: "item" + (annulled ? " annulled" : ""), "data-att": item.id },
    el("div", { class: "body" },
      el("div", {}, el("span", { class: "name" }, item.member_name), " ", ...badges),
      el("div", { class: "meta" }, [item.branch_name, times.filter(Boolean).join(" · ")].filter(Boolean).join(" · ")),
      item.note ? el("div", { class: "meta small" }, item.note) : null),
    el("div", { class: "side" },
      canOut ? el("button", { type: "button", onclick: (e) => checkOut(item, e.currentTarget),
        "aria-label": `${t("ci_out")} ${item.member_name}` }, t("ci_out")) : null,
      annulled ? el("button", { type: "button", "data-action": "restore",
        "aria-label": `${t("lv_restore")} ${item.member_name}`, onclick: (e) => restore(item, e.currentTarget) },
      t("lv_restore"))
        : el("button", { type: "button", class: "danger", "data-action": "annul",
          "aria-label": `${t("lv_annul")} ${item.member_name}`, onclick: (e) => annul(item, e.currentTarget) },
        t("lv_annul"))));
}

function drawList() {
  const list = $("att-list");
  if (!list) return;
  const q = state.filter.toLowerCase();
  const items = [...state.items.values()]
    .filter((i) => state.showAnnulled || i.state !== "annulled")
    .filter((i) => !q || (i.member_name || "").toLowerCase().includes(q) || (i.member_phone || "").includes(q))
    .sort((a, b) => (a.state === "annulled") - (b.state === "annulled")
      || String(b.checkin_at || "").localeCompare(String(a.checkin_at || "")) || b.id - a.id);
  list.replaceChildren(...(items.length ? items.map(row) : [el("li", { class: "empty" }, t("lv_empty"))]));
}

function draw() {
  const main = $("main");
  if (state.fatal || !eventId) {
    main.replaceChildren(el("p", { class: "panel error", role: "alert" }, state.fatal || t("lv_no_event")),
      el("a", { class: "button", href: "/app/staff/events.html" }, t("lv_back")));
    return;
  }
  const ev = state.event;
  if ($("card-video")) stopScan($("card-video")); // a redraw (language switch) closes the camera
  if (!ev) { main.replaceChildren(el("p", { class: "muted center" }, t("st_loading"))); return; }
  const filter = el("input", { id: "att-filter", type: "search", autocomplete: "off", value: state.filter });
  filter.addEventListener("input", () => { state.filter = filter.value.trim(); drawList(); });
  const annulledBox = el("input", { type: "checkbox", id: "show-annulled", checked: state.showAnnulled });
  annulledBox.addEventListener("change", () => { state.showAnnulled = annulledBox.checked; drawList(); });
  const live = ev.status === "published";
  main.replaceChildren(
    el("section", { class: "panel" },
      el("div", {}, el("span", { class: "badge" }, kindLabel(ev.kind)),
        el("span", { class: "badge" + (ev.status === "cancelled" ? " red" : "") }, t("status_" + ev.status))),
      el("h1", { class: "card-title", id: "event-title" }, ev.title),
      el("p", { class: "meta" }, timeRange(ev.starts_at, ev.ends_at), ev.place_name ? ` · ${ev.place_name}` : ""),
      el("p", { id: "updated", class: "small muted", "aria-live": "off" }),
      el("div", { class: "actions" },
        live ? el("a", { class: "button", href: `/app/staff/display.html?event=${ev.id}&direction=in` },
          t("lv_display")) : null,
        el("a", { class: "button", id: "export-csv", href: `${API}/events/${ev.id}/attendance.csv`, download: "" },
          t("lv_export_csv")),
        el("a", { class: "button", id: "export-xlsx", href: `${API}/events/${ev.id}/attendance.xlsx`, download: "" },
          t("lv_export_xlsx")))),
    el("div", { class: "counts", id: "counts", "aria-live": "polite" }),
    el("p", { class: "small muted", id: "rate", hidden: true }),
    ev.status === "cancelled" ? null : checkinPanel({ event: ev, onItem: changed }),
    held ? held.panel : null,
    el("section", { class: "panel" },
      el("h2", {}, t("lv_list")),
      el("label", { for: "att-filter" }, t("lv_filter")), filter,
      el("label", { class: "check", for: "show-annulled" }, annulledBox, t("lv_show_annulled")),
      el("ul", { class: "list", id: "att-list" })));
  drawCounts();
  drawList();
}

boot({
  roles: ["organizer", "liaison", "admin"],
  start: async () => {
    if (!eventId) return;
    try {
      state.event = await api(`/events/${encodeURIComponent(eventId)}`);
    } catch (e) {
      state.fatal = errorText(e);
      draw();
      return;
    }
    held = heldPanel(state.event.id, changed);
    draw();
    poll();
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") poll(); });
  },
  draw,
});
