// The member's side of the needs list (需求清单): each need with its time slots, places left, claim
// (认领) and withdraw, a clear reason when a slot cannot be claimed; and "my claims" with check-in state.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { el } from "../shared/dom.js";
import { busy, formDialog, toast } from "../shared/dialog.js";
import { stateLabel } from "../shared/labels.js";
import { errorText } from "../shared/shell.js";
import { dutyBadge, skillBadges, slotPhase, slotWhen, whenNodes } from "./shared.js";

addText({
  mn_needs: "社区需求", mn_needs_of: "{name} 发布的服务需求", mn_none: "社区暂时没有需要认领的服务。",
  mn_need_registration: "到社区报到并通过审核后，可以在这里认领社区发布的服务。",
  mn_claim: "认领", mn_withdraw: "取消认领", mn_claimed: "认领成功：{title}", mn_withdrawn: "已取消认领",
  mn_withdraw_title: "不再参加这个时段？", mn_withdraw_go: "取消认领",
  mn_claims: "我的认领", mn_claims_none: "您还没有认领社区服务。",
  mn_claims_hint: "到场后请扫描现场的签到二维码签到，结束时扫描签退二维码，服务时长由社区联络员确认。",
  mn_not_in: "尚未签到", mn_hours: "{n} 小时",
}, {
  mn_needs: "Community needs", mn_needs_of: "Needs posted by {name}", mn_none: "Nothing to claim at the moment.",
  mn_need_registration: "Once you are registered with a community (and accepted), its needs show here to claim.",
  mn_claim: "Claim", mn_withdraw: "Withdraw", mn_claimed: "Claimed: {title}", mn_withdrawn: "Claim withdrawn",
  mn_withdraw_title: "Withdraw from this slot?", mn_withdraw_go: "Withdraw",
  mn_claims: "My claims", mn_claims_none: "You have not claimed any community duty.",
  mn_claims_hint: "On the day, scan the check-in code at the place, and the check-out code when you leave; the liaison confirms the hours.",
  mn_not_in: "not checked in yet", mn_hours: "{n} h",
});

async function claim(ctx, duty, slot, button) {
  ctx.state.slotErrors.delete(slot.id);
  try {
    await busy(button, () => api(`/duty-slots/${slot.id}/claim`, { method: "POST" }));
    toast(t("mn_claimed", { title: duty.title }));
  } catch (e) {
    if (e.status === 401) { location.reload(); return; }
    ctx.state.slotErrors.set(slot.id, errorText(e)); // full, over, cancelled: the server's words
  }
  await ctx.refresh();
}

async function withdraw(ctx, title, slot, button) {
  const ok = await formDialog({ title: t("mn_withdraw_title"), text: `${title} · ${slotWhen(slot.starts_at, slot.ends_at)}`,
    submit: t("mn_withdraw_go"), danger: true });
  if (!ok) return;
  ctx.state.slotErrors.delete(slot.id);
  try {
    await busy(button, () => api(`/duty-slots/${slot.id}/withdraw`, { method: "POST" }));
    toast(t("mn_withdrawn"));
  } catch (e) {
    if (e.status === 401) { location.reload(); return; }
    ctx.state.slotErrors.set(slot.id, errorText(e));
  }
  await ctx.refresh();
}

/** Why a slot cannot be claimed, in words; null when it can. */
function refusal(duty, slot) {
  if (slot.can_claim || slot.claimed_by_me) return null;
  const phase = slotPhase(slot, duty);
  if (phase === "cancelled") return t("slot_cancelled");
  if (phase === "over") return t("slot_over");
  if (duty.status !== "open") return t("duty_stopped");
  if (slot.remaining <= 0) return t("slot_full");
  return null;
}

function slotRow(ctx, duty, slot) {
  const phase = slotPhase(slot, duty);
  const why = refusal(duty, slot);
  const error = ctx.state.slotErrors.get(slot.id);
  let action = null;
  if (slot.claimed_by_me && slot.can_withdraw) {
    action = el("button", { type: "button", class: "danger", "data-action": "withdraw",
      onclick: (ev) => withdraw(ctx, duty.title, slot, ev.currentTarget) }, t("mn_withdraw"));
  } else if (slot.can_claim) {
    action = el("button", { type: "button", class: "primary", "data-action": "claim",
      onclick: (ev) => claim(ctx, duty, slot, ev.currentTarget) }, t("mn_claim"));
  }
  const cls = slot.claimed_by_me ? "mine" : why ? "closed" : "";
  return el("li", { class: `slot ${cls}`, "data-slot": slot.id },
    el("div", { class: "body" },
      el("p", { class: "slot-when" }, whenNodes(slot.starts_at, slot.ends_at)),
      el("p", { class: "meta" }, t("slot_left", { n: slot.remaining, cap: slot.capacity }),
        phase === "started" ? ` · ${t("slot_started")}` : ""),
      slot.claimed_by_me ? el("p", { class: "slot-state ok" }, t("slot_mine")) : null,
      slot.claimed_by_me && !slot.can_withdraw && phase !== "over" ? el("p", { class: "meta" }, t("slot_no_withdraw")) : null,
      why ? el("p", { class: "slot-state why" }, why) : null,
      error ? el("p", { class: "error", role: "alert" }, error) : null),
    action ? el("div", { class: "side" }, action) : null);
}

function dutyCard(ctx, duty) {
  return el("li", { class: "panel duty", "data-duty": duty.id },
    el("p", { class: "card-title" }, duty.title, " ", duty.status !== "open" ? dutyBadge(duty.status) : null),
    duty.place_name ? el("p", { class: "meta" }, t("place_is", { place: duty.place_name })) : null,
    duty.skills.length ? el("p", { class: "meta" }, skillBadges(duty.skills)) : null,
    duty.description ? el("p", { class: "description" }, duty.description) : null,
    el("ul", { class: "list slots" }, duty.slots.map((s) => slotRow(ctx, duty, s))));
}

export function needsPanel(ctx) {
  const { state } = ctx;
  const community = state.mine && state.mine.community;
  const head = el("h2", {}, t("mn_needs"));
  const panel = el("section", { class: "group", id: "cm-needs" }, head);
  if (!community) {
    panel.append(el("p", { class: "muted" }, t("mn_need_registration")));
    return panel;
  }
  panel.append(el("p", { class: "meta" }, t("mn_needs_of", { name: community.name })));
  if (state.errors.duties) panel.append(el("p", { class: "error", role: "alert" }, state.errors.duties));
  else if (!state.duties) panel.append(el("p", { class: "muted" }, t("st_loading")));
  else if (!state.duties.length) panel.append(el("p", { class: "empty" }, t("mn_none")));
  else panel.append(el("ul", { class: "list", id: "needs-list" }, state.duties.map((d) => dutyCard(ctx, d))));
  return panel;
}

function attendanceText(att) {
  if (!att) return t("mn_not_in");
  const hours = att.hours_confirmed ?? att.hours_claimed;
  return [stateLabel(att.state), hours === null || hours === undefined ? "" : t("mn_hours", { n: hours })]
    .filter(Boolean).join(" · ");
}

export function claimsPanel(ctx) {
  const { state } = ctx;
  const panel = el("section", { class: "panel", id: "cm-claims" }, el("h2", {}, t("mn_claims")));
  if (state.errors.claims) {
    panel.append(el("p", { class: "error", role: "alert" }, state.errors.claims));
    return panel;
  }
  const claims = state.claims || [];
  if (!claims.length) {
    panel.append(el("p", { class: "empty" }, t("mn_claims_none")));
    return panel;
  }
  panel.append(el("ul", { class: "list", id: "claims-list" }, claims.map((c) => el("li", {
    class: "item claim", "data-slot": c.slot.id },
  el("div", { class: "body" },
    el("p", { class: "name" }, c.duty.title),
    el("p", { class: "meta" }, whenNodes(c.slot.starts_at, c.slot.ends_at)),
    c.duty.place_name ? el("p", { class: "meta" }, t("place_is", { place: c.duty.place_name })) : null,
    el("p", { class: "meta" }, attendanceText(c.attendance))),
  c.slot.can_withdraw ? el("div", { class: "side" }, el("button", { type: "button", class: "danger",
    "data-action": "withdraw", onclick: (ev) => withdraw(ctx, c.duty.title, c.slot, ev.currentTarget) },
  t("mn_withdraw"))) : null))),
  el("p", { class: "hint" }, t("mn_claims_hint")));
  return panel;
}
