// The liaison's needs list (需求清单): every need of the community with its slots, who claimed each
// slot (认领名单), and the actions: post, edit (need-form.js), stop or reopen claims, cancel the need.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { el } from "../shared/dom.js";
import { busy, formDialog, toast } from "../shared/dialog.js";
import { stateLabel } from "../shared/labels.js";
import { errorText } from "../shared/shell.js";
import { needForm } from "./need-form.js";
import { dutyBadge, skillBadges, slotPhase, whenNodes } from "./shared.js";

addText({
  nd_new: "发布需求", nd_none: "还没有发布需求。点“发布需求”，写明要做什么、在哪里、哪些时段、需要几人。",
  nd_current: "正在认领", nd_past: "已结束或已取消", nd_edit: "编辑", nd_close: "停止认领", nd_reopen: "重新开放",
  nd_cancel: "取消需求", nd_cancel_title: "取消需求：{title}",
  nd_cancel_text: "尚未结束的时段和对应的签到活动会一起取消，已认领的党员会看到“已取消”。",
  nd_closed: "已停止认领", nd_reopened: "已重新开放认领", nd_cancelled: "需求已取消",
  nd_claims: "认领名单（{n}）", nd_claims_none: "还没有人认领这个时段。", nd_claims_hide: "收起名单",
  nd_withdrawn_at: "已取消认领", nd_not_in: "未签到", nd_hours: "{n} 小时",
}, {
  nd_new: "Post a need", nd_none: "No needs posted yet. Tap “Post a need”: what to do, where, which time slots, how many people.",
  nd_current: "Open for claims", nd_past: "Over or cancelled", nd_edit: "Edit", nd_close: "Stop claims",
  nd_reopen: "Reopen", nd_cancel: "Cancel need", nd_cancel_title: "Cancel: {title}",
  nd_cancel_text: "The slots not yet over and their check-in events are cancelled; members who claimed see it cancelled.",
  nd_closed: "Claims stopped", nd_reopened: "Open for claims again", nd_cancelled: "Need cancelled",
  nd_claims: "Claims ({n})", nd_claims_none: "Nobody has claimed this slot yet.", nd_claims_hide: "Hide claims",
  nd_withdrawn_at: "withdrawn", nd_not_in: "not checked in", nd_hours: "{n} h",
});

const ns = { communityId: null, duties: null, error: null, loading: false, open: new Map(), form: null };

export function resetNeeds() {
  Object.assign(ns, { communityId: null, duties: null, error: null, loading: false, form: null });
  ns.open.clear();
}

async function load(ctx) {
  ns.loading = true;
  try {
    ns.duties = await api(`/communities/${ctx.community.id}/duties?include_past=true`);
    ns.error = null;
  } catch (e) {
    ns.error = errorText(e);
  } finally {
    ns.loading = false;
  }
  await Promise.all([...ns.open.keys()].map((slotId) => loadClaims(slotId)));
}

async function loadClaims(slotId) {
  try {
    ns.open.set(slotId, await api(`/duty-slots/${slotId}/claims`));
  } catch (e) {
    ns.open.set(slotId, { error: errorText(e) });
  }
}

async function reload(ctx) {
  await load(ctx);
  ctx.redraw();
}

async function setStatus(ctx, duty, status, button) {
  if (status === "cancelled") {
    const ok = await formDialog({ title: t("nd_cancel_title", { title: duty.title }), text: t("nd_cancel_text"),
      submit: t("nd_cancel"), danger: true });
    if (!ok) return;
  }
  try {
    await busy(button, () => api(`/duties/${duty.id}`, { method: "PATCH", body: { status } }));
    toast(t({ closed: "nd_closed", open: "nd_reopened", cancelled: "nd_cancelled" }[status]));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  await reload(ctx);
}

async function toggleClaims(ctx, slotId) {
  if (ns.open.has(slotId)) {
    ns.open.delete(slotId);
    ctx.redraw();
    return;
  }
  ns.open.set(slotId, null);
  ctx.redraw();
  await loadClaims(slotId);
  ctx.redraw();
}

function claimItem(c) {
  const att = c.attendance;
  const hours = att ? att.hours_confirmed ?? att.hours_claimed : null;
  const state = c.status === "withdrawn" ? t("nd_withdrawn_at")
    : att ? [stateLabel(att.state), hours === null || hours === undefined ? "" : t("nd_hours", { n: hours })]
      .filter(Boolean).join(" · ") : t("nd_not_in");
  return el("li", { class: `item ${c.status}`, "data-claim": c.id }, el("div", { class: "body" },
    el("p", { class: "name" }, c.member.name),
    el("p", { class: "meta" }, [c.member.branch_name, c.member.phone].filter(Boolean).join(" · ")),
    el("p", { class: "meta" }, state)));
}

function claimsBox(slotId) {
  const data = ns.open.get(slotId);
  if (!data) return el("p", { class: "muted" }, t("st_loading"));
  if (data.error) return el("p", { class: "error", role: "alert" }, data.error);
  if (!data.claims.length) return el("p", { class: "empty" }, t("nd_claims_none"));
  return el("ul", { class: "list claim-list" }, data.claims.map(claimItem));
}

function slotRow(ctx, duty, slot) {
  const phase = slotPhase(slot, duty);
  const open = ns.open.has(slot.id);
  const label = open ? t("nd_claims_hide") : t("nd_claims", { n: slot.claimed });
  return el("li", { class: `slot ${phase === "open" || phase === "started" ? "" : "closed"}`, "data-slot": slot.id },
    el("div", { class: "body" },
      el("p", { class: "slot-when" }, whenNodes(slot.starts_at, slot.ends_at)),
      el("p", { class: "meta" }, t("slot_taken", { n: slot.claimed, cap: slot.capacity }),
        phase === "open" ? "" : ` · ${t(`slot_${phase}`)}`)),
    el("div", { class: "side" }, el("button", { type: "button", "data-action": "claims", "aria-expanded": String(open),
      onclick: () => toggleClaims(ctx, slot.id) }, label)),
    open ? el("div", { class: "slot-claims" }, claimsBox(slot.id)) : null);
}

function isPast(duty) {
  return duty.status === "cancelled" || duty.slots.every((s) => slotPhase(s, duty) === "over" || s.status === "cancelled");
}

function dutyCard(ctx, duty) {
  const past = isPast(duty);
  const button = (label, cls, onclick, action) => el("button", { type: "button", class: cls, "data-action": action,
    onclick: (ev) => onclick(ev.currentTarget) }, label);
  return el("li", { class: "panel duty", "data-duty": duty.id },
    el("p", { class: "card-title" }, duty.title, " ", dutyBadge(duty.status)),
    duty.place_name ? el("p", { class: "meta" }, t("place_is", { place: duty.place_name })) : null,
    duty.skills.length ? el("p", { class: "meta" }, skillBadges(duty.skills)) : null,
    duty.description ? el("p", { class: "description" }, duty.description) : null,
    el("ul", { class: "list slots" }, duty.slots.map((s) => slotRow(ctx, duty, s))),
    past ? null : el("div", { class: "actions" },
      button(t("nd_edit"), "", () => { ns.form = { duty }; ctx.redraw(); }, "edit"),
      duty.status === "open" ? button(t("nd_close"), "", (b) => setStatus(ctx, duty, "closed", b), "close")
        : button(t("nd_reopen"), "", (b) => setStatus(ctx, duty, "open", b), "reopen"),
      button(t("nd_cancel"), "danger", (b) => setStatus(ctx, duty, "cancelled", b), "cancel")));
}

/** The nodes of the needs tab for ctx = {community, redraw}. */
export function needsTab(ctx) {
  if (ns.communityId !== ctx.community.id) {
    resetNeeds();
    ns.communityId = ctx.community.id;
  }
  if (ns.form) { // built once: a redraw (the language switch) keeps what was typed
    ns.form.node = ns.form.node || needForm({ community: ctx.community, duty: ns.form.duty, done: async (saved) => {
      ns.form = null;
      if (saved) toast(t("st_saved"));
      ctx.redraw();
      await reload(ctx);
    } });
    return [ns.form.node];
  }
  if (ns.duties === null && !ns.error && !ns.loading) reload(ctx);
  const head = el("button", { type: "button", class: "primary block", id: "need-new",
    onclick: () => { ns.form = { duty: null }; ctx.redraw(); } }, t("nd_new"));
  if (ns.error) return [head, el("p", { class: "panel error", role: "alert" }, ns.error)];
  if (!ns.duties) return [head, el("p", { class: "muted center" }, t("st_loading"))];
  if (!ns.duties.length) return [head, el("p", { class: "panel empty" }, t("nd_none"))];
  const current = ns.duties.filter((d) => !isPast(d));
  const past = ns.duties.filter(isPast);
  const group = (key, list, id) => (list.length ? [el("h3", { class: "group-head" }, t(key)),
    el("ul", { class: "list", id }, list.map((d) => dutyCard(ctx, d)))] : []);
  return [head, ...group("nd_current", current, "needs-current"), ...group("nd_past", past, "needs-past")];
}
