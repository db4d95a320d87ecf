// Roster import (名册导入) for admins and organizers: choose a CSV or XLSX, check it with a dry run (row by
// row: create, update, unchanged, refused with reasons), then apply it — all or nothing, keyed by phone.
// The server decides what each person may import (organizers: plain members of their organizations).
import { api } from "../shared/api.js";
import { addText, lang, t } from "../shared/i18n.js";
import { $, el } from "../shared/dom.js";
import { busy, formDialog } from "../shared/dialog.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  im_title: "名册导入", im_intro: "上传 CSV 或 Excel（.xlsx）名册，列为：姓名、手机号、支部、社区、角色。先检查（试运行，不写入），"
    + "确认无误后再正式导入。以手机号识别党员：重复导入同一名册不会重复创建。",
  im_templates: "名册模板", im_tpl_xlsx: "下载 Excel 模板", im_tpl_csv: "下载 CSV 模板", im_file: "名册文件（CSV 或 .xlsx）",
  im_password: "新成员的初始密码（选填，至少 8 位）", im_password_hint: "不填则新建的成员暂时无法登录，需另行设置密码。",
  im_password_short: "初始密码至少 8 位", im_check: "检查名册（试运行）", im_checking: "正在检查…", im_apply: "正式导入",
  im_need_file: "请先选择名册文件", im_summary: "检查结果", im_result: "导入完成",
  n_rows: "共 {n} 行", n_create: "新建", n_update: "更新", n_unchanged: "不变", n_refuse: "有错误", n_all: "全部",
  im_refused: "有 {n} 行有错误，不能导入。请修改名册后重新选择文件并检查；正式导入要求所有行都没有错误。",
  im_ready: "检查通过：将新建 {c} 人，更新 {u} 人。", im_nothing: "名册与现有数据一致，无需导入。",
  im_confirm_title: "确认导入", im_confirm_text: "将新建 {c} 人，更新 {u} 人。导入要么全部完成，要么不做任何修改。",
  im_done: "导入完成：新建 {c} 人，更新 {u} 人，{n} 人不变。", im_again: "导入另一个名册", im_changed: "文件已更换，请重新检查。",
  im_row: "第 {n} 行", im_first_row: "（与第 {n} 行重复）", im_unknown_roles: "（{words}）", im_more: "再显示 {n} 行",
  im_ch_name: "姓名：{a} → {b}", im_ch_branch: "支部改为：{b}", im_ch_community: "社区改为：{b}", im_ch_roles: "增加角色：{b}",
  im_role_member: "党员", im_role_organizer: "组织者", im_role_liaison: "联络员", im_role_admin: "管理员",
  act_create: "新建", act_update: "更新", act_unchanged: "不变", act_refuse: "错误", im_filter: "按结果筛选",
  im_not_applied: "未导入任何数据。", im_missing: "名册里没有的在册成员（仅限名册涉及的支部）一并停用",
  im_missing_hint: "适合用完整的新名册更新支部：调离、退休的成员停用（可随时恢复，历史记录都保留）。",
  n_deactivate: "停用", act_deactivate: "停用", im_gone: "名册中已无此人", im_ch_active_on: "重新启用",
  im_ready_gone: "检查通过：将新建 {c} 人，更新 {u} 人，停用 {d} 人。",
}, {
  im_title: "Roster import", im_intro: "Upload a CSV or Excel (.xlsx) roster with the columns name, phone, branch, community, "
    + "role. Check it first (a dry run writes nothing), then import it. Members are known by phone: importing the same "
    + "roster again creates nobody twice.",
  im_templates: "Templates", im_tpl_xlsx: "Excel template", im_tpl_csv: "CSV template", im_file: "Roster file (CSV or .xlsx)",
  im_password: "Initial password for new members (optional, 8+ characters)",
  im_password_hint: "Without one, new members cannot sign in until a password is set for them.",
  im_password_short: "The initial password needs at least 8 characters", im_check: "Check the roster (dry run)",
  im_checking: "Checking…", im_apply: "Import", im_need_file: "Choose a roster file first", im_summary: "Check result",
  im_result: "Imported", n_rows: "{n} rows", n_create: "Create", n_update: "Update", n_unchanged: "Unchanged",
  n_refuse: "Errors", n_all: "All",
  im_refused: "{n} row(s) have errors, so nothing can be imported. Fix the roster, choose it again and check it: "
    + "an import needs every row to be right.",
  im_ready: "Check passed: {c} to create, {u} to update.", im_nothing: "The roster matches the data already here: nothing to import.",
  im_confirm_title: "Import the roster", im_confirm_text: "{c} to create, {u} to update. The import is all or nothing.",
  im_done: "Imported: {c} created, {u} updated, {n} unchanged.", im_again: "Import another roster",
  im_changed: "The file changed: check it again.", im_row: "Row {n}", im_first_row: " (same phone as row {n})",
  im_unknown_roles: " ({words})", im_more: "Show {n} more",
  im_ch_name: "name: {a} → {b}", im_ch_branch: "branch becomes {b}", im_ch_community: "community becomes {b}",
  im_ch_roles: "roles added: {b}", im_role_member: "member", im_role_organizer: "organizer", im_role_liaison: "liaison",
  im_role_admin: "admin", act_create: "create", act_update: "update", act_unchanged: "unchanged", act_refuse: "error",
  im_filter: "Filter by result", im_not_applied: "Nothing was imported.",
  im_missing: "Also deactivate active members missing from the roster (only of the branches it names)",
  im_missing_hint: "For updating a branch from a complete new roster: members who left are deactivated (reversible; their history stays).",
  n_deactivate: "Deactivate", act_deactivate: "deactivate", im_gone: "not on the roster any more",
  im_ch_active_on: "reactivated", im_ready_gone: "Check passed: {c} to create, {u} to update, {d} to deactivate.",
});

const PAGE = 100;
const FILTERS = ["all", "refuse", "create", "update", "deactivate", "unchanged"];
const state = { result: null, applied: false, error: null, errorRows: null, filter: "all", shown: PAGE };
let form = null;

function buildForm() {
  const file = el("input", { id: "im-file", name: "file", type: "file", accept: ".csv,.xlsx,text/csv,"
    + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const password = el("input", { id: "im-password", name: "initial_password", type: "text", autocomplete: "off",
    minlength: 8, maxlength: 128, "aria-describedby": "im-password-hint" });
  const check = el("button", { type: "submit", class: "primary block", id: "im-check" });
  const missing = el("input", { id: "im-missing", name: "deactivate_missing", type: "checkbox",
    "aria-describedby": "im-missing-hint" });
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const labels = { file: el("label", { for: "im-file" }), password: el("label", { for: "im-password" }),
    hint: el("p", { class: "hint", id: "im-password-hint" }), missingText: el("span"),
    missingHint: el("p", { class: "hint", id: "im-missing-hint" }) };
  const node = el("form", { class: "panel", id: "im-form", novalidate: true },
    labels.file, file, labels.password, password, labels.hint,
    el("label", { class: "check", for: "im-missing" }, missing, labels.missingText), labels.missingHint, error, check);
  missing.addEventListener("change", () => {
    if (state.result) Object.assign(state, { result: null, applied: false });
    draw();
  });
  node.addEventListener("submit", (ev) => { ev.preventDefault(); run(true, check); });
  file.addEventListener("change", () => {
    if (state.result || state.error) Object.assign(state, { result: null, applied: false, error: null, errorRows: null });
    draw();
  });
  form = { node, file, password, missing, check, error, labels };
}

function upload(dryRun) {
  const body = new FormData();
  body.append("file", form.file.files[0]);
  body.append("dry_run", dryRun ? "true" : "false");
  if (form.password.value) body.append("initial_password", form.password.value);
  if (form.missing.checked) body.append("deactivate_missing", "true");
  return api("/members/import", { method: "POST", body, timeout: 180000 });
}

async function run(dryRun, button) {
  form.error.hidden = true;
  const problem = !form.file.files.length ? "im_need_file"
    : form.password.value && form.password.value.length < 8 ? "im_password_short" : null;
  if (problem) {
    form.error.textContent = t(problem);
    form.error.hidden = false;
    return;
  }
  if (!dryRun) {
    const s = state.result.summary;
    const ok = await formDialog({ title: t("im_confirm_title"), text: t(s.deactivate ? "im_ready_gone" : "im_confirm_text",
      { c: s.create, u: s.update, d: s.deactivate }),
      submit: t("im_apply") });
    if (!ok) return;
  }
  if (dryRun) form.check.textContent = t("im_checking");
  try {
    const result = await busy(button, () => upload(dryRun));
    Object.assign(state, { result, lang: lang(), applied: result.applied, error: null, errorRows: null, shown: PAGE,
      filter: result.summary.refuse ? "refuse" : "all" });
  } catch (e) {
    // A real run refused (all or nothing): the server lists the rows that stopped it.
    const rows = e.code === "import_has_errors" && Array.isArray(e.details.rows) ? e.details.rows : null;
    Object.assign(state, { error: errorText(e), errorRows: rows, applied: false, filter: "all", shown: PAGE });
    if (e.status !== 0) state.result = null; // offline: keep the checked report, to try again
  }
  draw();
}

const doneText = (s) => t("im_done", { c: s.create, u: s.update, n: s.unchanged });
const roleText = (roles) => (roles || []).map((r) => t(`im_role_${r}`)).join("、");

function rowItem(r) {
  const reasons = (r.reasons || []).map((reason) => {
    let text = reason.message;
    if (reason.code === "duplicate_row" && r.details && r.details.first_row) text += t("im_first_row", { n: r.details.first_row });
    if (reason.code === "unknown_role" && r.details && r.details.unknown_roles) {
      text += t("im_unknown_roles", { words: r.details.unknown_roles.join("、") });
    }
    return el("li", { "data-reason": reason.code }, text);
  });
  const ch = r.changes || {};
  const changes = [
    ch.name ? t("im_ch_name", { a: ch.name[0], b: ch.name[1] }) : null,
    ch.branch_id ? t("im_ch_branch", { b: r.branch }) : null,
    ch.community_id ? t("im_ch_community", { b: r.community }) : null,
    ch.roles_added ? t("im_ch_roles", { b: roleText(ch.roles_added) }) : null,
    r.action === "deactivate" ? t("im_gone") : ch.active ? t("im_ch_active_on") : null,
  ].filter(Boolean);
  const badge = { create: " green", update: " amber", refuse: " red" }[r.action] || "";
  return el("li", { class: `item ${r.action}`, "data-row": r.row, "data-action": r.action },
    el("div", { class: "body" },
      el("div", {}, el("span", { class: `badge${badge}` }, t(`act_${r.action}`)), " ",
        el("span", { class: "name" }, r.name || "—"), " ",
        r.row ? el("span", { class: "meta" }, t("im_row", { n: r.row })) : null),
      el("div", { class: "meta" }, [r.phone, r.branch, r.community, roleText(r.roles)].filter(Boolean).join(" · ")),
      reasons.length ? el("ul", { class: "reasons" }, reasons) : null,
      changes.length ? el("ul", { class: "changes" }, changes.map((c) => el("li", {}, c))) : null));
}

function rowList(rows) {
  const picked = state.filter === "all" ? rows : rows.filter((r) => r.action === state.filter);
  const list = el("ul", { class: "list", id: "im-rows" }, picked.slice(0, state.shown).map(rowItem));
  const rest = picked.length - state.shown;
  return [list, rest > 0 ? el("button", { type: "button", class: "block", id: "im-more",
    onclick: () => { state.shown += PAGE; draw(); } }, t("im_more", { n: Math.min(rest, PAGE) })) : null];
}

function counts(s) {
  const box = (key, label, n) => el("div", { class: "count", "data-count": key }, el("b", {}, String(n)), el("span", {}, label));
  return el("div", { class: "summary", id: "im-summary" }, box("rows", t("n_all"), s.rows), box("create", t("n_create"), s.create),
    box("update", t("n_update"), s.update), box("unchanged", t("n_unchanged"), s.unchanged), box("refuse", t("n_refuse"), s.refuse),
    s.deactivate ? box("deactivate", t("n_deactivate"), s.deactivate) : null);
}

function filters(s) {
  return el("div", { class: "tabs filters", role: "group", "aria-label": t("im_filter") }, FILTERS.filter((f) => f === "all" || s[f])
    .map((f) => el("button", { type: "button", "aria-pressed": String(state.filter === f), "data-filter": f,
      onclick: () => { state.filter = f; state.shown = PAGE; draw(); } }, `${t(`n_${f}`)} ${f === "all" ? s.rows : s[f]}`)));
}

function reset() {
  form.file.value = "";
  form.password.value = "";
  Object.assign(state, { result: null, applied: false, error: null, errorRows: null });
  draw();
  form.file.focus();
}

function resultPanel() {
  const out = [];
  if (state.error) {
    out.push(el("section", { class: "panel", id: "im-error" }, el("p", { class: "error", role: "alert" }, state.error),
      state.errorRows ? el("p", {}, t("im_not_applied")) : null, ...(state.errorRows ? rowList(state.errorRows) : [])));
  }
  const r = state.result;
  if (!r) return out;
  const s = r.summary;
  const writes = s.create + s.update + (s.deactivate || 0);
  let verdict;
  if (r.applied) verdict = el("p", { class: "panel result-ok", id: "im-verdict", role: "status" }, doneText(s));
  else if (s.refuse) verdict = el("p", { class: "panel warn", id: "im-verdict", role: "status" }, t("im_refused", { n: s.refuse }));
  else verdict = el("p", { class: "panel", id: "im-verdict", role: "status" }, !writes ? t("im_nothing")
    : s.deactivate ? t("im_ready_gone", { c: s.create, u: s.update, d: s.deactivate }) : t("im_ready", { c: s.create, u: s.update }));
  const action = r.applied
    ? el("button", { type: "button", class: "block", id: "im-again", onclick: reset }, t("im_again"))
    : el("button", { type: "button", class: "primary block", id: "im-apply", disabled: Boolean(s.refuse || !writes),
      onclick: (ev) => run(false, ev.currentTarget) }, t("im_apply"));
  out.push(el("section", { class: "panel", id: "im-report" }, el("h2", {}, t(r.applied ? "im_result" : "im_summary")),
    counts(s), verdict, action, filters(s), ...rowList(r.rows)));
  return out;
}

function draw() {
  if (!form) return;
  form.labels.file.textContent = t("im_file");
  form.labels.password.textContent = t("im_password");
  form.labels.hint.textContent = t("im_password_hint");
  form.labels.missingText.textContent = t("im_missing");
  form.labels.missingHint.textContent = t("im_missing_hint");
  if (!form.check.disabled) form.check.textContent = t("im_check");
  form.node.hidden = state.applied;
  const templates = el("section", { class: "panel" }, el("h2", {}, t("im_templates")), el("div", { class: "downloads" },
    el("a", { class: "button", id: "im-tpl-xlsx", href: "/api/v1/members/import/template?format=xlsx", download: "" }, t("im_tpl_xlsx")),
    el("a", { class: "button", id: "im-tpl-csv", href: "/api/v1/members/import/template?format=csv", download: "" }, t("im_tpl_csv"))));
  $("main").replaceChildren(el("h1", {}, t("im_title")), el("p", { class: "muted intro" }, t("im_intro")), templates,
    form.node, el("div", { id: "im-body", "aria-live": "polite" }, ...resultPanel()));
}

/** A language switch redraws; a checked (not applied) roster is checked again for the reasons in that language. */
function redraw() {
  draw();
  if (state.result && !state.applied && state.lang !== lang() && form.file.files.length) run(true, form.check);
}

boot({ roles: ["admin", "organizer"], start: () => { buildForm(); }, draw: redraw });
