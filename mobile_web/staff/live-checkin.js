// Check members in by hand on the live page: search the roster by name or phone, or read the
// member's card QR with the camera (or type its code), always with a reason (audited).
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { el, hhmm } from "../shared/dom.js";
import { askReason, toast } from "../shared/dialog.js";
import { kindOf, stateLabel } from "../shared/labels.js";
import { errorText } from "../shared/shell.js";
import { startScan, stopScan } from "../js/qr-reader.js";

addText({
  ci_title: "手动签到", ci_search: "按姓名或手机号查找", ci_search_hint: "输入姓名或手机号的一部分",
  ci_missing: "未到名单", ci_all_here: "名册上的成员都已签到。",
  ci_no_roster: "本活动对所有人开放，没有名册：请扫描成员的签到卡二维码签到。", ci_none: "没有找到“{q}”",
  ci_in: "签到", ci_out: "签退", ci_done: "{name} 已签到", ci_done_out: "{name} 已签退",
  ci_at: "已于 {time} 签到", ci_reason_title: "为 {name} 手动签到", ci_reason_out_title: "为 {name} 手动签退",
  ci_reason_text: "原因会记入审计日志，例如：未带手机、手机无法扫码。", ci_card: "扫描签到卡",
  ci_card_stop: "关闭相机", ci_card_aim: "请将签到卡上的二维码对准取景框", ci_card_starting: "正在打开相机…",
  ci_card_title: "签到卡签到", ci_card_reason: "扫描签到卡签到", ci_card_other: "这不是签到卡二维码",
  ci_card_code: "手动输入签到卡编码", ci_card_code_label: "签到卡二维码内容（链接或编码）", ci_card_go: "签到",
  ci_cam_denied: "无法使用相机：请在浏览器设置中允许使用相机，或手动输入签到卡编码。",
  ci_cam_missing: "没有找到可用的相机，可手动输入签到卡编码。", ci_cam_other: "相机无法打开，可手动输入签到卡编码。",
  cf_already_checked_in: "{name} 已于 {time} 签到", cf_annulled: "{name} 的签到已作废，不能再次签到",
  cf_not_checked_in: "{name} 尚未签到", cf_already_checked_out: "{name} 已签退",
  cf_not_eligible: "该成员不在本活动的参加范围内", cf_inactive_member: "该成员的账号已停用",
  cf_cancelled: "活动已取消", cf_no_checkout_for_event: "本活动不需要签退",
}, {
  ci_title: "Manual check-in", ci_search: "Find by name or phone", ci_search_hint: "Part of a name or phone number",
  ci_missing: "Who is not here yet", ci_all_here: "Everyone on the roster has checked in.",
  ci_no_roster: "This event is open to all, so it has no roster: scan the member's card instead.",
  ci_none: "No one matches “{q}”", ci_in: "Check in", ci_out: "Check out", ci_done: "{name} checked in",
  ci_done_out: "{name} checked out", ci_at: "checked in at {time}", ci_reason_title: "Check in {name} by hand",
  ci_reason_out_title: "Check out {name} by hand",
  ci_reason_text: "The reason goes to the audit log, e.g. no phone, phone cannot scan.", ci_card: "Scan a card",
  ci_card_stop: "Close camera", ci_card_aim: "Hold the card's QR code inside the frame",
  ci_card_starting: "Opening the camera…", ci_card_title: "Card check-in", ci_card_reason: "Checked in by member card",
  ci_card_other: "That is not a member card", ci_card_code: "Type the card code",
  ci_card_code_label: "Card QR content (link or code)", ci_card_go: "Check in",
  ci_cam_denied: "The camera is not allowed: allow it in the browser settings, or type the card code.",
  ci_cam_missing: "No camera found; type the card code instead.", ci_cam_other: "The camera did not open; type the card code.",
  cf_already_checked_in: "{name} checked in at {time}", cf_annulled: "{name}'s attendance was annulled; no new check-in",
  cf_not_checked_in: "{name} has not checked in", cf_already_checked_out: "{name} has already checked out",
  cf_not_eligible: "This member is not in the event's audience", cf_inactive_member: "This member's account is inactive",
  cf_cancelled: "The event is cancelled", cf_no_checkout_for_event: "This event has no check-out",
});

/** A refused manual check-in in words, naming the member when the server says who. */
export function checkinError(e, fallbackName = "") {
  const d = (e && e.details) || {};
  const att = d.attendance || {};
  const key = "cf_" + (e && e.code);  // the refusal's code: the same vocabulary as a scan's
  if (e && e.code && t(key) !== key) {
    return t(key, { name: att.member_name || fallbackName, time: hhmm(att.checkin_at) });
  }
  return errorText(e);
}

/** POST a manual check-in (or out); returns the attendance item or null. */
export async function manualCheckin(eventId, body, name, onItem) {
  try {
    const answer = await api(`/events/${eventId}/attendance`, { method: "POST", body });
    const item = answer.attendance;
    toast(t(body.direction === "out" ? "ci_done_out" : "ci_done", { name: item.member_name || name }));
    onItem(item);
    return item;
  } catch (e) {
    toast(checkinError(e, name), "bad");
    if (e.details && e.details.attendance && e.details.attendance.id) onItem(e.details.attendance);
    return null;
  }
}

/** The check-in panel; ctx = {event, onItem(item)}. */
export function checkinPanel(ctx) {
  const eventId = ctx.event.id;
  const results = el("ul", { class: "list", id: "roster-results", "aria-live": "polite" });
  const search = el("input", { id: "roster-q", type: "search", autocomplete: "off", maxlength: 40,
    placeholder: t("ci_search_hint"), enterkeyhint: "search" });
  let timer = null;
  let seq = 0;

  const row = (m) => {
    const att = m.attendance;
    const live = att && att.state !== "annulled";
    const checkIn = async (button) => {
      const reason = await askReason(t("ci_reason_title", { name: m.name }), t("ci_reason_text"), t("ci_in"));
      if (reason === null) return;
      button.disabled = true;
      await manualCheckin(eventId, { member_id: m.member_id, reason }, m.name, ctx.onItem);
      lookup();
      if (missing.childElementCount) listMissing();  // the one just checked in leaves the list
    };
    return el("li", { class: "item", "data-member": m.member_id },
      el("div", { class: "body" }, el("div", { class: "name" }, m.name),
        el("div", { class: "meta" }, [m.branch_name, m.phone].filter(Boolean).join(" · ")),
        att ? el("div", { class: "meta" }, att.state === "annulled" ? stateLabel("annulled")
          : t("ci_at", { time: hhmm(att.checkin_at) }), att.late ? ` · ${t("lv_late")}` : "") : null),
      el("div", { class: "side" }, live || att ? null : el("button", { type: "button", class: "primary",
        "aria-label": `${t("ci_in")} ${m.name}`, onclick: (e) => checkIn(e.currentTarget) }, t("ci_in"))));
  };

  async function lookup() {
    const q = search.value.trim();
    const mine = ++seq;
    if (!q) { results.replaceChildren(); return; }
    try {
      const answer = await api(`/events/${eventId}/roster?q=${encodeURIComponent(q)}`);
      if (mine !== seq) return;
      const items = answer.items.slice(0, 30);
      results.replaceChildren(...(items.length ? items.map(row) : [el("li", { class: "empty" }, t("ci_none", { q }))]));
    } catch (e) {
      if (mine !== seq) return;
      const noRoster = e.status === 409 && e.details && e.details.reason === "no_roster";
      results.replaceChildren(el("li", { class: noRoster ? "empty" : "error" }, noRoster ? t("ci_no_roster") : errorText(e)));
    }
  }
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookup, 300); });

  // Who has not arrived yet: the roster members without a check-in, each one tap from checking in.
  const missing = el("ul", { class: "list", id: "missing-list", "aria-live": "polite" });
  async function listMissing() {
    try {
      const answer = await api(`/events/${eventId}/roster`);
      const rows = answer.items.filter((m) => !m.attendance).slice(0, 200);
      missing.replaceChildren(...(rows.length ? rows.map(row) : [el("li", { class: "empty" }, t("ci_all_here"))]));
    } catch (e) {
      missing.replaceChildren(el("li", { class: "error" }, errorText(e)));
    }
  }
  const showMissing = el("button", { type: "button", id: "show-missing", onclick: listMissing }, t("ci_missing"));

  const hasRoster = Boolean(kindOf(ctx.event.kind) && kindOf(ctx.event.kind).expects_roster) || ["organization", "community"].includes(ctx.event.audience);
  return el("section", { class: "panel", id: "checkin" },
    el("h2", {}, t("ci_title")),
    hasRoster ? [el("label", { for: "roster-q" }, t("ci_search")), search, results, showMissing, missing]
      : el("p", { class: "muted" }, t("ci_no_roster")),
    cardScanner(ctx));
}

function cardScanner(ctx) {
  const video = el("video", { id: "card-video", muted: true, playsinline: true, autoplay: true });
  video.muted = true;
  const status = el("p", { class: "muted", id: "card-status", role: "status" });
  const camera = el("div", { class: "camera", id: "card-camera", hidden: true }, video, el("div", { class: "frame" }));
  const stop = el("button", { type: "button", id: "card-stop", hidden: true }, t("ci_card_stop"));
  const open = el("button", { type: "button", class: "primary", id: "card-scan" }, t("ci_card"));
  const code = el("input", { id: "card-code", type: "text", autocomplete: "off", maxlength: 300, spellcheck: "false" });
  const close = () => { stopScan(video); camera.hidden = true; stop.hidden = true; open.hidden = false; status.textContent = ""; };

  const submitCard = async (text) => {
    const reason = await askReason(t("ci_card_title"), t("ci_reason_text"), t("ci_card_go"), t("ci_card_reason"));
    if (reason === null) return null;
    return manualCheckin(ctx.event.id, { card_token: text.trim(), reason }, "", ctx.onItem);
  };
  stop.addEventListener("click", close);
  open.addEventListener("click", async () => {
    camera.hidden = false;
    stop.hidden = false;
    open.hidden = true;
    status.textContent = t("ci_card_starting");
    try {
      await startScan(video, (text) => {
        if (!/\/c\/[A-Za-z0-9_-]{8,}/.test(text)) { status.textContent = t("ci_card_other"); return false; }
        close();
        submitCard(text);
        return true;
      });
      if (!camera.hidden) status.textContent = t("ci_card_aim");
    } catch (e) {
      close();
      status.textContent = t({ NotAllowedError: "ci_cam_denied", SecurityError: "ci_cam_denied",
        NotFoundError: "ci_cam_missing", OverconstrainedError: "ci_cam_missing" }[e.name] || "ci_cam_other");
    }
  });
  const form = el("form", { class: "card-code", id: "card-code-form", novalidate: true },
    el("label", { for: "card-code" }, t("ci_card_code_label")), code,
    el("button", { type: "submit", class: "block" }, t("ci_card_go")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!code.value.trim()) { code.focus(); return; }
    if (await submitCard(code.value)) code.value = "";
  });
  return el("div", { class: "card-box" }, el("div", { class: "row-actions start" }, open, stop), status, camera,
    el("details", {}, el("summary", { class: "check" }, t("ci_card_code")), form));
}
