// What the participation report page shows: key figures, SVG charts, the numbers table (the same cells
// as the CSV export), party days, absentees and late arrivals, and the month's events with their
// attendance workbooks. Every server string goes in as text.
import { addText, lang, t } from "../shared/i18n.js";
import { el, timeRange } from "../shared/dom.js";
import { kindLabel, kindOf, kindsWhere } from "../shared/labels.js";
import { barChart, columnChart } from "./chart.js";

addText({
  rv_rate: "出勤率", rv_absent: "缺席人次", rv_late: "迟到人次", rv_hours: "服务时长（小时）",
  rv_registered_share: "报到率", rv_chart_rate: "主题党日出勤率", rv_chart_absent: "缺席与迟到",
  rv_chart_hours: "服务时长（小时）", rv_chart_coverage: "双报到覆盖率", rv_trend_rate: "全年出勤率（按月）",
  rv_trend_hours: "全年服务时长（按月，小时）", rv_absent_s: "缺席", rv_late_s: "迟到",
  rv_registered_s: "已报到社区", rv_served_s: "本年到社区服务", rv_no_party: "没有{kind}的组织显示为“—”。",
  rv_table: "参与情况汇总", rv_metric: "指标", rv_total: "合计", rv_table_hint: "与导出的 CSV、Excel 数字一致。",
  m_members: "党员人数", m_expected: "应到人次", m_attended: "实到人次", m_attendance_rate: "出勤率", m_absent: "缺席人次",
  m_late: "迟到人次", m_excused: "请假人次（不计入出勤率基数）", m_kind_hours: "{kind}时长（小时）",
  m_hours: "服务时长合计（小时）", m_registered: "已报到社区人数", m_registered_share: "报到率",
  m_served: "本年到社区服务人数", m_served_share: "社区服务率",
  rv_not_yet: "尚未结束（不计入出勤率和缺席）", rv_not_yet_line: "{state} · 应到 {e} · 已签到 {c}",
  rv_open: "进行中", rv_coming: "未开始",
  rv_party_list: "本月{kind}", rv_party_line: "应到 {e} · 实到 {a} · 迟到 {l} · 缺席 {b} · 出勤率 {r}",
  rv_none: "本月没有。", rv_absentees: "缺席名单（{n}）", rv_lates: "迟到名单（{n}）", rv_in_at: "{time} 签到",
  rv_events: "本月活动签到表", rv_events_hint: "每个活动的签到表（Excel 工作簿或 CSV）。", rv_events_loading: "正在加载活动…",
  rv_events_more: "组织较多，只列出了前 {n} 个组织主办的活动。", rv_xlsx: "签到表 Excel", rv_csv: "签到表 CSV",
  rv_month_label: "{m} 月", rv_table_region: "参与情况汇总表（可左右滑动）",
}, {
  rv_rate: "Attendance", rv_absent: "Absences", rv_late: "Late arrivals", rv_hours: "Service hours",
  rv_registered_share: "Registered", rv_chart_rate: "Party-day attendance rate", rv_chart_absent: "Absences and late arrivals",
  rv_chart_hours: "Service hours", rv_chart_coverage: "Double-registration coverage", rv_trend_rate: "Attendance rate by month",
  rv_trend_hours: "Service hours by month", rv_absent_s: "Absent", rv_late_s: "Late",
  rv_registered_s: "Registered with a community", rv_served_s: "Served there this year",
  rv_no_party: "“—”: no {kind} for that organization.",
  rv_table: "Participation summary", rv_metric: "Figure", rv_total: "Total", rv_table_hint: "The same numbers as the CSV and Excel exports.",
  m_members: "Members", m_expected: "Expected", m_attended: "Attended", m_attendance_rate: "Attendance rate", m_absent: "Absences",
  m_late: "Late arrivals", m_excused: "On leave (not in the rate's base)", m_kind_hours: "{kind} hours",
  m_hours: "Hours in all", m_registered: "Registered with a community", m_registered_share: "Registration rate",
  m_served: "Served their community this year", m_served_share: "Community service rate",
  rv_not_yet: "Not ended yet (counted in no rate or absence)", rv_not_yet_line: "{state} · expected {e} · checked in {c}",
  rv_open: "under way", rv_coming: "coming",
  rv_party_list: "This month: {kind}", rv_party_line: "expected {e} · attended {a} · late {l} · absent {b} · rate {r}",
  rv_none: "None this month.", rv_absentees: "Absentees ({n})", rv_lates: "Late arrivals ({n})", rv_in_at: "in at {time}",
  rv_events: "Attendance sheets of the month", rv_events_hint: "Each event's attendance sheet (Excel workbook or CSV).",
  rv_events_loading: "Loading the events…", rv_events_more: "Many organizations: events of the first {n} are listed.",
  rv_xlsx: "Sheet (Excel)", rv_csv: "Sheet (CSV)", rv_month_label: "{m}", rv_table_region: "Participation summary (scrolls sideways)",
});

/** Kinds that record hours, in the table's order: the report has a "<code>_hours" column for each. */
/** The kind whose attendance is measured against the branch roster (the report's "party_days"). */
const rosterKind = () => kindsWhere({ expects_roster: true }).map((k) => kindLabel(k.code)).join("、");
const HOUR_KINDS = () => kindsWhere({ records_hours: true }).map((k) => k.code);
/** The table's rows, in the order of the export's columns. */
export const METRICS = ["members", "expected", "attended", "attendance_rate", "absent", "late", "excused",
  ...HOUR_KINDS().map((code) => `${code}_hours`), "hours", "registered", "registered_share", "served", "served_share"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const RATES = new Set(["attendance_rate", "registered_share", "served_share"]);
const HOURS = new Set([...HOUR_KINDS().map((code) => `${code}_hours`), "hours"]);

/** A row's name: "<kind> hours" rows are named after the kind's label from the server. */
const metricLabel = (key) => {
  const code = key.endsWith("_hours") ? key.slice(0, -6) : null;
  return code && kindOf(code) ? t("m_kind_hours", { kind: kindLabel(code) }) : t(`m_${key}`);
};
const none = (v) => v === null || v === undefined;
/** As the CSV writes them: rates "77.42%", hours as Python floats ("18.0", "3.25"), counts as integers. */
export const pct = (v) => (none(v) ? "—" : `${(Number(v) * 100).toFixed(2)}%`);
export const hrs = (v) => (none(v) ? "—" : Number.isInteger(Number(v)) ? Number(v).toFixed(1) : String(Number(v)));
const int = (v) => (none(v) ? "—" : String(v));
const cell = (key, v) => (RATES.has(key) ? pct(v) : HOURS.has(key) ? hrs(v) : int(v));

function figures(tot) {
  const box = (key, label, value) => el("div", { class: "count", "data-figure": key }, el("b", {}, value), el("span", {}, label));
  return el("div", { class: "counts", id: "rp-figures" },
    box("party_days", rosterKind(), int(tot.party_days)), box("attendance_rate", t("rv_rate"), pct(tot.attendance_rate)),
    box("absent", t("rv_absent"), int(tot.absent)), box("late", t("rv_late"), int(tot.late)),
    box("hours", t("rv_hours"), hrs(tot.hours)), box("registered_share", t("rv_registered_share"), pct(tot.registered_share)));
}

function charts(report) {
  const c = report.charts;
  const months = c.trend.labels.map((m) => (lang() === "en" ? MONTHS[Number(m.slice(5)) - 1]
    : t("rv_month_label", { m: Number(m.slice(5)) })));
  return el("div", { class: "charts" },
    barChart({ id: "chart-attendance_rate", title: t("rv_chart_rate"), max: 1, format: pct,
      note: c.attendance_rate.some((i) => none(i.value)) ? t("rv_no_party", { kind: rosterKind() }) : null,
      series: [{ key: "value", label: t("rv_rate") }],
      items: c.attendance_rate.map((i) => ({ label: i.label, values: [i.value] })) }),
    barChart({ id: "chart-absent_late", title: t("rv_chart_absent"), format: int,
      series: [{ key: "absent", label: t("rv_absent_s") }, { key: "late", label: t("rv_late_s") }],
      items: report.rows.map((r) => ({ label: r.name, values: [r.absent, r.late] })) }),
    barChart({ id: "chart-hours", title: t("rv_chart_hours"), format: hrs,
      series: HOUR_KINDS().map((code) => ({ key: code, label: kindLabel(code) })),
      items: c.hours.map((i) => ({ label: i.label, values: HOUR_KINDS().map((code) => i[code]) })) }),
    barChart({ id: "chart-coverage", title: t("rv_chart_coverage"), max: 1, format: pct,
      series: [{ key: "registered_share", label: t("rv_registered_s") }, { key: "served_share", label: t("rv_served_s") }],
      items: c.coverage.map((i) => ({ label: i.label, values: [i.registered_share, i.served_share] })) }),
    columnChart({ id: "chart-trend_rate", title: t("rv_trend_rate"), labels: months, values: c.trend.attendance_rate,
      seriesLabel: t("rv_rate"), max: 1, format: (v) => (none(v) ? "—" : `${Math.round(Number(v) * 100)}%`) }),
    columnChart({ id: "chart-trend_hours", title: t("rv_trend_hours"), labels: months, values: c.trend.volunteer_hours,
      seriesLabel: t("rv_hours"), format: (v) => (none(v) ? "—" : String(Math.round(Number(v) * 10) / 10)) }));
}

/** Metrics down the side, organizations across (narrow phones read it top to bottom). */
function numbersTable(report) {
  const cols = [...report.rows.map((r, i) => ({ id: `row-${i}`, r })), { id: "total", r: report.totals, total: true }];
  const table = el("table", { class: "data", id: "rp-table" },
    el("caption", {}, t("rv_table")),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("rv_metric")),
      cols.map((c) => el("th", { scope: "col", class: c.total ? "total" : null, "data-col": c.id },
        c.total ? t("rv_total") : c.r.name)))),
    el("tbody", {}, METRICS.map((key) => el("tr", { "data-key": key }, el("th", { scope: "row" }, metricLabel(key)),
      cols.map((c) => el("td", { class: c.total ? "total" : null, "data-col": c.id, "data-key": key }, cell(key, c.r[key])))))));
  return el("section", { class: "panel" },
    el("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": t("rv_table_region") }, table),
    el("p", { class: "hint" }, t("rv_table_hint")));
}

function byEvent(list, line) {
  const groups = new Map();
  for (const item of list) {
    if (!groups.has(item.event_id)) groups.set(item.event_id, { title: item.event_title || "", people: [] });
    groups.get(item.event_id).people.push(item);
  }
  return [...groups.values()].map((g) => el("div", {}, el("p", { class: "group-head" }, g.title),
    el("ul", { class: "list" }, g.people.map((p) => el("li", { class: "meta" }, line(p))))));
}

function partyDays(report) {
  const items = report.party_days.map((p) => el("li", { class: "item", "data-event": p.event_id },
    el("div", { class: "body" }, el("div", { class: "name" }, p.title),
      el("div", { class: "meta" }, [timeRange(p.starts_at), p.host_org_name].filter(Boolean).join(" · ")),
      el("div", { class: "meta" }, t("rv_party_line", { e: p.expected, a: p.attended, l: p.late, b: p.absent,
        r: pct(p.attendance_rate) })))));
  const people = (list, key, line) => (list.length ? el("details", { "data-list": key },
    el("summary", {}, t(key, { n: list.length })), ...byEvent(list, line)) : null);
  const pending = (report.party_days_not_yet_held || []).map((p) => el("li", { class: "item", "data-event": p.event_id },
    el("div", { class: "body" }, el("div", { class: "name" }, p.title),
      el("div", { class: "meta" }, timeRange(p.starts_at)),
      el("div", { class: "meta" }, t("rv_not_yet_line", { state: t(p.open ? "rv_open" : "rv_coming"),
        e: p.expected, c: p.checked_in })))));
  return el("section", { class: "panel", id: "rp-party" }, el("h2", {}, t("rv_party_list", { kind: rosterKind() })),
    items.length ? el("ul", { class: "list" }, items) : el("p", { class: "empty" }, t("rv_none")),
    pending.length ? el("details", { "data-list": "rv_not_yet", open: true }, el("summary", {}, t("rv_not_yet")),
      el("ul", { class: "list" }, pending)) : null,
    people(report.absentees, "rv_absentees", (p) => [p.name, p.branch_name].filter(Boolean).join(" · ")),
    people(report.late_arrivals, "rv_lates", (p) => [p.name, p.branch_name,
      t("rv_in_at", { time: timeRange(p.checkin_at) })].filter(Boolean).join(" · ")));
}

function eventsPanel(events) {
  const body = [];
  if (events.error) body.push(el("p", { class: "error", role: "alert" }, events.error));
  else if (!events.items) body.push(el("p", { class: "muted" }, t("rv_events_loading")));
  else if (!events.items.length) body.push(el("p", { class: "empty" }, t("rv_none")));
  else {
    body.push(el("ul", { class: "list", id: "rp-events" }, events.items.map((e) => el("li", { class: "item", "data-event": e.id },
      el("div", { class: "body" },
        el("div", {}, el("span", { class: "badge" }, kindLabel(e.kind)), " ", el("span", { class: "name" }, e.title)),
        el("div", { class: "meta" }, [timeRange(e.starts_at, e.ends_at), e.host_org_name].filter(Boolean).join(" · ")),
        el("div", { class: "downloads" },
          el("a", { class: "button", href: `/api/v1/events/${e.id}/attendance.xlsx`, download: "", "data-sheet": "xlsx",
            "aria-label": `${t("rv_xlsx")} · ${e.title}` }, t("rv_xlsx")),
          el("a", { class: "button", href: `/api/v1/events/${e.id}/attendance.csv`, download: "", "data-sheet": "csv",
            "aria-label": `${t("rv_csv")} · ${e.title}` }, t("rv_csv"))))))));
    if (events.truncated) body.push(el("p", { class: "hint" }, t("rv_events_more", { n: events.truncated })));
  }
  return el("section", { class: "panel", id: "rp-events-panel" }, el("h2", {}, t("rv_events")),
    el("p", { class: "hint" }, t("rv_events_hint")), ...body);
}

export function reportNodes(report, events) {
  return [figures(report.totals), charts(report), numbersTable(report), partyDays(report), eventsPanel(events)];
}
