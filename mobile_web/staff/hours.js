// The liaison's (or organizer's) hours queue: confirm, adjust or reject with a reason, set the hours
// of a missing check-out, answer disputes, and confirm several at once.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, hhmm, timeRange } from "../shared/dom.js";
import { askReason, busy, formDialog, toast } from "../shared/dialog.js";
import { stateLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  hr_title: "时长确认", hr_tab_disputed: "有异议",
  hr_search: "按姓名或手机号查找", hr_empty: "没有需要处理的记录。",
  hr_all: "全选本页", hr_selected: "已选 {n} 项", hr_bulk: "批量确认", hr_bulk_done: "已确认 {n} 项",
  hr_bulk_title: "确认 {n} 条服务时长？", hr_bulk_text: "{names}，按各自申报的时长确认并发放积分。",
  hr_bulk_go: "确认这 {n} 条", hr_bulk_keep: "再看看", hr_bulk_more: "{names} 等 {n} 人",
  hr_bulk_skipped: "，{n} 项状态已变化未处理", hr_confirm: "确认", hr_adjust: "调整", hr_reject: "不通过",
  hr_set: "补录时长", hr_answer: "回复异议", hr_claimed: "申报 {n} 小时", hr_max: "上限 {n} 小时",
  hr_confirmed_by: "已确认 {n} 小时（{who}）", hr_in_out: "签到 {in} · 签退 {out}", hr_no_out: "签到 {in} · 未签退",
  hr_dispute: "成员异议：{text}", hr_locked: "公示期已过，已锁定", hr_confirmed_ok: "已确认 {name} 的时长",
  hr_adjust_title: "调整 {name} 的服务时长", hr_set_title: "为 {name} 补录服务时长", hr_hours: "服务时长（小时，最多 {n}）",
  hr_adjusted_ok: "已调整 {name} 的时长", hr_reject_title: "{name} 的时长不通过",
  hr_reject_text: "成员会看到这个原因。", hr_rejected_ok: "已将 {name} 的时长标为不通过",
  hr_correction: "该记录公示期已过，本次修改将作为更正记录并写入审计日志。", hr_answer_title: "回复 {name} 的异议",
  hr_answer_label: "回复内容", hr_answered_ok: "已回复", hr_more: "加载更多", hr_select: "选择 {name}",
}, {
  hr_title: "Hours to confirm", 
  hr_tab_disputed: "Disputed",
  hr_search: "Find by name or phone", hr_empty: "Nothing waiting here.", hr_all: "Select all on this page",
  hr_selected: "{n} selected", hr_bulk: "Confirm selected", hr_bulk_done: "Confirmed {n}",
  hr_bulk_title: "Confirm {n} records of hours?", hr_bulk_text: "{names}: each as claimed, with their points.",
  hr_bulk_go: "Confirm these {n}", hr_bulk_keep: "Not yet", hr_bulk_more: "{names} and {n} in all",
  hr_bulk_skipped: "; {n} had changed and were left", hr_confirm: "Confirm", hr_adjust: "Adjust", hr_reject: "Reject",
  hr_set: "Set hours", hr_answer: "Answer dispute", hr_claimed: "claims {n} h", hr_max: "at most {n} h",
  hr_confirmed_by: "confirmed {n} h ({who})", hr_in_out: "in {in} · out {out}", hr_no_out: "in {in} · no check-out",
  hr_dispute: "Member disputes: {text}", hr_locked: "Publication ended: locked", hr_confirmed_ok: "Confirmed {name}",
  hr_adjust_title: "Adjust {name}'s hours", hr_set_title: "Set {name}'s hours", hr_hours: "Hours (at most {n})",
  hr_adjusted_ok: "Adjusted {name}'s hours", hr_reject_title: "Reject {name}'s hours",
  hr_reject_text: "The member will see this reason.", hr_rejected_ok: "Rejected {name}'s hours",
  hr_correction: "This record is locked after publication: the change is recorded as an audited correction.",
  hr_answer_title: "Answer {name}'s dispute", hr_answer_label: "Answer", hr_answered_ok: "Answered",
  hr_more: "Load more", hr_select: "Select {name}",
});

const TABS = ["pending", "no_checkout", "disputed", "confirmed", "rejected"];
const PAGE = 100;
const state = { tab: "pending", q: "", items: [], total: 0, counts: {}, selected: new Set(), error: null,
  loading: true, page: 1 };
let seq = 0;

async function load(more = false) {
  const mine = ++seq;
  state.page = more ? state.page + 1 : 1;
  const q = state.q ? `&q=${encodeURIComponent(state.q)}` : "";
  try {
    const answer = await api(`/hours?state=${state.tab}&page=${state.page}&page_size=${PAGE}${q}`);
    if (mine !== seq) return;
    state.items = more ? [...state.items, ...answer.items] : answer.items;
    state.total = answer.total;
    state.counts = answer.counts || {};
    state.error = null;
    const ids = new Set(state.items.map((i) => i.id));
    for (const id of state.selected) if (!ids.has(id)) state.selected.delete(id);
  } catch (e) {
    if (mine !== seq) return;
    state.error = errorText(e);
  }
  state.loading = false;
  draw();
}

async function act(item, action, body, okKey, button) {
  try {
    await busy(button, () => api(`/hours/${item.id}/${action}`, { method: "POST", body }));
    toast(t(okKey, { name: item.member.name }));
    state.selected.delete(item.id);
    await load();
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

async function hoursDialog(item, titleKey, action, okKey, button) {
  const got = await formDialog({ title: t(titleKey, { name: item.member.name }),
    text: item.locked ? t("hr_correction") : "", submit: t("dlg_ok"), fields: [
      { name: "hours", label: t("hr_hours", { n: item.max_hours }), type: "number", required: true, min: 0.1,
        max: item.max_hours, step: "any", value: item.hours_confirmed ?? item.hours_claimed ?? "" },
      { name: "reason", label: t("dlg_reason"), required: true }] });
  if (!got) return;
  await act(item, action, { hours: got.hours, reason: got.reason, correction: !!item.locked }, okKey, button);
}

async function reject(item, button) {
  const reason = await askReason(t("hr_reject_title", { name: item.member.name }),
    item.locked ? `${t("hr_reject_text")} ${t("hr_correction")}` : t("hr_reject_text"), t("hr_reject"), "", true);
  if (reason === null) return;
  await act(item, "reject", { reason, correction: !!item.locked }, "hr_rejected_ok", button);
}

async function answer(item, button) {
  const got = await formDialog({ title: t("hr_answer_title", { name: item.member.name }), text: item.dispute.message,
    fields: [{ name: "answer", label: t("hr_answer_label"), required: true }] });
  if (!got) return;
  try {
    await busy(button, () => api(`/hours/disputes/${item.dispute.id}/answer`, { method: "POST", body: got }));
    toast(t("hr_answered_ok"));
    await load();
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

function hoursLabel(item) {
  const hours = item.hours_claimed ?? item.hours_confirmed;
  return hours === null || hours === undefined ? "" : t("hours_n", { n: hours });
}

async function bulk(button) {
  const ids = [...state.selected];
  const names = state.items.filter((i) => state.selected.has(i.id)).map((i) => `${i.member.name} ${hoursLabel(i)}`);
  const shown = names.length > 6 ? t("hr_bulk_more", { names: names.slice(0, 6).join("、"), n: names.length })
    : names.join("、");
  const ok = await formDialog({ title: t("hr_bulk_title", { n: ids.length }), text: t("hr_bulk_text", { names: shown }),
    submit: t("hr_bulk_go", { n: ids.length }), dismiss: t("hr_bulk_keep") });
  if (!ok) return;
  try {
    const res = await busy(button, () => api("/hours/bulk-confirm", { method: "POST", body: { attendance_ids: ids } }));
    toast(t("hr_bulk_done", { n: res.confirmed.length }) +
      (res.skipped.length ? t("hr_bulk_skipped", { n: res.skipped.length }) : ""));
    state.selected.clear();
    await load();
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

function actions(item) {
  const b = (label, cls, fn, name) => el("button", { type: "button", class: cls, "data-action": name,
    "aria-label": `${label} ${item.member.name}`, onclick: (e) => fn(e.currentTarget) }, label);
  const s = item.state;
  const out = [];
  if (s === "pending" || s === "checked_out") {
    out.push(b(t("hr_confirm"), "primary", (btn) => act(item, "confirm", {}, "hr_confirmed_ok", btn), "confirm"));
  }
  if (s === "no_checkout") out.push(b(t("hr_set"), "primary", (btn) => hoursDialog(item, "hr_set_title", "set", "hr_adjusted_ok", btn), "set"));
  if (["pending", "checked_out", "confirmed", "rejected"].includes(s)) {
    out.push(b(t("hr_adjust"), "", (btn) => hoursDialog(item, "hr_adjust_title", "adjust", "hr_adjusted_ok", btn), "adjust"));
  }
  if (["pending", "checked_out", "confirmed", "no_checkout"].includes(s)) {
    out.push(b(t("hr_reject"), "danger", (btn) => reject(item, btn), "reject"));
  }
  if (item.dispute && item.dispute.status === "open") out.push(b(t("hr_answer"), "", (btn) => answer(item, btn), "answer"));
  return out;
}

function row(item) {
  const id = `sel-${item.id}`;
  const selectable = item.state === "pending";
  const box = selectable ? el("input", { type: "checkbox", id, checked: state.selected.has(item.id),
    "aria-label": t("hr_select", { name: item.member.name }) }) : null;
  if (box) box.addEventListener("change", () => { box.checked ? state.selected.add(item.id) : state.selected.delete(item.id); drawBulk(); });
  const hours = item.state === "confirmed"
    ? t("hr_confirmed_by", { n: item.hours_confirmed, who: item.confirmed_by_name || "" })
    : item.hours_claimed !== null ? t("hr_claimed", { n: item.hours_claimed }) : "";
  return el("li", { class: "item hours-item", "data-att": item.id },
    box ? el("label", { class: "check pick", for: id }, box) : null,
    el("div", { class: "body" },
      el("div", {}, el("span", { class: "name" }, item.member.name), " ",
        el("span", { class: "badge" + (item.state === "rejected" ? " red" : item.state === "confirmed" ? " green" : " amber") },
          stateLabel(item.state)), item.locked ? el("span", { class: "badge" }, t("hr_locked")) : null),
      el("div", { class: "meta" }, [item.member.branch_name, item.member.phone].filter(Boolean).join(" · ")),
      el("div", { class: "meta" }, item.checkout_at ? t("hr_in_out", { in: hhmm(item.checkin_at), out: hhmm(item.checkout_at) })
        : t("hr_no_out", { in: hhmm(item.checkin_at) })),
      el("div", { class: "meta" }, [hours, t("hr_max", { n: item.max_hours })].filter(Boolean).join(" · ")),
      item.dispute ? el("p", { class: "warn-text small" }, t("hr_dispute", { text: item.dispute.message })) : null,
      el("div", { class: "row-actions start" }, actions(item))));
}

function drawBulk() {
  const bar = $("bulk");
  if (!bar) return;
  bar.hidden = state.selected.size === 0;
  $("bulk-count").textContent = t("hr_selected", { n: state.selected.size });
  const all = $("select-all");
  if (all) {
    const pickable = state.items.filter((i) => i.state === "pending");
    all.checked = pickable.length > 0 && pickable.every((i) => state.selected.has(i.id));
  }
}

let searchBox = null;
/** Built once, so a redraw while typing keeps the focus and the caret. */
function searchInput() {
  if (searchBox) return searchBox;
  searchBox = el("input", { id: "hours-q", type: "search", autocomplete: "off" });
  let timer = null;
  searchBox.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = searchBox.value.trim(); load(); }, 300);
  });
  return searchBox;
}

function draw() {
  const main = $("main");
  const tabs = el("div", { class: "tabs", role: "group", "aria-label": t("hr_title") }, TABS.map((tab) => {
    const n = state.counts[tab];
    return el("button", { type: "button", "aria-pressed": String(state.tab === tab), "data-tab": tab,
      onclick: () => { state.tab = tab; state.selected.clear(); state.loading = true; draw(); load(); } },
    tab === "disputed" ? t("hr_tab_disputed") : stateLabel(tab), n ? ` ${n}` : "");
  }));
  const search = searchInput();
  const body = [];
  if (state.error) body.push(el("p", { class: "panel error", role: "alert" }, state.error));
  else if (state.loading) body.push(el("p", { class: "muted center" }, t("st_loading")));
  else if (!state.items.length) body.push(el("p", { class: "panel empty" }, t("hr_empty")));
  else {
    if (state.items.some((i) => i.state === "pending")) {
      const all = el("input", { type: "checkbox", id: "select-all" });
      all.addEventListener("change", () => {
        for (const i of state.items) if (i.state === "pending") all.checked ? state.selected.add(i.id) : state.selected.delete(i.id);
        draw();
      });
      body.push(el("label", { class: "check", for: "select-all" }, all, t("hr_all")));
    }
    let lastEvent = null;
    const list = el("ul", { class: "list", id: "hours-list" });
    for (const item of state.items) {
      if (item.event.id !== lastEvent) {
        lastEvent = item.event.id;
        list.append(el("li", { class: "group-head" }, item.event.title,
          el("div", { class: "meta" }, [timeRange(item.event.starts_at, item.event.ends_at), item.event.place_name,
            item.event.host_community_name || item.event.host_org_name].filter(Boolean).join(" · "))));
      }
      list.append(row(item));
    }
    body.push(list);
    if (state.items.length < state.total) {
      body.push(el("button", { type: "button", class: "block", onclick: () => load(true) }, t("hr_more")));
    }
  }
  const bulkButton = el("button", { type: "button", class: "primary", id: "bulk-confirm",
    onclick: (e) => bulk(e.currentTarget) }, t("hr_bulk"));
  main.replaceChildren(el("h1", {}, t("hr_title")), tabs,
    el("label", { for: "hours-q" }, t("hr_search")), search, el("div", { class: "hours-body" }, ...body),
    el("div", { class: "sticky", id: "bulk", hidden: true }, el("span", { class: "grow", id: "bulk-count" }), bulkButton));
  drawBulk();
}

boot({ roles: ["liaison", "organizer", "admin"], start: () => load(), draw });
