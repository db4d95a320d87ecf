// The community liaison's page (社区工作): registration requests to accept or decline with a reason,
// the community's registration QR (报到二维码) to show, print or replace, and the needs list with its
// slots and claims (needs.js). ?community=ID picks one of several; #pending, #qr, #needs pick the tab.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param } from "../shared/dom.js";
import { askReason, busy, formDialog, toast } from "../shared/dialog.js";
import { boot, errorText } from "../shared/shell.js";
import { needsTab, resetNeeds } from "./needs.js";
import { dateOnly } from "./shared.js";

addText({
  li_title: "社区工作", li_community: "社区", li_tab_pending: "报到审核", li_tab_qr: "报到二维码",
  li_tab_needs: "需求清单", li_none: "您还不是任何社区的联络员。",
  li_pending_none: "没有待审核的报到申请。", li_accept: "通过", li_decline: "不通过",
  li_accept_title: "通过 {name} 的报到申请", li_welcome: "欢迎语（选填，显示在党员的报到回执上）",
  li_welcome_default: "欢迎到{community}报到！", li_accepted: "已通过：{name}",
  li_decline_title: "不通过 {name} 的报到申请", li_decline_text: "原因会告诉申请人。", li_declined: "已不通过：{name}",
  li_address: "居住地址：{v}", li_skills: "特长：{v}", li_availability: "可服务时间：{v}", li_asked: "申请时间：{v}",
  li_moving: "该党员已在其他社区报到，通过后将转到本社区。",
  li_registered: "已报到党员（{n}）", li_registered_none: "还没有党员在本社区报到。", li_since: "报到 {date}",
  li_qr_head: "党员报到二维码", li_qr_alt: "{name} 的报到二维码",
  li_qr_how: "在职党员用签到 App 的“扫码”或微信“扫一扫”扫描此码，填写信息后提交报到申请，由联络员审核。",
  li_print: "打印", li_png: "下载图片", li_rotate: "更换二维码", li_rotate_title: "更换报到二维码？",
  li_rotate_text: "更换后，之前打印、张贴或转发的报到二维码全部失效。", li_rotate_reason: "原因（选填）",
  li_rotated: "已更换报到二维码，请重新打印张贴",
}, {
  li_title: "Community", li_community: "Community", li_tab_pending: "Requests", li_tab_qr: "QR code",
  li_tab_needs: "Needs", li_none: "You are not the liaison of any community.",
  li_pending_none: "No registration request is waiting.", li_accept: "Accept", li_decline: "Decline",
  li_accept_title: "Accept {name}", li_welcome: "Welcome note (optional, shown on the member's receipt)",
  li_welcome_default: "欢迎到{community}报到！", li_accepted: "Accepted: {name}",
  li_decline_title: "Decline {name}", li_decline_text: "The member is told the reason.", li_declined: "Declined: {name}",
  li_address: "Address: {v}", li_skills: "Skills: {v}", li_availability: "Available: {v}", li_asked: "Asked: {v}",
  li_moving: "Registered with another community: accepting moves the member here.",
  li_registered: "Registered members ({n})", li_registered_none: "No member is registered here yet.",
  li_since: "since {date}", li_qr_head: "Member registration code", li_qr_alt: "Registration code of {name}",
  li_qr_how: "Members scan this code with the app's scanner or WeChat, fill in a short form and send a request for the liaison to review.",
  li_print: "Print", li_png: "Download image", li_rotate: "Replace the code", li_rotate_title: "Replace the registration code?",
  li_rotate_text: "Every copy printed, posted or shared before stops working.", li_rotate_reason: "Reason (optional)",
  li_rotated: "Code replaced: print and post the new one",
});

const TABS = ["pending", "qr", "needs"];
const state = { me: null, communities: null, community: null, tab: "pending", pending: null, accepted: null,
  code: null, qrVersion: 0, error: null };

async function loadRequests() {
  const base = `/communities/${state.community.id}/registrations`;
  const [pending, accepted] = await Promise.all([api(`${base}?status=pending`), api(`${base}?status=accepted`)]);
  state.pending = pending;
  state.accepted = accepted;
}

async function load() {
  state.error = null;
  try {
    if (state.tab === "qr") state.code = await api(`/communities/${state.community.id}/registration-code`);
    else await loadRequests(); // the count on the tab stays true on every tab
  } catch (e) {
    state.error = errorText(e);
  }
}

async function show(tab) {
  state.tab = TABS.includes(tab) ? tab : "pending";
  history.replaceState(null, "", `${location.pathname}?community=${state.community.id}#${state.tab}`);
  draw();
  await load();
  draw();
}

async function decide(reg, accept, button) {
  const name = reg.member.name;
  try {
    if (accept) {
      const got = await formDialog({ title: t("li_accept_title", { name }), submit: t("li_accept"), fields: [
        { name: "message", label: t("li_welcome"), value: t("li_welcome_default", { community: state.community.name }) }] });
      if (!got) return;
      await busy(button, () => api(`/community-registrations/${reg.id}/accept`, { method: "POST", body: { message: got.message } }));
      toast(t("li_accepted", { name }));
    } else {
      const reason = await askReason(t("li_decline_title", { name }), t("li_decline_text"), t("li_decline"), "", true);
      if (reason === null) return;
      await busy(button, () => api(`/community-registrations/${reg.id}/decline`, { method: "POST", body: { reason } }));
      toast(t("li_declined", { name }));
    }
  } catch (e) {
    toast(errorText(e), "bad");
  }
  await load();
  draw();
}

function requestItem(reg) {
  const n = reg.note || {};
  const notes = [["li_address", n.address], ["li_skills", n.skills], ["li_availability", n.availability],
    ["li_asked", `${dateOnly(reg.created_at)} ${reg.created_at.slice(11, 16)}`]].filter(([, v]) => v);
  return el("li", { class: "item request", "data-registration": reg.id },
    el("div", { class: "body" },
      el("p", { class: "name" }, reg.member.name),
      el("p", { class: "meta" }, [reg.member.branch_name, reg.member.phone].filter(Boolean).join(" · ")),
      el("ul", { class: "note-list" }, notes.map(([key, v]) => el("li", {}, t(key, { v }))))),
    el("div", { class: "side" },
      el("button", { type: "button", class: "primary", "data-action": "accept",
        onclick: (ev) => decide(reg, true, ev.currentTarget) }, t("li_accept")),
      el("button", { type: "button", class: "danger", "data-action": "decline",
        onclick: (ev) => decide(reg, false, ev.currentTarget) }, t("li_decline"))));
}

function pendingTab() {
  if (!state.pending) return [el("p", { class: "muted center" }, t("st_loading"))];
  const accepted = state.accepted || [];
  return [
    state.pending.length ? el("ul", { class: "list", id: "requests" }, state.pending.map(requestItem))
      : el("p", { class: "panel empty", id: "requests-none" }, t("li_pending_none")),
    el("details", { class: "panel", id: "registered" },
      el("summary", {}, t("li_registered", { n: accepted.length })),
      accepted.length ? el("ul", { class: "list" }, accepted.map((r) => el("li", { class: "item" }, el("div", { class: "body" },
        el("p", { class: "name" }, r.member.name),
        el("p", { class: "meta" }, [r.member.branch_name, t("li_since", { date: dateOnly(r.started_at) })]
          .filter(Boolean).join(" · "))))))
        : el("p", { class: "empty" }, t("li_registered_none")))];
}

async function rotate(button) {
  const got = await formDialog({ title: t("li_rotate_title"), text: t("li_rotate_text"), submit: t("li_rotate"),
    danger: true, fields: [{ name: "reason", label: t("li_rotate_reason") }] });
  if (!got) return;
  try {
    state.code = await busy(button, () => api(`/communities/${state.community.id}/registration-code/rotate`,
      { method: "POST", body: { reason: got.reason } }));
    state.qrVersion += 1;
    toast(t("li_rotated"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  draw();
}

function qrTab() {
  const id = state.community.id;
  const src = `/api/v1/communities/${id}/registration-qr?format=svg&v=${state.qrVersion}`;
  return [el("section", { class: "panel qr-sheet", id: "qr-sheet" },
    el("h2", {}, state.community.name),
    el("p", { class: "sheet-heading" }, t("li_qr_head")),
    el("img", { class: "qr-img", id: "reg-qr", src, alt: t("li_qr_alt", { name: state.community.name }) }),
    el("p", {}, t("li_qr_how")),
    state.code ? el("p", { class: "qr-url", id: "reg-url" }, state.code.url) : null),
  el("div", { class: "actions no-print" },
    el("button", { type: "button", class: "primary", id: "qr-print", onclick: () => window.print() }, t("li_print")),
    el("a", { class: "button", id: "qr-png", download: `registration-qr-${id}.png`,
      href: `/api/v1/communities/${id}/registration-qr?format=png&box_size=12&v=${state.qrVersion}` }, t("li_png")),
    el("button", { type: "button", class: "danger", id: "qr-rotate", onclick: (ev) => rotate(ev.currentTarget) },
      t("li_rotate")))];
}

function tabButton(name) {
  const count = name === "pending" && state.pending ? state.pending.length : 0;
  return el("button", { type: "button", id: `tab-${name}`, "aria-pressed": String(state.tab === name),
    onclick: () => show(name) }, t(`li_tab_${name}`), count ? el("span", { class: "count-badge" }, String(count)) : null);
}

function picker() {
  if (!state.communities || state.communities.length < 2) return null;
  const select = el("select", { id: "community-pick", name: "community",
    onchange: (ev) => { location.search = `?community=${ev.currentTarget.value}`; } },
  state.communities.map((c) => el("option", { value: c.id, selected: c.id === state.community.id }, c.name)));
  return el("div", { class: "picker" }, el("label", { for: "community-pick" }, t("li_community")), select);
}

function draw() {
  const main = $("main");
  if (state.communities === null && !state.error) {
    main.replaceChildren(el("h1", {}, t("li_title")), el("p", { class: "muted center" }, t("st_loading")));
    return;
  }
  if (!state.community) {
    main.replaceChildren(el("h1", {}, t("li_title")), el("p", { class: "panel empty" }, state.error || t("li_none")));
    return;
  }
  let body;
  if (state.error) body = [el("p", { class: "panel error", role: "alert" }, state.error)];
  else if (state.tab === "qr") body = qrTab();
  else if (state.tab === "needs") body = needsTab({ community: state.community, redraw: draw });
  else body = pendingTab();
  fill(main, el("h1", {}, t("li_title"), " · ", state.community.name), picker(),
    el("div", { class: "tabs three", role: "group" }, TABS.map(tabButton)), ...body);
}

boot({
  roles: ["liaison", "admin"],
  start: async (me) => {
    state.me = me;
    try {
      state.communities = await api("/communities?managed=true");
    } catch (e) {
      state.error = errorText(e);
    }
    const wanted = Number(param("community"));
    const list = state.communities || [];
    state.community = list.find((c) => c.id === wanted) || list[0] || null;
    if (!state.community) { draw(); return; }
    resetNeeds();
    await show(location.hash.slice(1));
  },
  draw: () => draw(),
});
