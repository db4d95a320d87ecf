// Shared by the double-registration pages (双报到): the member's "my community", the liaison's
// community page and the branch report. Words, time labels and slot states; text only, never HTML.
import { addText, lang, t } from "../shared/i18n.js";
import { el } from "../shared/dom.js";

addText({
  cm_brand: "签到", cm_login_hint: "请使用手机号和密码登录。", cm_home: "返回首页",
  reg_pending: "待审核", reg_accepted: "已报到", reg_declined: "未通过", reg_ended: "已结束",
  end_moved: "已转到其他社区", end_superseded: "已重新申请其他社区",
  duty_open: "认领中", duty_closed: "已停止认领", duty_cancelled: "已取消",
  slot_left: "剩余 {n} 个名额（共 {cap} 个）", slot_taken: "已认领 {n}/{cap} 人", slot_full: "名额已满",
  slot_over: "已结束", slot_cancelled: "已取消", slot_started: "进行中", slot_mine: "我已认领",
  slot_no_withdraw: "时段已开始，不能取消认领；如有变化请联系社区联络员。",
  duty_stopped: "该需求已停止认领。", skills: "需要的特长：{list}", place_is: "地点：{place}",
  week: "日一二三四五六", week_prefix: "周",
  claim_withdrawn: "已取消", claim_active: "已认领",
}, {
  cm_brand: "Qiandao", cm_login_hint: "Sign in with your phone number and password.", cm_home: "Home",
  reg_pending: "Waiting", reg_accepted: "Registered", reg_declined: "Declined", reg_ended: "Ended",
  end_moved: "moved to another community", end_superseded: "replaced by a request elsewhere",
  duty_open: "Open", duty_closed: "Closed to claims", duty_cancelled: "Cancelled",
  slot_left: "{n} of {cap} places left", slot_taken: "{n}/{cap} claimed", slot_full: "Full",
  slot_over: "Over", slot_cancelled: "Cancelled", slot_started: "Under way", slot_mine: "Claimed by me",
  slot_no_withdraw: "The slot has started: the claim can no longer be withdrawn; contact the liaison.",
  duty_stopped: "This need takes no more claims.", skills: "Skills wanted: {list}", place_is: "Place: {place}",
  week: "SunMonTueWedThuFriSat", week_prefix: "",
  claim_withdrawn: "Withdrawn", claim_active: "Claimed",
});

/** The weekday of an API time (its own wall-clock date). */
function weekday(iso) {
  const day = new Date(`${iso.slice(0, 10)}T12:00:00Z`).getUTCDay();
  const names = t("week");
  return lang() === "en" ? names.slice(day * 3, day * 3 + 3) : t("week_prefix") + names[day];
}

/** "2026/11/27 周五 11:30–13:30" (same day), else both ends in full. */
export function slotWhen(start, end) {
  const day = (iso) => `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${weekday(iso)}`;
  if (!start) return "";
  if (end && start.slice(0, 10) === end.slice(0, 10)) return `${day(start)} ${start.slice(11, 16)}–${end.slice(11, 16)}`;
  return `${day(start)} ${start.slice(11, 16)} – ${end ? `${day(end)} ${end.slice(11, 16)}` : ""}`;
}

/** The same as nodes, the time range kept on one line (a phone breaks "09:00–11:00" at the dash). */
export function whenNodes(start, end) {
  const text = slotWhen(start, end);
  const cut = text.lastIndexOf(" ");
  if (!end || start.slice(0, 10) !== end.slice(0, 10) || cut < 0) return [text];
  return [text.slice(0, cut + 1), el("span", { class: "nowrap" }, text.slice(cut + 1))];
}

export function dateOnly(iso) { return iso ? `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}` : ""; }

/** Where a slot stands now: over, started, cancelled or open (the server's flags decide claiming). */
export function slotPhase(slot, duty, now = Date.now()) {
  if (slot.status === "cancelled" || (duty && duty.status === "cancelled")) return "cancelled";
  if (Date.parse(slot.ends_at) <= now) return "over";
  if (Date.parse(slot.starts_at) <= now) return "started";
  return "open";
}

export function regBadge(status) {
  const cls = { accepted: "green", pending: "amber", declined: "red" }[status] || "";
  return el("span", { class: `badge ${cls}`, "data-status": status }, t(`reg_${status}`));
}

export function dutyBadge(status) {
  const cls = { open: "green", closed: "amber", cancelled: "red" }[status] || "";
  return el("span", { class: `badge ${cls}` }, t(`duty_${status}`));
}

/** A registration's end reason in words: the codes the server writes, else the liaison's own text. */
export function endReason(reason) {
  return reason === "moved" || reason === "superseded" ? t(`end_${reason}`) : reason || "";
}

/** Skills as small badges. */
export function skillBadges(skills) {
  return (skills || []).map((s) => el("span", { class: "badge skill" }, s));
}
