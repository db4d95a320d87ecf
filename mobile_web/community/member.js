// 我的社区 (a member's double registration): the community I am registered with and its receipt
// (回执), a request waiting or declined, how to register when not yet, the needs list with its slots
// (member-needs.js), my claims and my registration history. Server text goes in as text only.
import { api } from "../shared/api.js";
import { addText, lang, t } from "../shared/i18n.js";
import { $, el, fill } from "../shared/dom.js";
import { busy, formDialog, toast } from "../shared/dialog.js";
import { boot, errorText } from "../shared/shell.js";
import { claimsPanel, needsPanel } from "./member-needs.js";
import { dateOnly, endReason, regBadge } from "./shared.js";

addText({
  mc_title: "我的社区", mc_since: "报到时间：{date}", mc_receipt: "报到回执", mc_receipt_no: "回执编号：{no}",
  mc_receipt_by: "审核联络员：{name}", mc_message: "联络员留言：{text}",
  mc_no_receipt: "您的居住地社区由管理员登记，没有报到回执。",
  mc_none_title: "您还没有到居住地社区报到",
  mc_none_text: "在职党员到居住地社区报到（双报到）后，可以认领社区发布的服务需求。",
  mc_how1: "向居住地社区联络员索取“报到二维码”（张贴在社区服务站，或由联络员出示）。",
  mc_how2: "点下方“扫码报到”，或用手机相机、微信“扫一扫”扫描报到二维码。",
  mc_how3: "填写居住地址、特长后提交，等待社区联络员审核；通过后这里会显示报到回执和社区需求。",
  mc_scan: "扫码报到", mc_pending_title: "报到申请待审核",
  mc_pending_text: "已于 {time} 向 {name} 提交报到申请，请等待社区联络员审核。",
  mc_moving_title: "转社区申请待审核", mc_withdraw_request: "撤回申请", mc_withdraw_request_title: "撤回报到申请？",
  mc_withdraw_request_text: "撤回后，需要重新扫描报到二维码才能再次申请。", mc_request_withdrawn: "已撤回报到申请",
  mc_declined_title: "报到申请未通过", mc_declined_text: "您向 {name} 提交的报到申请未通过。",
  mc_reason: "原因：{reason}", mc_declined_next: "如有疑问请联系社区联络员，或重新扫描报到二维码再次申请。",
  mc_history: "报到记录（{n}）", mc_history_none: "暂无报到记录。", mc_submitted: "申请 {date}",
  mc_decided: "审核 {date}", mc_ended: "结束 {date}",
}, {
  mc_title: "My community", mc_since: "Registered on {date}", mc_receipt: "Registration receipt",
  mc_receipt_no: "Receipt no. {no}", mc_receipt_by: "Accepted by {name}", mc_message: "Liaison's note: {text}",
  mc_no_receipt: "An administrator recorded your home community: there is no receipt.",
  mc_none_title: "You have not registered with your home community yet",
  mc_none_text: "Members in service register with the community where they live, then take on the duties it posts.",
  mc_how1: "Ask your community's liaison for its registration code (posted at the community service centre, or shown by the liaison).",
  mc_how2: "Tap “Scan to register” below, or scan the code with the phone's camera or WeChat's scanner.",
  mc_how3: "Give your address and skills and send; once the liaison accepts, your receipt and the community's needs show here.",
  mc_scan: "Scan to register", mc_pending_title: "Registration waiting for review",
  mc_pending_text: "You asked to register with {name} at {time}; the community liaison will review it.",
  mc_moving_title: "Move waiting for review", mc_withdraw_request: "Withdraw request",
  mc_withdraw_request_title: "Withdraw your request?",
  mc_withdraw_request_text: "To ask again, scan the registration code again.", mc_request_withdrawn: "Request withdrawn",
  mc_declined_title: "Registration declined", mc_declined_text: "Your request to register with {name} was declined.",
  mc_reason: "Reason: {reason}", mc_declined_next: "Ask the community liaison, or scan the registration code to ask again.",
  mc_history: "Registration history ({n})", mc_history_none: "No registrations yet.", mc_submitted: "asked {date}",
  mc_decided: "decided {date}", mc_ended: "ended {date}",
});

const state = { me: null, mine: null, claims: null, duties: null, errors: {}, slotErrors: new Map() };

async function load() {
  const [mine, claims] = await Promise.allSettled([api("/community-registrations/mine"), api("/duty-claims/mine")]);
  state.errors = {};
  if (mine.status === "fulfilled") state.mine = mine.value;
  else state.errors.mine = errorText(mine.reason);
  if (claims.status === "fulfilled") state.claims = claims.value;
  else state.errors.claims = errorText(claims.reason);
  const community = state.mine && state.mine.community;
  state.duties = null;
  if (community) {
    try {
      state.duties = await api(`/communities/${community.id}/duties`);
    } catch (e) {
      state.errors.duties = errorText(e);
    }
  }
}

async function refresh() {
  await load();
  draw();
}

const when = (iso) => (iso ? `${dateOnly(iso)} ${iso.slice(11, 16)}` : "");

function receiptBox(reg) {
  const r = reg.receipt;
  if (!r) return null;
  const text = lang() === "en"
    ? `${r.member_name}${r.branch_name ? ` (${r.branch_name})` : ""} registered with ${r.community_name} on ${dateOnly(r.accepted_at)}.`
    : r.text;
  return el("div", { class: "receipt", id: "cm-receipt" },
    el("h3", {}, t("mc_receipt")),
    el("p", { class: "receipt-text" }, text),
    r.message ? el("p", {}, t("mc_message", { text: r.message })) : null,
    el("p", { class: "meta" }, t("mc_receipt_no", { no: r.receipt_no })),
    r.accepted_by ? el("p", { class: "meta" }, t("mc_receipt_by", { name: r.accepted_by })) : null);
}

async function withdrawRequest(reg, button) {
  const ok = await formDialog({ title: t("mc_withdraw_request_title"), text: t("mc_withdraw_request_text"),
    submit: t("mc_withdraw_request"), danger: true });
  if (!ok) return;
  try {
    await busy(button, () => api(`/community-registrations/${reg.id}/end`, { method: "POST", body: { reason: "" } }));
    toast(t("mc_request_withdrawn"));
    await refresh();
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

function pendingBox(reg, moving) {
  const withdraw = el("button", { type: "button", class: "danger", id: "cm-withdraw-request",
    onclick: (ev) => withdrawRequest(reg, ev.currentTarget) }, t("mc_withdraw_request"));
  return el("div", { class: "notice", id: "cm-pending" },
    el("h3", {}, t(moving ? "mc_moving_title" : "mc_pending_title")),
    el("p", {}, t("mc_pending_text", { name: reg.community.name, time: when(reg.created_at) })),
    el("div", { class: "row-actions start" }, withdraw));
}

function howToRegister() {
  return [el("h2", {}, t("mc_none_title")), el("p", {}, t("mc_none_text")),
    el("ol", { class: "steps" }, el("li", {}, t("mc_how1")), el("li", {}, t("mc_how2")), el("li", {}, t("mc_how3"))),
    el("a", { class: "button primary block", href: "/#scan", id: "cm-scan" }, t("mc_scan"))];
}

function communityPanel() {
  const panel = el("section", { class: "panel", id: "cm-community", "aria-live": "polite" });
  if (state.errors.mine) {
    panel.append(el("p", { class: "error", role: "alert" }, state.errors.mine));
    return panel;
  }
  const { community, current, history } = state.mine;
  const pending = history.find((r) => r.status === "pending");
  const latest = history[0];
  if (community) {
    fill(panel, el("h2", {}, community.name, " ", regBadge("accepted")),
      community.address ? el("p", { class: "meta" }, community.address) : null,
      current && current.started_at ? el("p", { class: "meta" }, t("mc_since", { date: dateOnly(current.started_at) })) : null,
      current ? receiptBox(current) : el("p", { class: "muted" }, t("mc_no_receipt")),
      pending ? pendingBox(pending, true) : null);
    return panel;
  }
  if (pending) {
    panel.append(pendingBox(pending, false));
    return panel;
  }
  if (latest && latest.status === "declined") {
    panel.append(el("div", { class: "notice bad", id: "cm-declined" },
      el("h3", {}, t("mc_declined_title")), el("p", {}, t("mc_declined_text", { name: latest.community.name })),
      latest.decision_note ? el("p", {}, t("mc_reason", { reason: latest.decision_note })) : null,
      el("p", { class: "muted" }, t("mc_declined_next"))));
  }
  panel.append(...howToRegister());
  return panel;
}

function historyPanel() {
  const list = (state.mine && state.mine.history) || [];
  const rows = list.map((r) => el("li", { class: "item history-item" }, el("div", { class: "body" },
    el("p", { class: "name" }, r.community.name, " ", regBadge(r.status)),
    el("p", { class: "meta" }, [t("mc_submitted", { date: dateOnly(r.created_at) }),
      r.decided_at ? t("mc_decided", { date: dateOnly(r.decided_at) }) : "",
      r.ended_at ? t("mc_ended", { date: dateOnly(r.ended_at) }) : ""].filter(Boolean).join(" · ")),
    r.status === "declined" && r.decision_note ? el("p", { class: "meta" }, t("mc_reason", { reason: r.decision_note })) : null,
    r.status === "ended" && r.end_reason ? el("p", { class: "meta" }, endReason(r.end_reason)) : null)));
  return el("details", { class: "panel", id: "cm-history" },
    el("summary", {}, t("mc_history", { n: list.length })),
    rows.length ? el("ul", { class: "list" }, rows) : el("p", { class: "empty" }, t("mc_history_none")));
}

function draw() {
  const main = $("main");
  const open = $("cm-history") && $("cm-history").open;
  if (!state.mine && !state.errors.mine) {
    main.replaceChildren(el("h1", {}, t("mc_title")), el("p", { class: "muted center" }, t("st_loading")));
    return;
  }
  const actions = { state, refresh };
  main.replaceChildren(el("h1", {}, t("mc_title")), communityPanel(), claimsPanel(actions), needsPanel(actions),
    historyPanel(), el("a", { class: "button block", href: "/", id: "cm-home" }, t("cm_home")));
  if (open) $("cm-history").open = true;
}

boot({
  bare: true, brand: "cm_brand", hint: "cm_login_hint",
  start: async (me) => {
    state.me = me;
    draw();
    await refresh();
  },
  draw: () => draw(),
});
