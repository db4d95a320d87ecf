// 双报到情况报告: per quarter or year, each member of the branch (its subtree): registered or not,
// with which community, duties claimed, attended, confirmed hours, the liaison's evaluation and the
// flags 未报到 / 服务时长不足; the XLSX download. Organizers see their organizations' report, liaisons
// their community's (?org=ID or ?community=ID, &year=, &quarter=). A table; one card per row on a phone.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param } from "../shared/dom.js";
import { boot, errorText } from "../shared/shell.js";
import { dateOnly } from "./shared.js";

addText({
  rp_title: "双报到情况报告", rp_scope: "范围", rp_year: "年份", rp_period: "期间", rp_whole_year: "全年",
  rp_quarter: "第{n}季度", rp_xlsx: "下载 Excel", rp_only_flagged: "只看需关注的党员（{n}）",
  rp_none_scope: "您没有可以查看的支部或社区。", rp_none: "这个范围内没有党员。", rp_none_flagged: "没有需要关注的党员。",
  rp_threshold: "服务时长标准：本期 {n} 小时（全年 {y} 小时）；确认时长低于标准记为“服务时长不足”。",
  rp_caption: "{scope} · {period}", rp_org: "{name}", rp_community: "社区：{name}",
  col_name: "姓名", col_branch: "所在支部", col_community: "报到社区", col_since: "报到时间", col_claimed: "认领",
  col_attended: "参加", col_hours: "确认时长", col_evaluation: "社区评价", col_flags: "标记",
  tot_members: "党员", tot_registered: "已报到", tot_not_registered: "未报到", tot_under: "时长不足",
  tot_claimed: "认领", tot_attended: "参加", tot_hours: "确认时长",
  flag_not_registered: "未报到", flag_under_threshold: "服务时长不足",
}, {
  rp_title: "Double registration report", rp_scope: "Scope", rp_year: "Year", rp_period: "Period", rp_whole_year: "Whole year",
  rp_quarter: "Q{n}", rp_xlsx: "Download Excel", rp_only_flagged: "Only members to follow up ({n})",
  rp_none_scope: "There is no branch or community you may see.", rp_none: "No members in this scope.",
  rp_none_flagged: "No member needs following up.",
  rp_threshold: "Hours threshold: {n} h this period ({y} h a year); confirmed hours below it are flagged.",
  rp_caption: "{scope} · {period}", rp_org: "{name}", rp_community: "Community: {name}",
  col_name: "Name", col_branch: "Branch", col_community: "Community", col_since: "Registered", col_claimed: "Claimed",
  col_attended: "Attended", col_hours: "Hours", col_evaluation: "Evaluation", col_flags: "Flags",
  tot_members: "Members", tot_registered: "Registered", tot_not_registered: "Not registered", tot_under: "Under hours",
  tot_claimed: "Claimed", tot_attended: "Attended", tot_hours: "Hours",
  flag_not_registered: "Not registered", flag_under_threshold: "Under the hours",
});

const now = new Date();
const state = { scopes: null, scope: null, year: now.getFullYear(), quarter: Math.floor(now.getMonth() / 3) + 1,
  report: null, error: null, flaggedOnly: false, loading: false };

function scopePath(scope) {
  return scope.type === "org" ? `/organizations/${scope.id}/community-report` : `/communities/${scope.id}/report`;
}

function query() {
  return `year=${state.year}${state.quarter ? `&quarter=${state.quarter}` : ""}`;
}

async function load() {
  state.loading = true;
  state.error = null;
  history.replaceState(null, "", `${location.pathname}?${state.scope.type}=${state.scope.id}&year=${state.year}`
    + `&quarter=${state.quarter || 0}`); // 0: the whole year
  draw();
  try {
    state.report = await api(`${scopePath(state.scope)}?${query()}`);
  } catch (e) {
    state.report = null;
    state.error = errorText(e);
  }
  state.loading = false;
  draw();
}

function select(id, label, options, value, onchange, cls = "") {
  const node = el("select", { id, name: id, onchange: (ev) => onchange(ev.currentTarget.value) },
    options.map(([v, text]) => el("option", { value: v, selected: String(v) === String(value) }, text)));
  return el("div", { class: `field ${cls}` }, el("label", { for: id }, label), node);
}

function filters() {
  const scopes = state.scopes.map((s) => [`${s.type}:${s.id}`, t(s.type === "org" ? "rp_org" : "rp_community", { name: s.name })]);
  const list = new Set([now.getFullYear(), state.year, ...[1, 2, 3, 4].map((i) => now.getFullYear() - i)]);
  const years = [...list].sort((a, b) => b - a).map((y) => [y, String(y)]);
  const periods = [["", t("rp_whole_year")], ...[1, 2, 3, 4].map((n) => [n, t("rp_quarter", { n })])];
  return el("div", { class: "panel filters no-print" },
    select("scope", t("rp_scope"), scopes, `${state.scope.type}:${state.scope.id}`, (v) => {
      state.scope = state.scopes.find((s) => `${s.type}:${s.id}` === v);
      load();
    }, "wide"),
    select("year", t("rp_year"), years, state.year, (v) => { state.year = Number(v); load(); }),
    select("quarter", t("rp_period"), periods, state.quarter || "", (v) => { state.quarter = v ? Number(v) : null; load(); }),
    el("a", { class: "button wide", id: "report-xlsx", href: `/api/v1${scopePath(state.scope)}.xlsx?${query()}`,
      download: "" }, t("rp_xlsx")));
}

function totals(r) {
  const tot = r.totals;
  const count = (key, value, cls = "") => el("p", { class: `count ${cls}`, "data-total": key },
    el("b", {}, String(value)), el("span", {}, t(key)));
  return el("div", { class: "totals", id: "report-totals" },
    count("tot_members", tot.members), count("tot_registered", tot.registered),
    count("tot_not_registered", tot.not_registered, tot.not_registered ? "alarm" : ""),
    count("tot_under", tot.under_threshold, tot.under_threshold ? "alarm" : ""),
    count("tot_claimed", tot.duties_claimed), count("tot_attended", tot.attended), count("tot_hours", tot.hours_confirmed));
}

function cell(label, content, cls = "") {
  const blank = content === "" || (Array.isArray(content) && !content.length);
  return el("td", { "data-label": label, class: `${cls}${blank ? " blank" : ""}` }, content);
}

function row(r, branches) {
  const ev = r.evaluation;
  return el("tr", { class: r.flags.length ? "flagged" : "", "data-user": r.user_id },
    cell(t("col_name"), r.name, "who"),
    branches ? cell(t("col_branch"), r.branch_name || "") : null,
    cell(t("col_community"), r.community_name || "—"),
    cell(t("col_since"), dateOnly(r.registered_since)),
    cell(t("col_claimed"), String(r.duties_claimed), "num"),
    cell(t("col_attended"), String(r.attended), "num"),
    cell(t("col_hours"), String(r.hours_confirmed), "num"),
    cell(t("col_evaluation"), ev ? [ev.rating_label, ev.comment].filter(Boolean).join("：") : ""),
    cell(t("col_flags"), r.flags.length ? el("span", { class: "flags" },
      r.flags.map((f) => el("span", { class: "flag", "data-flag": f }, t(`flag_${f}`)))) : "", "flag-cell"));
}

const NUMERIC = new Set(["col_claimed", "col_attended", "col_hours"]);

function table(r) {
  const rows = state.flaggedOnly ? r.rows.filter((x) => x.flags.length) : r.rows;
  const branches = new Set(r.rows.map((x) => x.branch_id)).size > 1; // one branch: no column for it
  const cols = ["col_name", branches ? "col_branch" : null, "col_community", "col_since", "col_claimed", "col_attended", "col_hours",
    "col_evaluation", "col_flags"].filter(Boolean);
  if (!rows.length) return el("p", { class: "panel empty" }, t(r.rows.length ? "rp_none_flagged" : "rp_none"));
  return el("table", { class: "report-table", id: "report-table" },
    el("caption", {}, t("rp_caption", { scope: r.scope.name, period: r.period.label })),
    el("thead", {}, el("tr", {}, cols.map((c) => el("th", { scope: "col", class: NUMERIC.has(c) ? "num" : null }, t(c))))),
    el("tbody", {}, rows.map((x) => row(x, branches))));
}

function draw() {
  const main = $("main");
  const head = el("h1", {}, t("rp_title"));
  if (!state.scopes) { main.replaceChildren(head, el("p", { class: "muted center" }, state.error || t("st_loading"))); return; }
  if (!state.scope) { main.replaceChildren(head, el("p", { class: "panel empty" }, t("rp_none_scope"))); return; }
  const r = state.report;
  const flagged = r ? r.rows.filter((x) => x.flags.length).length : 0;
  const only = el("input", { type: "checkbox", id: "only-flagged", checked: state.flaggedOnly,
    onchange: (ev) => { state.flaggedOnly = ev.currentTarget.checked; draw(); } });
  fill(main, head, filters(),
    state.error ? el("p", { class: "panel error", role: "alert" }, state.error) : null,
    state.loading && !r ? el("p", { class: "muted center" }, t("st_loading")) : null,
    r ? totals(r) : null,
    r ? el("p", { class: "hint" }, t("rp_threshold", { n: r.threshold_hours, y: r.threshold_hours_per_year })) : null,
    r ? el("label", { class: "check no-print", for: "only-flagged" }, only, t("rp_only_flagged", { n: flagged })) : null,
    r ? table(r) : null);
}

boot({
  roles: ["organizer", "liaison", "admin"],
  start: async (me) => {
    const [orgs, communities] = await Promise.allSettled([
      me.organizer_of.length || me.roles.includes("admin") ? api("/organizations?managed=true") : [],
      me.liaison_of.length && !me.roles.includes("admin") ? api("/communities?managed=true") : []]);
    if (orgs.status === "rejected") state.error = errorText(orgs.reason);
    state.scopes = [...(orgs.value || []).map((o) => ({ type: "org", id: o.id, name: o.name })),
      ...(communities.value || []).map((c) => ({ type: "community", id: c.id, name: c.name }))];
    const pick = (type, id) => state.scopes.find((s) => s.type === type && s.id === Number(id));
    state.scope = pick("org", param("org")) || pick("community", param("community"))
      || pick("org", me.organizer_of[0]) || state.scopes[0] || null;
    if (param("year")) state.year = Number(param("year")) || state.year;
    if (param("quarter") !== null) state.quarter = Number(param("quarter")) || null;
    if (!state.scope) { draw(); return; }
    await load();
  },
  draw: () => draw(),
});
