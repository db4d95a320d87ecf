// Delayed scans held for the organizer (sent later than the grace, or offline without a location at a
// geofenced event): each with its delay and distance, accepted (check-in at the moment of the scan,
// with points) or refused with a reason. Shown on the live page only while there is something to decide.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { el, hhmm } from "../shared/dom.js";
import { askReason, busy, toast } from "../shared/dialog.js";
import { errorText } from "../shared/shell.js";

addText({
  hs_title: "待确认的扫码", hs_text: "这些扫码发出得晚，或离线时没有位置，需要您确认后才计入签到和积分。",
  hs_scanned: "扫码 {time}", hs_delay: "晚发 {minutes} 分钟", hs_distance: "距会场 {m} 米", hs_no_location: "无位置",
  hs_in: "签到", hs_out: "签退",
  hs_accept: "认可签到", hs_refuse: "不予认可", hs_refuse_title: "不认可 {name} 的扫码",
  hs_refuse_text: "这次扫码不计入签到，理由记入审计日志。", hs_refuse_submit: "不予认可",
  hs_accepted: "已认可 {name} 的扫码", hs_refused: "已不认可 {name} 的扫码",
}, {
  hs_title: "Scans to review", hs_text: "These scans were sent late, or offline without a location: they count only once you accept them.",
  hs_scanned: "scanned {time}", hs_delay: "sent {minutes} min late", hs_distance: "{m} m from the venue",
  hs_no_location: "no location", hs_in: "check-in", hs_out: "check-out",
  hs_accept: "Accept", hs_refuse: "Refuse", hs_refuse_title: "Refuse {name}'s scan",
  hs_refuse_text: "The scan does not count; the reason goes to the audit log.", hs_refuse_submit: "Refuse the scan",
  hs_accepted: "Accepted {name}'s scan", hs_refused: "Refused {name}'s scan",
});

/** The panel and its refresh(); onItem(attendance) after an accepted scan. */
export function heldPanel(eventId, onItem) {
  const list = el("ul", { class: "list", id: "held-list" });
  const panel = el("section", { class: "panel", id: "held-scans", hidden: true },
    el("h2", {}, t("hs_title")), el("p", { class: "small muted" }, t("hs_text")), list);

  async function decide(item, decision, button) {
    let reason = "";
    if (decision === "refuse") {
      reason = await askReason(t("hs_refuse_title", { name: item.member_name }), t("hs_refuse_text"),
        t("hs_refuse_submit"), "", true);
      if (reason === null) return;
    }
    await busy(button, async () => {
      try {
        const answer = await api(`/events/${eventId}/held-scans/${item.scan_id}`,
          { method: "POST", body: { decision, reason } });
        toast(t(decision === "accept" ? "hs_accepted" : "hs_refused", { name: item.member_name }));
        if (answer.attendance) onItem(answer.attendance);
      } catch (e) {
        toast(errorText(e), "bad");
      }
      refresh();
    });
  }

  function row(item) {
    const facts = [t("hs_scanned", { time: hhmm(item.scanned_at) }), t(item.direction === "out" ? "hs_out" : "hs_in")];
    if (item.delay_s) facts.push(t("hs_delay", { minutes: Math.max(1, Math.round(item.delay_s / 60)) }));
    facts.push(item.has_location
      ? (item.distance_m !== null ? t("hs_distance", { m: Math.round(item.distance_m) }) : "")
      : t("hs_no_location"));
    const accept = el("button", { type: "button", class: "small-button primary" }, t("hs_accept"));
    const refuse = el("button", { type: "button", class: "small-button danger" }, t("hs_refuse"));
    accept.addEventListener("click", () => decide(item, "accept", accept));
    refuse.addEventListener("click", () => decide(item, "refuse", refuse));
    return el("li", { class: "row", "data-scan": item.scan_id },
      el("div", { class: "row-main" },
        el("p", { class: "row-title" }, item.member_name, item.branch_name ? ` · ${item.branch_name}` : ""),
        el("p", { class: "row-meta" }, facts.filter(Boolean).join(" · "))),
      el("div", { class: "row-actions" }, accept, refuse));
  }

  async function refresh() {
    let items;
    try { items = (await api(`/events/${eventId}/held-scans`)).items; } catch { return; }
    const waiting = items.filter((i) => i.decision === null);
    panel.hidden = !waiting.length;
    list.replaceChildren(...waiting.map(row));
  }

  return { panel, refresh };
}
