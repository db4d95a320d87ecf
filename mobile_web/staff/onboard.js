// Letting a branch in after a roster import: how many have activated, printable activation slips (A4, eight a
// page: name, masked phone, the code and its QR) and a join QR for the meeting-room screen.
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param } from "../shared/dom.js";
import { busy, toast } from "../shared/dialog.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  ob_title: "成员激活", ob_branch: "组织", ob_status: "已激活 {done} / {all} 人", ob_waiting: "尚未激活（{n} 人）",
  ob_none_waiting: "本组织的成员都已激活。", ob_slips: "打印激活条", ob_days: "激活码有效期",
  ob_days_n: "{n} 天", ob_make_slips: "生成激活条", ob_slips_note: "每位尚未激活的成员一张：扫码或输入激活码，核对姓名和手机号后设置密码。激活码只在本页显示这一次；重新生成会使旧的激活条作废。",
  ob_print: "打印", ob_made: "已生成 {n} 张激活条，有效期至 {until}", ob_no_slips: "没有需要激活的成员。",
  ob_join: "会场加入二维码", ob_hours: "有效时长", ob_hours_n: "{n} 小时", ob_show_join: "显示加入二维码",
  ob_join_note: "投在会场屏幕上：尚未激活的本组织成员扫码，核对姓名和手机号后设置密码。名册外的人无法加入。",
  ob_end_join: "停止加入二维码", ob_join_ended: "加入二维码已停止", ob_until: "有效期至 {until}",
  slip_heading: "签到 · 账号激活", slip_how: "用微信“扫一扫”或手机相机扫码，核对姓名和手机号后设置密码。",
  slip_code: "激活码", slip_until: "有效期至 {until}", slip_qr: "激活二维码",
}, {
  ob_title: "Activation", ob_branch: "Organization", ob_status: "{done} of {all} members activated",
  ob_waiting: "Not yet activated ({n})", ob_none_waiting: "Every member here has activated.",
  ob_slips: "Print activation slips", ob_days: "Codes valid for", ob_days_n: "{n} days", ob_make_slips: "Make slips",
  ob_slips_note: "One slip per member not yet activated: scan or type the code, confirm name and phone, choose a password. The codes are shown on this page only once; making them again voids the old slips.",
  ob_print: "Print", ob_made: "{n} slips made, valid until {until}", ob_no_slips: "No member needs activating.",
  ob_join: "Join QR for the meeting room", ob_hours: "Valid for", ob_hours_n: "{n} hours", ob_show_join: "Show the join QR",
  ob_join_note: "Put it on the meeting-room screen: members of this organization not yet activated scan it, confirm name and phone and choose a password. Nobody off the roster gets in.",
  ob_end_join: "Stop the join QR", ob_join_ended: "The join QR is stopped", ob_until: "valid until {until}",
  slip_heading: "Qiandao · activate your account", slip_how: "Scan with WeChat or the phone camera, confirm your name and phone, choose a password.",
  slip_code: "Code", slip_until: "valid until {until}", slip_qr: "Activation QR code",
});

const state = { orgs: [], orgId: Number(param("org")) || null, status: null, slips: null, join: null };
const until = (iso) => (iso || "").slice(0, 16).replace("T", " ");

function select(id, options, value) {
  return el("select", { id }, options.map(([v, label]) => el("option", { value: v, selected: String(v) === String(value) }, label)));
}

async function loadStatus() {
  try {
    state.status = await api(`/organizations/${state.orgId}/activation`);
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

async function makeSlips(button) {
  try {
    state.slips = await busy(button, () => api(`/organizations/${state.orgId}/activation-slips`,
      { method: "POST", body: { days: Number($("ob-days").value) } }));
    toast(state.slips.slips.length ? t("ob_made", { n: state.slips.slips.length, until: until(state.slips.expires_at) })
      : t("ob_no_slips"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

async function showJoin(button) {
  try {
    state.join = await busy(button, () => api(`/organizations/${state.orgId}/join-code`,
      { method: "POST", body: { hours: Number($("ob-hours").value) } }));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

async function endJoin(button) {
  try {
    await busy(button, () => api(`/organizations/${state.orgId}/join-code`, { method: "DELETE" }));
    state.join = null;
    toast(t("ob_join_ended"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

function slip(s) {
  return el("article", { class: "slip" },
    el("p", { class: "slip-heading" }, t("slip_heading")),
    el("img", { class: "slip-qr", src: `${API}/codes/${s.code}/qr.png`, alt: t("slip_qr"), width: 160, height: 160 }),
    el("p", { class: "slip-name" }, s.name, " · ", s.masked_phone),
    el("p", { class: "slip-branch" }, s.branch_name),
    el("p", { class: "slip-code" }, t("slip_code"), " ", el("strong", {}, s.code)),
    el("p", { class: "slip-how" }, t("slip_how")),
    el("p", { class: "slip-how" }, t("slip_until", { until: until(state.slips.expires_at) })));
}

function draw() {
  const main = $("main");
  const orgPick = select("ob-org", state.orgs.map((o) => [o.id, o.name]), state.orgId);
  orgPick.addEventListener("change", () => { state.orgId = Number(orgPick.value); state.slips = null; state.join = null; loadStatus(); });
  const st = state.status;
  const statusPanel = el("section", { class: "panel no-print", id: "ob-status" },
    el("h1", {}, t("ob_title")), el("label", { for: "ob-org" }, t("ob_branch")), orgPick,
    st ? el("p", { class: "lead" }, t("ob_status", { done: st.activated, all: st.members })) : null,
    st && st.waiting.length ? el("details", {}, el("summary", {}, t("ob_waiting", { n: st.members - st.activated })),
      el("p", { class: "muted" }, st.waiting.map((w) => w.name).join("、"))) : null,
    st && !st.waiting.length ? el("p", { class: "muted" }, t("ob_none_waiting")) : null);
  const make = el("button", { type: "button", class: "primary", id: "ob-make-slips" }, t("ob_make_slips"));
  make.addEventListener("click", () => makeSlips(make));
  const slipsPanel = el("section", { class: "panel no-print" }, el("h2", {}, t("ob_slips")),
    el("p", { class: "small muted" }, t("ob_slips_note")), el("label", { for: "ob-days" }, t("ob_days")),
    select("ob-days", [7, 14, 30, 60].map((n) => [n, t("ob_days_n", { n })]), 14), make,
    state.slips && state.slips.slips.length ? el("button", { type: "button", class: "secondary", id: "ob-print",
      onclick: () => window.print() }, t("ob_print")) : null);
  const join = state.join;
  const show = el("button", { type: "button", class: join ? "secondary" : "primary", id: "ob-show-join" }, t("ob_show_join"));
  show.addEventListener("click", () => showJoin(show));
  const stop = el("button", { type: "button", class: "danger", id: "ob-end-join" }, t("ob_end_join"));
  stop.addEventListener("click", () => endJoin(stop));
  const joinPanel = el("section", { class: "panel", id: "ob-join" }, el("h2", {}, t("ob_join")),
    el("p", { class: "small muted no-print" }, t("ob_join_note")),
    join ? el("div", { class: "join-code" },
      el("img", { class: "sheet-qr", src: `${API}/codes/${join.code}/qr.png`, alt: t("ob_join"), width: 420, height: 420 }),
      el("p", { class: "lead" }, join.organization.name), el("p", { class: "slip-code" }, el("strong", {}, join.code)),
      el("p", { class: "muted" }, t("ob_until", { until: until(join.expires_at) }))) : null,
    el("div", { class: "no-print" }, el("label", { for: "ob-hours" }, t("ob_hours")),
      select("ob-hours", [2, 4, 8, 24, 72].map((n) => [n, t("ob_hours_n", { n })]), 4), show, join ? stop : null));
  const slips = state.slips && state.slips.slips.length
    ? el("section", { class: "slips", id: "ob-slips" }, state.slips.slips.map(slip)) : null;
  fill(main, statusPanel, slipsPanel, joinPanel, slips);
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
    if (state.orgId) loadStatus();
  },
  draw: () => { if (state.orgs.length) draw(); },
});
