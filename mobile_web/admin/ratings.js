// The committee's view (工委): the league table of the branches under an organization with their stars,
// the stars' distribution and the monthly participation trend as SVG, the branches behind schedule, Excel
// and a print-friendly page; ?branch=ID opens one branch's breakdown (ratings-branch.js). Admins adjust and
// publish a year; a published year shows as it was published.
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param } from "../shared/dom.js";
import { busy, formDialog, toast } from "../shared/dialog.js";
import { boot, errorText } from "../shared/shell.js";
import { columnChart } from "./chart.js";
import { branchView, pct, starText } from "./ratings-branch.js";

addText({
  ev_title: "支部星级评定", ev_org: "组织", ev_year: "年度", ev_draft: "草稿：按当前数据实时计算，发布前可调整",
  ev_published: "已于 {at} 发布并锁定", ev_export: "导出 Excel", ev_print: "打印", ev_publish: "发布本年度评定",
  ev_publish_text: "发布后各支部的得分、星级和指标数据将保存并锁定，评分表以后的修改不再影响本年度。",
  ev_published_ok: "已发布", ev_distribution: "星级分布", ev_trend: "主题党日参与率（按月）", ev_rate: "参与率",
  ev_behind: "有逾期未开会议的支部", ev_overdue: "逾期 {n} 期", ev_rank: "名次", ev_branch: "支部", ev_score: "得分",
  ev_none: "没有可评定的支部。", ev_no_score: "暂无数据", ev_live: "活动实况大屏",
}, {
  ev_title: "Branch star ratings", ev_org: "Organization", ev_year: "Year",
  ev_draft: "Draft: computed live from today's records; adjustable until published",
  ev_published: "Published and locked on {at}", ev_export: "Export Excel", ev_print: "Print", ev_publish: "Publish the year",
  ev_publish_text: "Every branch's score, stars and figures are stored and locked; later changes of the sheet do not touch this year.",
  ev_published_ok: "Published", ev_distribution: "Stars", ev_trend: "Party day participation by month", ev_rate: "rate",
  ev_behind: "Branches with overdue meetings", ev_overdue: "{n} overdue", ev_rank: "Rank", ev_branch: "Branch",
  ev_score: "Score", ev_none: "No branch to rate.", ev_no_score: "no data", ev_live: "Live board",
});

const now = new Date();
const state = { me: null, orgs: [], orgId: Number(param("org")) || null, year: Number(param("year")) || now.getFullYear(),
  body: null, branch: Number(param("branch")) || null };

async function load() {
  const qs = `year=${state.year}${state.orgId ? `&org_id=${state.orgId}` : ""}`;
  try {
    state.body = state.branch ? await api(`/evaluation/ratings/${state.branch}?${qs.replace(/&org_id=\d+/, "")}`)
      : await api(`/evaluation/ratings?${qs}`);
  } catch (e) {
    state.body = null;
    toast(errorText(e), "bad");
  }
  draw();
}

function go(params) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) { if (v) url.searchParams.set(k, v); else url.searchParams.delete(k); }
  history.pushState(null, "", url);
  Object.assign(state, { branch: Number(url.searchParams.get("branch")) || null });
  load();
}

async function publish(button) {
  const ok = await formDialog({ title: t("ev_publish"), text: t("ev_publish_text"), submit: t("ev_publish") });
  if (!ok) return;
  try {
    await busy(button, () => api("/evaluation/publish", { method: "POST", body: { year: state.year } }));
    toast(t("ev_published_ok"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  load();
}

function header(body) {
  const orgPick = el("select", { id: "ev-org" }, state.orgs.map((o) => el("option", { value: o.id,
    selected: body && o.id === body.org.id }, o.name)));
  orgPick.addEventListener("change", () => { state.orgId = Number(orgPick.value); go({ org: orgPick.value, branch: null }); });
  const yearPick = el("select", { id: "ev-year" }, [0, 1, 2].map((d) => now.getFullYear() - d).map((y) =>
    el("option", { value: y, selected: y === state.year }, String(y))));
  yearPick.addEventListener("change", () => { state.year = Number(yearPick.value); go({ year: yearPick.value }); });
  const admin = state.me.roles.includes("admin");
  const pub = admin && body && body.status === "draft"
    ? el("button", { type: "button", class: "secondary no-print", id: "ev-publish" }, t("ev_publish")) : null;
  if (pub) pub.addEventListener("click", () => publish(pub));
  return el("section", { class: "panel" }, el("h1", {}, t("ev_title")),
    el("div", { class: "no-print" }, el("label", { for: "ev-org" }, t("ev_org")), orgPick,
      el("label", { for: "ev-year" }, t("ev_year")), yearPick),
    body ? el("p", { class: body.status === "published" ? "ok-text" : "muted", id: "ev-status" },
      body.status === "published" ? t("ev_published", { at: body.published_at.slice(0, 16).replace("T", " ") }) : t("ev_draft")) : null,
    el("div", { class: "row-actions no-print" },
      body ? el("a", { class: "button", href: `${API}/evaluation/ratings.xlsx?year=${state.year}&org_id=${body.org.id}`,
        download: "" }, t("ev_export")) : null,
      el("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("ev_print")),
      el("a", { class: "button", href: `/app/admin/live-board.html${body ? `?org=${body.org.id}` : ""}` }, t("ev_live")), pub));
}

function monthlyTrend(rows) {
  return Array.from({ length: 12 }, (_, m) => {
    const values = rows.map((r) => r.trend && r.trend[m]).filter((v) => v !== null && v !== undefined);
    return values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 10 : null;
  });
}

function table(body) {
  if (!body.rows.length) return el("p", { class: "panel muted" }, t("ev_none"));
  const dist = body.distribution;
  return [
    columnChart({ id: "ev-stars", title: t("ev_distribution"), labels: ["0", "1", "2", "3", "4", "5"].map((n) => `${n}★`),
      values: ["0", "1", "2", "3", "4", "5"].map((n) => dist[n]), seriesLabel: t("ev_branch"), format: String }),
    columnChart({ id: "ev-trend", title: t("ev_trend"), labels: Array.from({ length: 12 }, (_, i) => String(i + 1)),
      values: monthlyTrend(body.rows), seriesLabel: t("ev_rate"), max: 100, format: (v) => `${v}%` }),
    body.behind.length ? el("section", { class: "panel", id: "ev-behind" }, el("h2", {}, t("ev_behind")),
      el("ul", { class: "list" }, body.behind.map((b) => el("li", { class: "row" }, el("span", { class: "row-main" }, b.name),
        el("span", { class: "badge state-rejected" }, t("ev_overdue", { n: b.overdue })))))) : null,
    el("section", { class: "panel", id: "ev-table" }, el("ol", { class: "list league" }, body.rows.map((r) =>
      el("li", { class: "row", "data-branch": r.id },
        el("span", { class: "rank" }, String(r.rank)),
        el("div", { class: "row-main" },
          el("a", { href: `?org=${body.org.id}&year=${state.year}&branch=${r.id}`, class: "row-title",
            onclick: (ev) => { ev.preventDefault(); go({ branch: r.id }); } }, r.name),
          el("p", { class: "row-meta" }, [r.organ, r.parts.filter((p) => p.value !== null).slice(0, 3)
            .map((p) => `${p.label} ${pct(p)}`).join(" · ")].filter(Boolean).join(" · "))),
        el("div", { class: "row-side" }, el("span", { class: "stars", "aria-label": `${r.stars}★` }, starText(r.stars)),
          el("span", { class: "score" }, r.score === null ? t("ev_no_score") : String(r.score)))))))];
}

function draw() {
  const body = state.body;
  if (state.branch && body && body.branch) {
    fill($("main"), header(body), branchView(body, state, () => go({ branch: null }), load));
    return;
  }
  fill($("main"), header(body), body && body.rows ? table(body) : null);
}

boot({
  roles: ["organizer", "admin"],
  start: async (me) => {
    state.me = me;
    try { state.orgs = await api("/organizations?managed=true"); } catch (e) { toast(errorText(e), "bad"); }
    if (!state.orgId && state.orgs.length) state.orgId = state.orgs[0].id;
    window.addEventListener("popstate", () => { state.branch = Number(param("branch")) || null; load(); });
    load();
  },
  draw: () => { if (state.me) draw(); },
});
