// The branch secretary's 组织生活 page: what waits (leave to decide, make-ups to confirm), the year's
// compliance calendar (held / due / overdue per kind and period, XLSX), this year's meetings with their
// records (会议记录: file, attach, approve; amend with a reason once locked), the month's political birthdays
// and the branch's private calendar feed. Rates everywhere are on expected − excused (应到 − 请假).
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param, timeRange } from "../shared/dom.js";
import { askReason, busy, toast } from "../shared/dialog.js";
import { kindLabel, kindsWhere } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";
import { recordPanel } from "./orglife-record.js";

addText({
  ol_title: "组织生活", ol_org: "组织", ol_year: "年度", ol_inbox: "待处理", ol_inbox_none: "没有待处理的请假或补课。",
  ol_leave_for: "{name} 请假：{title}", ol_makeup_for: "{name} 补课：{title}", ol_approve: "准假", ol_decline: "不准假",
  ol_decline_title: "不准 {name} 的假", ol_confirm: "确认补课", ol_approved: "已准假", ol_declined: "已不准假",
  ol_confirmed: "已确认补课", ol_calendar: "三会一课完成情况", ol_base_note: "出勤率按“应到 − 请假”计算：准假的党员不算缺席。",
  ol_export: "导出 Excel", ol_held: "已开", ol_due: "待开", ol_overdue: "逾期", ol_behind: "{n} 个支部有逾期未开的会议",
  ol_period_month: "{n} 月", ol_period_quarter: "第 {n} 季度", ol_period_year: "全年",
  ol_meetings: "本年度会议", ol_no_meetings: "本年度还没有会议。", ol_record: "会议记录",
  ol_birthdays: "本月政治生日", ol_no_birthdays: "本月没有党员过政治生日。", ol_years: "入党 {n} 周年",
  ol_feed: "日历订阅", ol_feed_note: "把支部的会议加进手机或电脑日历（每个会议提前两次提醒）。链接是私密的，泄露后可重新生成，旧链接随即失效。",
  ol_feed_make: "生成订阅链接", ol_feed_copy: "复制链接", ol_copied: "已复制", ol_groups_missing: "未开：{groups}",
}, {
  ol_title: "Organizational life", ol_org: "Organization", ol_year: "Year", ol_inbox: "Waiting for you",
  ol_inbox_none: "No leave or make-up waits for you.", ol_leave_for: "{name} asks leave: {title}",
  ol_makeup_for: "{name} made up: {title}", ol_approve: "Approve", ol_decline: "Decline",
  ol_decline_title: "Decline {name}'s leave", ol_confirm: "Confirm", ol_approved: "Leave approved",
  ol_declined: "Leave declined", ol_confirmed: "Make-up confirmed", ol_calendar: "Meetings held (三会一课)",
  ol_base_note: "Attendance rates are on expected − excused: approved leave is not an absence.",
  ol_export: "Export Excel", ol_held: "held", ol_due: "due", ol_overdue: "overdue",
  ol_behind: "{n} branch(es) behind schedule", ol_period_month: "month {n}", ol_period_quarter: "Q{n}",
  ol_period_year: "year", ol_meetings: "This year's meetings", ol_no_meetings: "No meeting this year yet.",
  ol_record: "Record", ol_birthdays: "Political birthdays this month", ol_no_birthdays: "None this month.",
  ol_years: "{n} years in the Party", ol_feed: "Calendar feed",
  ol_feed_note: "Add the branch's meetings to a phone or computer calendar (two reminders each). The link is private; making a new one stops the old.",
  ol_feed_make: "Make a feed link", ol_feed_copy: "Copy link", ol_copied: "Copied", ol_groups_missing: "not yet: {groups}",
});

const state = { orgs: [], orgId: Number(param("org")) || null, year: new Date().getFullYear(), inbox: null,
  calendar: null, meetings: [], birthdays: [], feed: null, record: null };
const ORG_KINDS = kindsWhere({ org_life: true }).map((k) => k.code);

async function load() {
  const month = `${state.year}-${String(new Date().getMonth() + 1).padStart(2, "0")}`;
  const kinds = ORG_KINDS.map((k) => api(`/events?kind=${k}&host_org_id=${state.orgId}&from=${state.year}-01-01T00:00:00`
    + `&to=${state.year + 1}-01-01T00:00:00&page_size=200`).then((r) => r.items));
  const got = await Promise.allSettled([api("/orglife/inbox"),
    api(`/orglife/compliance?org_id=${state.orgId}&year=${state.year}`),
    api(`/orglife/birthdays?org_id=${state.orgId}&month=${month}`), Promise.all(kinds)]);
  const [inbox, calendar, birthdays, meetings] = got.map((r) => (r.status === "fulfilled" ? r.value : null));
  const failed = got.find((r) => r.status === "rejected");
  if (failed) toast(errorText(failed.reason), "bad");
  Object.assign(state, { inbox, calendar, birthdays: birthdays ? birthdays.items : [],
    meetings: (meetings || []).flat().sort((a, b) => a.starts_at.localeCompare(b.starts_at)) });
  draw();
}

async function decide(item, approve, button) {
  let note = "";
  if (!approve) {
    note = await askReason(t("ol_decline_title", { name: item.member_name }), "", t("ol_decline"), "", true);
    if (note === null) return;
  }
  try {
    await busy(button, () => api(`/orglife/leave/${item.id}/${approve ? "approve" : "decline"}`,
      { method: "POST", body: { note } }));
    toast(t(approve ? "ol_approved" : "ol_declined"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  load();
}

async function confirmMakeup(item, button) {
  try {
    await busy(button, () => api(`/orglife/makeups/${item.id}/confirm`, { method: "POST" }));
    toast(t("ol_confirmed"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  load();
}

function inboxPanel() {
  const inbox = state.inbox || { leave: [], makeups: [] };
  const rows = [
    ...inbox.leave.map((r) => {
      const yes = el("button", { type: "button", class: "small-button primary" }, t("ol_approve"));
      const no = el("button", { type: "button", class: "small-button danger" }, t("ol_decline"));
      yes.addEventListener("click", () => decide(r, true, yes));
      no.addEventListener("click", () => decide(r, false, no));
      return el("li", { class: "row", "data-leave": r.id }, el("div", { class: "row-main" },
        el("p", { class: "row-title" }, t("ol_leave_for", { name: r.member_name, title: r.event_title })),
        el("p", { class: "row-meta" }, r.reason)), el("div", { class: "row-actions" }, yes, no));
    }),
    ...inbox.makeups.map((m) => {
      const ok = el("button", { type: "button", class: "small-button primary" }, t("ol_confirm"));
      ok.addEventListener("click", () => confirmMakeup(m, ok));
      return el("li", { class: "row", "data-makeup": m.id }, el("div", { class: "row-main" },
        el("p", { class: "row-title" }, t("ol_makeup_for", { name: m.member_name, title: m.event_title })),
        el("p", { class: "row-meta" }, `${m.studied_at.slice(0, 10)} · ${m.content}`)), el("div", { class: "row-actions" }, ok));
    })];
  return el("section", { class: "panel", id: "ol-inbox" }, el("h2", {}, t("ol_inbox")),
    rows.length ? el("ul", { class: "list" }, rows) : el("p", { class: "muted" }, t("ol_inbox_none")));
}

/** For a kind required of each Party group: the groups that have not met enough in the period. */
function lagging(cell) {
  return (cell.groups || []).filter((g) => g.held < cell.min_count).map((g) => g.name).join("、");
}

function calendarPanel() {
  const cal = state.calendar;
  if (!cal) return null;
  const period = (kind, n) => t(`ol_period_${kind.period}`, { n });
  const branches = cal.branches.map((b) => el("div", { class: "ol-branch", "data-org": b.org_id },
    cal.branches.length > 1 ? el("h3", {}, b.name) : null,
    b.kinds.map((k) => el("div", { class: "ol-kind" }, el("p", { class: "ol-kind-name" }, k.label),
      el("ul", { class: "ol-cells" }, k.cells.map((c) => el("li", { class: `ol-cell ${c.status}`,
        title: `${period(k, c.period)}: ${c.held}/${c.min_count}` },
      el("span", { class: "ol-cell-period" }, period(k, c.period)),
      el("span", { class: "ol-cell-status" }, `${t("ol_" + c.status)} ${c.held}/${c.min_count}`),
      lagging(c) ? el("span", { class: "ol-cell-groups" }, t("ol_groups_missing", { groups: lagging(c) })) : null)))))));
  return el("section", { class: "panel", id: "ol-calendar" }, el("h2", {}, t("ol_calendar")),
    el("p", { class: "small muted" }, t("ol_base_note")),
    cal.behind.length ? el("p", { class: "warn-text" }, t("ol_behind", { n: cal.behind.length })) : null,
    branches,
    el("a", { class: "button", href: `${API}/orglife/compliance.xlsx?org_id=${state.orgId}&year=${state.year}`,
      download: "" }, t("ol_export")));
}

function meetingsPanel() {
  const rows = state.meetings.map((e) => {
    const open = el("button", { type: "button", class: "small-button secondary", "data-event": e.id }, t("ol_record"));
    open.addEventListener("click", () => { state.record = e; draw(); });
    return el("li", { class: "row" }, el("div", { class: "row-main" },
      el("p", { class: "row-title" }, e.title), el("p", { class: "row-meta" }, `${kindLabel(e.kind)} · ${timeRange(e.starts_at, e.ends_at)}`)),
    el("div", { class: "row-actions" }, open));
  });
  return el("section", { class: "panel", id: "ol-meetings" }, el("h2", {}, t("ol_meetings")),
    rows.length ? el("ul", { class: "list" }, rows) : el("p", { class: "muted" }, t("ol_no_meetings")));
}

function birthdaysPanel() {
  return el("section", { class: "panel", id: "ol-birthdays" }, el("h2", {}, t("ol_birthdays")),
    state.birthdays.length ? el("ul", { class: "list" }, state.birthdays.map((b) => el("li", { class: "row" },
      el("span", { class: "row-main" }, `${b.birthday.slice(5)} ${b.name}`), el("span", { class: "muted" }, t("ol_years", { n: b.years })))))
      : el("p", { class: "muted" }, t("ol_no_birthdays")));
}

function feedPanel() {
  const make = el("button", { type: "button", class: "secondary", id: "ol-feed-make" }, t("ol_feed_make"));
  make.addEventListener("click", async () => {
    try {
      state.feed = await busy(make, () => api("/orglife/feeds", { method: "POST", body: { scope: "branch", org_id: state.orgId } }));
    } catch (e) {
      toast(errorText(e), "bad");
    }
    draw();
  });
  const feed = state.feed;
  const copy = feed ? el("button", { type: "button", class: "secondary" }, t("ol_feed_copy")) : null;
  if (copy) copy.addEventListener("click", () => navigator.clipboard.writeText(feed.url).then(() => toast(t("ol_copied")), () => {}));
  return el("section", { class: "panel", id: "ol-feed" }, el("h2", {}, t("ol_feed")), el("p", { class: "small muted" }, t("ol_feed_note")),
    feed ? el("p", { class: "feed-url" }, el("a", { href: feed.webcal }, feed.url)) : null, copy, make);
}

function draw() {
  if (state.record) {
    fill($("main"), recordPanel(state.record, () => { state.record = null; load(); }));
    return;
  }
  const orgPick = el("select", { id: "ol-org" }, state.orgs.map((o) => el("option", { value: o.id, selected: o.id === state.orgId }, o.name)));
  orgPick.addEventListener("change", () => { state.orgId = Number(orgPick.value); state.feed = null; load(); });
  const yearPick = el("select", { id: "ol-year" }, [0, 1, 2].map((d) => new Date().getFullYear() - d).map((y) =>
    el("option", { value: y, selected: y === state.year }, String(y))));
  yearPick.addEventListener("change", () => { state.year = Number(yearPick.value); load(); });
  fill($("main"), el("section", { class: "panel" }, el("h1", {}, t("ol_title")),
    el("label", { for: "ol-org" }, t("ol_org")), orgPick, el("label", { for: "ol-year" }, t("ol_year")), yearPick),
  inboxPanel(), calendarPanel(), meetingsPanel(), birthdaysPanel(), feedPanel());
}

boot({
  roles: ["organizer", "admin"],
  start: async () => {
    try {
      state.orgs = await api("/organizations?managed=true");
    } catch (e) {
      toast(errorText(e), "bad");
      return;
    }
    if (!state.orgId && state.orgs.length) state.orgId = state.orgs[state.orgs.length - 1].id;
    if (state.orgId) load();
  },
  draw: () => { if (state.orgs.length) draw(); },
});
