// People for organizers and admins: who asked for a password reset, members of my organizations found by
// name or phone, branch and status, and one member's page (reset code, deactivate / reactivate, move, new
// card, roles for admins). Every change asks for a reason and is audited by the server.
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param } from "../shared/dom.js";
import { askReason, busy, formDialog, toast } from "../shared/dialog.js";
import { stateLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  pp_title: "人员管理", pp_help: "申请重置密码的成员", pp_asked: "{time} 申请", pp_reset: "发重置码",
  pp_search: "姓名或手机号", pp_status: "状态", pp_branch: "组织", pp_all_orgs: "全部", pp_find: "查找",
  st_active: "在册", st_waiting: "待激活", st_inactive: "已停用", st_all: "全部", pp_total: "共 {n} 人",
  pp_more: "加载更多", pp_none: "没有符合条件的成员。", pp_back: "返回名单",
  pp_phone: "手机号", pp_branch_f: "支部", pp_community: "报到社区", pp_card: "签到卡版本", pp_roles: "角色",
  pp_recent: "最近签到", pp_none_f: "无", pp_deactivate: "停用账号", pp_reactivate: "恢复账号",
  pp_deact_text: "停用后该成员在所有设备上退出登录，不能再签到；已有的签到、时长和积分全部保留。",
  pp_move: "调动支部或社区", pp_move_text: "历史记录留在原处；迁出社区时，其未来的认领自动撤回，联络员可看到原因。",
  pp_new_branch: "新支部", pp_new_community: "新社区", pp_unchanged: "不变", pp_card_new: "补发签到卡",
  pp_card_text: "补发后旧卡立即作废，扫旧卡签到会被拒绝。", pp_grant: "授予角色", pp_role: "角色",
  pp_scope_org: "组织（组织者）", pp_scope_community: "社区（联络员）", pp_remove: "移除",
  role_organizer: "组织者", role_liaison: "联络员", role_admin: "管理员", role_member: "党员",
  pp_reset_title: "{name} 的重置码", pp_reset_text: "当面或电话告诉本人：在登录页点“输入激活码”，或扫描下面的二维码，核对姓名和手机号后设置新密码。24 小时内有效，只显示这一次。",
  pp_done: "已完成", pp_not_activated: "尚未激活", pp_activation: "激活条与加入二维码",
}, {
  pp_title: "People", pp_help: "Members asking for a password reset", pp_asked: "asked {time}", pp_reset: "Reset code",
  pp_search: "Name or phone", pp_status: "Status", pp_branch: "Organization", pp_all_orgs: "All", pp_find: "Find",
  st_active: "Active", st_waiting: "Not activated", st_inactive: "Deactivated", st_all: "All", pp_total: "{n} members",
  pp_more: "Load more", pp_none: "No member matches.", pp_back: "Back to the list",
  pp_phone: "Phone", pp_branch_f: "Branch", pp_community: "Community", pp_card: "Card version", pp_roles: "Roles",
  pp_recent: "Recent check-ins", pp_none_f: "None", pp_deactivate: "Deactivate", pp_reactivate: "Reactivate",
  pp_deact_text: "They are signed out everywhere and cannot check in; their check-ins, hours and points all stay.",
  pp_move: "Move to another branch or community", pp_move_text: "History stays where it was earned; leaving a community withdraws their future claims there (the liaison sees why).",
  pp_new_branch: "New branch", pp_new_community: "New community", pp_unchanged: "Unchanged", pp_card_new: "Reissue card",
  pp_card_text: "The old card stops working at once.", pp_grant: "Grant a role", pp_role: "Role",
  pp_scope_org: "Organization (organizer)", pp_scope_community: "Community (liaison)", pp_remove: "Remove",
  role_organizer: "Organizer", role_liaison: "Liaison", role_admin: "Admin", role_member: "Member",
  pp_reset_title: "Reset code for {name}", pp_reset_text: "Tell them in person or by phone: on the sign-in page, type the code or scan the QR below, confirm name and phone, choose a new password. Valid 24 hours, shown only now.",
  pp_done: "Done", pp_not_activated: "not activated", pp_activation: "Activation slips and join QR",
});

const state = { me: null, orgs: [], communities: [], q: param("q") || "", status: "active", branch: "", page: 1,
  list: null, member: null, help: [] };
const when = (iso) => (iso || "").slice(0, 16).replace("T", " ");

async function find(more = false) {
  state.page = more ? state.page + 1 : 1;
  const qs = new URLSearchParams({ q: state.q, status: state.status, page: state.page });
  if (state.branch) qs.set("branch_id", state.branch);
  try {
    const got = await api(`/people?${qs}`);
    state.list = more ? { ...got, members: [...state.list.members, ...got.members] } : got;
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

async function open(memberId) {
  try {
    state.member = await api(`/members/${memberId}`);
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

async function act(button, path, body, doneText) {
  try {
    const answer = await busy(button, () => api(path, { method: "POST", body }));
    if (answer && answer.id) state.member = answer;
    toast(doneText || t("pp_done"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

async function resetCode(memberId, name, button) {
  let code;
  try {
    code = await busy(button, () => api(`/members/${memberId}/reset-code`, { method: "POST" }));
  } catch (e) {
    toast(errorText(e), "bad");
    return;
  }
  state.help = state.help.filter((h) => h.member_id !== memberId);
  const dialog = el("dialog", { class: "dialog", "aria-labelledby": "reset-title" },
    el("h2", { id: "reset-title" }, t("pp_reset_title", { name })), el("p", { class: "muted" }, t("pp_reset_text")),
    el("p", { class: "slip-code center", id: "reset-code" }, el("strong", {}, code.code)),
    el("img", { class: "slip-qr", src: `${API}/codes/${code.code}/qr.png`, alt: code.code, width: 160, height: 160 }),
    el("div", { class: "row-actions" }, el("button", { type: "button", class: "primary", onclick: () => dialog.close() },
      t("st_close"))));
  dialog.addEventListener("close", () => { dialog.remove(); draw(); });
  document.body.append(dialog);
  dialog.showModal();
}

function helpPanel() {
  if (!state.help.length) return null;
  return el("section", { class: "panel", id: "pp-help" }, el("h2", {}, t("pp_help")),
    el("ul", { class: "list" }, state.help.map((h) => {
      const b = el("button", { type: "button", class: "small-button primary" }, t("pp_reset"));
      b.addEventListener("click", () => resetCode(h.member_id, h.name, b));
      return el("li", { class: "row" }, el("div", { class: "row-main" }, el("p", { class: "row-title" }, h.name),
        el("p", { class: "row-meta" }, [h.masked_phone, h.branch_name, t("pp_asked", { time: when(h.asked_at) })]
          .filter(Boolean).join(" · "))), el("div", { class: "row-actions" }, b));
    })));
}

function searchPanel() {
  const q = el("input", { id: "pp-q", type: "search", maxlength: 40, value: state.q });
  const status = el("select", { id: "pp-status" }, ["active", "waiting", "inactive", "all"].map((s) =>
    el("option", { value: s, selected: s === state.status }, t("st_" + s))));
  const branch = el("select", { id: "pp-branch" }, el("option", { value: "" }, t("pp_all_orgs")),
    state.orgs.map((o) => el("option", { value: o.id, selected: String(o.id) === String(state.branch) }, o.name)));
  const form = el("form", { class: "panel", id: "pp-search", novalidate: true }, el("h1", {}, t("pp_title")),
    el("label", { for: "pp-q" }, t("pp_search")), q, el("label", { for: "pp-status" }, t("pp_status")), status,
    el("label", { for: "pp-branch" }, t("pp_branch")), branch,
    el("button", { type: "submit", class: "primary", id: "pp-find" }, t("pp_find")),
    el("a", { class: "button", href: "/app/staff/onboard.html" }, t("pp_activation")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    Object.assign(state, { q: q.value.trim(), status: status.value, branch: branch.value });
    find();
  });
  return form;
}

function listPanel() {
  const list = state.list;
  if (!list) return null;
  const more = el("button", { type: "button", class: "secondary" }, t("pp_more"));
  more.addEventListener("click", () => find(true));
  return el("section", { class: "panel", id: "pp-results" }, el("p", { class: "muted" }, t("pp_total", { n: list.total })),
    list.members.length ? el("ul", { class: "list" }, list.members.map((m) => el("li", { class: "row" },
      el("div", { class: "row-main" },
        el("a", { href: `#member-${m.id}`, class: "row-title", "data-member": m.id,
          onclick: (ev) => { ev.preventDefault(); open(m.id); } }, m.name),
        el("p", { class: "row-meta" }, [m.phone, m.branch_name, m.community_name].filter(Boolean).join(" · "))),
      !m.active ? el("span", { class: "badge state-annulled" }, t("st_inactive"))
        : !m.activated ? el("span", { class: "badge state-pending" }, t("st_waiting")) : null)))
      : el("p", { class: "muted" }, t("pp_none")),
    list.members.length < list.total ? more : null);
}

function memberPanel(m) {
  const back = el("button", { type: "button", class: "secondary" }, t("pp_back"));
  back.addEventListener("click", () => { state.member = null; draw(); });
  const button = (key, cls, fn) => {
    const b = el("button", { type: "button", class: cls, id: `pp-${key}` }, t(key));
    b.addEventListener("click", () => fn(b));
    return b;
  };
  const reason = (title, text, danger) => askReason(title, text, title, "", danger);
  const toggle = m.active
    ? button("pp_deactivate", "danger", async (b) => { const r = await reason(t("pp_deactivate"), t("pp_deact_text"), true);
      if (r !== null) act(b, `/members/${m.id}/deactivate`, { reason: r }); })
    : button("pp_reactivate", "primary", async (b) => { const r = await reason(t("pp_reactivate"), "", false);
      if (r !== null) act(b, `/members/${m.id}/reactivate`, { reason: r }); });
  const move = button("pp_move", "secondary", async (b) => {
    const got = await formDialog({ title: t("pp_move"), text: t("pp_move_text"), submit: t("pp_move"), fields: [
      { name: "branch_id", label: t("pp_new_branch"), type: "select", value: "",
        options: [["", t("pp_unchanged")], ...state.orgs.map((o) => [String(o.id), o.name])] },
      { name: "community_id", label: t("pp_new_community"), type: "select", value: "",
        options: [["", t("pp_unchanged")], ...state.communities.map((c) => [String(c.id), c.name])] },
      { name: "reason", label: t("dlg_reason"), required: true }] });
    if (!got) return;
    act(b, `/members/${m.id}/move`, { reason: got.reason, branch_id: got.branch_id ? Number(got.branch_id) : null,
      community_id: got.community_id ? Number(got.community_id) : null });
  });
  const card = button("pp_card_new", "secondary", async (b) => { const r = await reason(t("pp_card_new"), t("pp_card_text"), false);
    if (r !== null) { await act(b, `/members/${m.id}/card/reissue`, { reason: r }); open(m.id); } });
  const reset = button("pp_reset", "primary", (b) => resetCode(m.id, m.name, b));
  const admin = state.me.roles.includes("admin");
  const grants = m.grants.map((g) => el("li", { class: "row" }, el("span", { class: "row-main" }, t("role_" + g.role)),
    admin ? button("pp_remove", "small-button danger", async (b) => { const r = await reason(t("pp_remove"), "", true);
      if (r !== null) act(b, `/members/${m.id}/roles/${g.id}/remove`, { reason: r }); }) : null));
  const grant = admin ? button("pp_grant", "secondary", async (b) => {
    const got = await formDialog({ title: t("pp_grant"), submit: t("pp_grant"), fields: [
      { name: "role", label: t("pp_role"), type: "select", value: "organizer",
        options: ["organizer", "liaison", "admin"].map((r) => [r, t("role_" + r)]) },
      { name: "organization_id", label: t("pp_scope_org"), type: "select", value: "",
        options: [["", "—"], ...state.orgs.map((o) => [String(o.id), o.name])] },
      { name: "community_id", label: t("pp_scope_community"), type: "select", value: "",
        options: [["", "—"], ...state.communities.map((c) => [String(c.id), c.name])] },
      { name: "reason", label: t("dlg_reason"), required: true }] });
    if (!got) return;
    act(b, `/members/${m.id}/roles`, { role: got.role, reason: got.reason,
      organization_id: got.organization_id ? Number(got.organization_id) : null,
      community_id: got.community_id ? Number(got.community_id) : null });
  }) : null;
  const facts = [[t("pp_phone"), m.phone], [t("pp_branch_f"), m.branch ? m.branch.name : t("pp_none_f")],
    [t("pp_community"), m.community ? m.community.name : t("pp_none_f")], [t("pp_card"), String(m.card_version)],
    [t("pp_status"), !m.active ? t("st_inactive") : m.activated ? t("st_active") : t("pp_not_activated")]];
  return el("section", { class: "panel", id: "pp-member" }, el("h1", {}, m.name),
    el("dl", { class: "facts" }, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    el("h2", {}, t("pp_roles")), el("ul", { class: "list" }, grants), grant,
    el("h2", {}, t("pp_recent")), el("ul", { class: "list" }, m.recent_attendance.map((a) => el("li", { class: "row" },
      el("span", { class: "row-main" }, `${a.starts_at.slice(0, 10)} ${a.title}`),
      el("span", { class: "badge" }, stateLabel(a.state))))),
    el("div", { class: "row-actions" }, reset, move, card, toggle), back);
}

function draw() {
  fill($("main"), state.member ? memberPanel(state.member) : [helpPanel(), searchPanel(), listPanel()]);
}

boot({
  roles: ["organizer", "admin"],
  start: async (me) => {
    state.me = me;
    try {
      [state.orgs, state.communities, state.help] = await Promise.all([api("/organizations?managed=true"),
        api("/communities"), api("/password-help")]);
    } catch (e) {
      toast(errorText(e), "bad");
    }
    find();
  },
  draw: () => { if (state.me) draw(); },
});
