// Participation report of an organization for a month, for organizers and admins: pick the organization
// and the month; the figures as charts and tables (the same numbers as the export), the CSV/XLSX
// downloads, and each event's attendance workbook for the month.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, param } from "../shared/dom.js";
import { boot, errorText } from "../shared/shell.js";
import { reportNodes } from "./report-view.js";

addText({
  rp_title: "参与情况报表", rp_org: "组织", rp_org_id: "组织编号", rp_month: "月份", rp_show: "查看报表",
  rp_intro: "主题党日出勤、缺席与迟到、服务时长和双报到覆盖情况，按组织和月份统计。",
  rp_pick_org: "请选择组织", rp_bad_month: "请选择月份", rp_download_xlsx: "下载 Excel 报表", rp_download_csv: "下载 CSV",
  rp_heading: "{org} · {month}", rp_generated: "统计时间 {time}", rp_no_orgs: "您没有可以查看报表的组织。",
}, {
  rp_title: "Participation report", rp_org: "Organization", rp_org_id: "Organization number", rp_month: "Month",
  rp_show: "Show", rp_intro: "Party-day attendance, absences and late arrivals, service hours and double-registration "
    + "coverage, per organization and month.",
  rp_pick_org: "Choose an organization", rp_bad_month: "Choose a month", rp_download_xlsx: "Download Excel",
  rp_download_csv: "Download CSV", rp_heading: "{org} · {month}", rp_generated: "Computed {time}",
  rp_no_orgs: "You have no organization to report on.",
});

const MAX_ORGS = 40; // events of at most this many organizations of the tree, in parallel calls
const state = { orgs: [], tree: false, report: null, events: { items: null }, error: null, loading: false };
let controls = null;
let seq = 0;

function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** The organizations I may report on: GET /organizations?managed=1 (with the tree), else my organizer ids. */
async function loadOrgs(me) {
  try {
    const list = await api("/organizations?managed=1");
    if (Array.isArray(list) && list.length) {
      state.orgs = list;
      state.tree = true;
      return;
    }
  } catch (e) {
    if (e.status !== 404 && e.status !== 405) throw e; // an older server without the directory
  }
  state.orgs = (me.organizer_of || []).map((id) => ({ id, name: `#${id}`, parent_id: null }));
}

function depth(org) {
  const byId = new Map(state.orgs.map((o) => [o.id, o]));
  let n = 0;
  for (let p = byId.get(org.parent_id); p && n < 10; p = byId.get(p.parent_id)) n += 1;
  return n;
}

function buildControls() {
  const org = state.orgs.length
    ? el("select", { id: "rp-org", name: "org" }, state.orgs.map((o) => el("option", { value: o.id },
      "\u3000".repeat(depth(o)) + o.name)))
    : el("input", { id: "rp-org", name: "org", type: "number", inputmode: "numeric", min: 1, step: 1 });
  const month = el("input", { id: "rp-month", name: "month", type: "month", min: "2000-01", max: "2100-12", required: true });
  const orgLabel = el("label", { for: "rp-org" });
  const monthLabel = el("label", { for: "rp-month" });
  const show = el("button", { type: "submit", class: "primary block", id: "rp-show" });
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const form = el("form", { class: "panel", id: "rp-form", novalidate: true },
    el("div", { class: "grid2" }, el("div", {}, orgLabel, org), el("div", {}, monthLabel, month)), error, show);
  const wanted = param("org");
  if (wanted && (!state.orgs.length || state.orgs.some((o) => String(o.id) === wanted))) org.value = wanted;
  month.value = /^\d{4}-\d{2}$/.test(param("month") || "") ? param("month") : thisMonth();
  form.addEventListener("submit", (ev) => { ev.preventDefault(); choose(); });
  org.addEventListener("change", () => { if (org.tagName === "SELECT") choose(); });
  month.addEventListener("change", () => { if (month.value) choose(); });
  controls = { form, org, month, orgLabel, monthLabel, show, error };
}

function relabel() {
  controls.orgLabel.textContent = t(state.orgs.length ? "rp_org" : "rp_org_id");
  controls.monthLabel.textContent = t("rp_month");
  controls.show.textContent = t("rp_show");
}

function choose() {
  const { org, month, error } = controls;
  error.hidden = true;
  const problem = !/^\d+$/.test(org.value) ? "rp_pick_org" : !/^\d{4}-\d{2}$/.test(month.value) ? "rp_bad_month" : null;
  if (problem) {
    error.textContent = t(problem);
    error.hidden = false;
    return;
  }
  history.replaceState(null, "", `?org=${org.value}&month=${month.value}`);
  load(Number(org.value), month.value);
}

/** Every organization of the tree under root (breadth first, so the nearest first), at most MAX_ORGS. */
function subtree(root) {
  if (!state.tree) return { ids: [root], truncated: 0 };
  const kids = new Map();
  for (const o of state.orgs) kids.set(o.parent_id, [...(kids.get(o.parent_id) || []), o.id]);
  const ids = [];
  const queue = [root];
  while (queue.length) {
    const id = queue.shift();
    ids.push(id);
    queue.push(...(kids.get(id) || []));
  }
  return { ids: ids.slice(0, MAX_ORGS), truncated: ids.length > MAX_ORGS ? MAX_ORGS : 0 };
}

async function monthEvents(report) {
  const { ids, truncated } = subtree(report.org.id);
  const range = `from=${encodeURIComponent(report.period.from)}&to=${encodeURIComponent(report.period.to)}`;
  const lists = await Promise.all(ids.map((id) => api(`/events?host_org_id=${id}&${range}&page_size=500`)));
  const start = Date.parse(report.period.from);
  const seen = new Set();
  const items = lists.flatMap((l) => l.items)
    .filter((e) => e.can_manage && e.status !== "draft" && Date.parse(e.starts_at) >= start && !seen.has(e.id) && seen.add(e.id))
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id - b.id);
  return { items, truncated };
}

async function load(orgId, month) {
  const mine = ++seq;
  Object.assign(state, { loading: true, error: null, report: null, events: { items: null } });
  draw();
  try {
    const report = await api(`/reports/participation?org_id=${orgId}&month=${month}`);
    if (mine !== seq) return;
    Object.assign(state, { report, loading: false });
  } catch (e) {
    if (mine !== seq) return;
    Object.assign(state, { error: errorText(e), loading: false });
  }
  draw();
  if (!state.report) return;
  try {
    const events = await monthEvents(state.report);
    if (mine !== seq) return;
    state.events = events;
  } catch (e) {
    if (mine !== seq) return;
    state.events = { items: null, error: errorText(e) };
  }
  draw();
}

function heading(report) {
  const q = `org_id=${report.org.id}&month=${report.month}`;
  return el("section", { class: "panel", id: "rp-head" },
    el("h2", {}, t("rp_heading", { org: report.org.name, month: report.month })),
    el("p", { class: "hint" }, t("rp_generated", { time: report.generated_at.slice(0, 16).replace("T", " ") })),
    el("div", { class: "downloads" },
      el("a", { class: "button primary", id: "rp-xlsx", href: `/api/v1/reports/participation?${q}&format=xlsx`, download: "" },
        t("rp_download_xlsx")),
      el("a", { class: "button", id: "rp-csv", href: `/api/v1/reports/participation?${q}&format=csv`, download: "" },
        t("rp_download_csv"))));
}

function draw() {
  if (!controls) return;
  relabel();
  const body = [];
  if (state.error) body.push(el("p", { class: "panel error", role: "alert" }, state.error));
  else if (state.loading) body.push(el("p", { class: "muted center" }, t("st_loading")));
  else if (state.report) body.push(heading(state.report), ...reportNodes(state.report, state.events));
  $("main").replaceChildren(el("h1", {}, t("rp_title")), el("p", { class: "muted intro" }, t("rp_intro")), controls.form,
    el("div", { id: "rp-body", "aria-live": "polite", "aria-busy": String(state.loading) }, ...body));
}

boot({
  roles: ["organizer", "admin"],
  start: async (me) => {
    try {
      await loadOrgs(me);
    } catch (e) {
      $("main").replaceChildren(el("p", { class: "panel error", role: "alert" }, errorText(e)));
      return;
    }
    if (!state.orgs.length && !me.roles.includes("admin")) {
      $("main").replaceChildren(el("p", { class: "panel error", role: "alert" }, t("rp_no_orgs")));
      return;
    }
    buildControls();
    draw();
    if (/^\d+$/.test(controls.org.value)) choose();
  },
  draw: () => draw(),
});
