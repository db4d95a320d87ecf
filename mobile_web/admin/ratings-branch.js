// One branch's rating on the committee's page: score and stars, per indicator the value against its target
// and the points it earned, the records behind each number (events, calendar cells, meetings, members),
// and the adjustments (admins add one to a draft year: a veto or points off, with a reason).
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { el } from "../shared/dom.js";
import { busy, formDialog, toast } from "../shared/dialog.js";
import { errorText } from "../shared/shell.js";

addText({
  eb_back: "返回评定总表", eb_value: "实际 {value}", eb_target: "目标 {target}", eb_points: "得分 {points} / {weight}",
  eb_nothing: "本年度还没有可计数的记录，不计入总分", eb_records: "依据（{n} 条）", eb_adjustments: "调整记录",
  eb_veto: "一票否决", eb_deduct: "扣 {points} 分", eb_adjust: "调整评定", eb_kind: "调整类型", eb_points_f: "扣分",
  eb_adjusted: "已调整", eb_present: "实到 {a} + 补课 {m} / 应到 {e} − 请假 {x}", eb_on_time: "按时审核",
  eb_late: "逾期未审核或审核超时", eb_due: "未到期", eb_hours: "{h} 小时", eb_points_n: "{p} 分", eb_reached: "达标",
}, {
  eb_back: "Back to the table", eb_value: "actual {value}", eb_target: "target {target}",
  eb_points: "{points} of {weight} points", eb_nothing: "Nothing to count yet this year: left out of the score",
  eb_records: "Records ({n})", eb_adjustments: "Adjustments", eb_veto: "Veto (一票否决)", eb_deduct: "{points} points off",
  eb_adjust: "Adjust", eb_kind: "Kind", eb_points_f: "Points off", eb_adjusted: "Adjusted",
  eb_present: "present {a} + made up {m} / expected {e} − excused {x}", eb_on_time: "approved in time",
  eb_late: "late or not approved", eb_due: "not due yet", eb_hours: "{h} h", eb_points_n: "{p}", eb_reached: "reached",
});

export const starText = (n) => "★".repeat(n) + "☆".repeat(5 - n);

const RATIOS = new Set(["attendance_rate", "compliance", "record_timeliness", "registration", "served"]);

/** A part's value as people read it: a percentage for ratios, else the number. */
export function pct(part) {
  if (part.value === null || part.value === undefined) return "—";
  return RATIOS.has(part.code) ? `${Math.round(part.value * 1000) / 10}%` : String(Math.round(part.value * 100) / 100);
}

function target(part) {
  return RATIOS.has(part.code) ? `${Math.round(part.target * 1000) / 10}%` : String(part.target);
}

function recordLine(code, r) {
  switch (code) {
    case "attendance_rate":
      return `${r.starts_at.slice(0, 10)} ${r.title} · ${t("eb_present", { a: r.attended, m: r.made_up, e: r.expected, x: r.excused })}`;
    case "compliance":
      return `${r.label}: ${r.cells.map((c) => `${c.held}/${c.min_count}`).join(" ")}`;
    case "record_timeliness":
      return `${r.starts_at.slice(0, 10)} ${r.title} · ${t(r.on_time === null ? "eb_due" : r.on_time ? "eb_on_time" : "eb_late")}`;
    case "served":
      return `${r.name} · ${t("eb_hours", { h: r.hours })}${r.reached ? ` · ${t("eb_reached")}` : ""}`;
    case "hours_per_member":
      return `${r.name} · ${t("eb_hours", { h: r.hours })}`;
    case "points_per_member":
      return `${r.name} · ${t("eb_points_n", { p: r.points })}`;
    default:
      return r.name || r.title || "";
  }
}

async function adjust(body, branch, button, reload) {
  const got = await formDialog({ title: t("eb_adjust"), submit: t("eb_adjust"), danger: true, fields: [
    { name: "kind", label: t("eb_kind"), type: "select", value: "deduct",
      options: [["deduct", t("eb_deduct", { points: "" }).trim()], ["veto", t("eb_veto")]] },
    { name: "points", label: t("eb_points_f"), type: "number", min: 0, max: 100, step: 0.5, value: 0 },
    { name: "reason", label: t("dlg_reason"), required: true }] });
  if (!got) return;
  try {
    await busy(button, () => api("/evaluation/adjustments", { method: "POST", body: { year: body.year, branch_id: branch.id,
      kind: got.kind, points: Number(got.points) || 0, reason: got.reason } }));
    toast(t("eb_adjusted"));
  } catch (e) {
    toast(errorText(e), "bad");
  }
  reload();
}

/** The breakdown's nodes; onBack returns to the table, reload after an adjustment. */
export function branchView(body, state, onBack, reload) {
  const b = body.branch;
  const back = el("button", { type: "button", class: "secondary no-print", id: "eb-back" }, t("eb_back"));
  back.addEventListener("click", onBack);
  const canAdjust = state.me.roles.includes("admin") && body.status === "draft";
  const adjustButton = canAdjust ? el("button", { type: "button", class: "danger no-print", id: "eb-adjust" }, t("eb_adjust")) : null;
  if (adjustButton) adjustButton.addEventListener("click", () => adjust(body, b, adjustButton, reload));
  return [
    el("section", { class: "panel", id: "eb-head" }, el("h2", {}, b.name), b.organ ? el("p", { class: "muted" }, b.organ) : null,
      el("p", { class: "stars big-stars", "aria-label": `${b.stars}★` }, starText(b.stars)),
      el("p", { class: "lead" }, `${t("ev_score")} ${b.score === null ? t("ev_no_score") : b.score}`)),
    el("section", { class: "panel", id: "eb-parts" }, el("ul", { class: "list" }, b.parts.map((p) => el("li", { class: "part", "data-code": p.code },
      el("p", { class: "row-title" }, p.label),
      el("p", { class: "row-meta" }, p.value === null ? t("eb_nothing")
        : [t("eb_value", { value: pct(p) }), t("eb_target", { value: pct(p), target: target(p) }),
          t("eb_points", { points: p.points, weight: p.weight })].join(" · ")),
      p.records && p.records.length ? el("details", {}, el("summary", {}, t("eb_records", { n: p.records.length })),
        el("ul", { class: "records" }, p.records.map((r) => el("li", {}, recordLine(p.code, r))))) : null)))),
    b.adjustments.length ? el("section", { class: "panel", id: "eb-adjustments" }, el("h2", {}, t("eb_adjustments")),
      el("ul", { class: "list" }, b.adjustments.map((a) => el("li", { class: "row" }, el("span", { class: "row-main" },
        a.kind === "veto" ? t("eb_veto") : t("eb_deduct", { points: a.points })), el("span", { class: "muted" }, a.reason))))) : null,
    el("div", { class: "row-actions" }, back, adjustButton)];
}
