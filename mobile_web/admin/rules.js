// Points rules per activity kind, for admins: view and edit (PUT /points/rules). A change affects only
// payments made afterwards: every ledger entry keeps the amount it was paid with.
import { api } from "../shared/api.js";
import { addText, lang, t } from "../shared/i18n.js";
import { $, el } from "../shared/dom.js";
import { busy, toast } from "../shared/dialog.js";
import { kindLabel, kindOf } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  ru_title: "积分规则", ru_intro: "按活动类型设置积分。", ru_later: "修改只影响今后发放的积分：已经记入积分明细的积分不会改变，也不会重新计算。",
  f_checkin_points: "按时签到（分）", f_late_checkin_points: "迟到签到（分）", f_absence_points: "缺席扣分（0 或负数）",
  f_per_hour_points: "每小时服务时长（分）", f_cap_per_activity: "每次活动最多（分，留空为不限）",
  h_absence_points: "活动结束时仍未签到的名册成员按此扣分。", h_per_hour_points: "时长确认后按小时计分。",
  ru_reason: "修改原因（选填，记入审计日志）", ru_save: "保存修改", ru_saved: "已保存：{kinds}。今后的积分按新规则发放。",
  ru_unchanged: "没有修改。", ru_updated: "上次修改：{time}", ru_bad: "请填写 {min} 到 {max} 之间的整数：{field}",
  ru_codes: "积分明细中的规则代码",
}, {
  ru_title: "Points rules", ru_intro: "Points per kind of activity.",
  ru_later: "A change affects only points paid from now on: entries already in the ledger keep their amounts and are never recomputed.",
  f_checkin_points: "Check-in on time (points)", f_late_checkin_points: "Late check-in (points)",
  f_absence_points: "Absence (0 or negative)", f_per_hour_points: "Per hour of service (points)",
  f_cap_per_activity: "At most per activity (points; empty: no cap)",
  h_absence_points: "Deducted from roster members not checked in when the event closes.",
  h_per_hour_points: "Paid per hour once the hours are confirmed.",
  ru_reason: "Reason for the change (optional, kept in the audit log)", ru_save: "Save changes",
  ru_saved: "Saved: {kinds}. Points paid from now on follow the new rules.", ru_unchanged: "Nothing changed.",
  ru_updated: "Last changed {time}", ru_bad: "Enter a whole number from {min} to {max}: {field}",
  ru_codes: "Rule codes in the ledger",
});

// The fields each kind uses, from its flags in the server's kinds table: kinds that pay on check-in
// (and deduct absences) or pay per hour of service.
const fieldsOf = (code) => {
  const k = kindOf(code);
  if (!k) return null;
  return [...(k.pays_at_checkin ? ["checkin_points", "late_checkin_points"] : []),
    ...(k.deducts_absence ? ["absence_points"] : []), ...(k.records_hours ? ["per_hour_points", "cap_per_activity"] : [])];
};
const RANGE = { absence_points: [-10000, 0] };
const range = (f) => RANGE[f] || [0, 10000];
const state = { rules: null, codes: {}, error: null };
let inputs = {}; // "kind.field" → input, kept across redraws so typed values survive a language switch
let reasonBox = null;

/** The server's code notes read "中文 / English" (at the first "/ "): the chosen language's half. */
function bilingual(text) {
  const at = String(text).indexOf("/ ");
  if (at < 0) return String(text);
  return (lang() === "en" ? text.slice(at + 2) : text.slice(0, at)).trim();
}

async function load() {
  try {
    const answer = await api("/points/rules");
    state.rules = answer.rules;
    state.codes = answer.codes || {};
    state.error = null;
    inputs = {};
  } catch (e) {
    state.error = errorText(e);
  }
  draw();
}

function input(rule, f) {
  const key = `${rule.kind}.${f}`;
  if (!inputs[key]) {
    const [min, max] = range(f);
    const value = rule[f];
    inputs[key] = el("input", { id: `r-${rule.kind}-${f}`, name: key, type: "number", inputmode: "numeric", step: 1, min, max,
      value: value === null || value === undefined ? "" : value, "data-kind": rule.kind, "data-field": f,
      "aria-describedby": t(`h_${f}`) !== `h_${f}` ? `r-${rule.kind}-${f}-hint` : null });
  }
  return inputs[key];
}

/** {kind: {field: value}} for the fields whose value differs from the rule, or an error text. */
function changes() {
  const out = [];
  for (const rule of state.rules) {
    const change = {};
    for (const f of fieldsOf(rule.kind) || []) {
      const box = inputs[`${rule.kind}.${f}`];
      const text = box.value.trim();
      const value = text === "" && f === "cap_per_activity" ? null : Number(text);
      const [min, max] = range(f);
      if (value !== null && (text === "" || !Number.isInteger(value) || value < min || value > max)) {
        box.setAttribute("aria-invalid", "true");
        box.focus();
        return t("ru_bad", { min, max, field: `${kindLabel(rule.kind)} · ${t(`f_${f}`)}` });
      }
      box.removeAttribute("aria-invalid");
      if (value !== rule[f]) change[f] = value;
    }
    if (Object.keys(change).length) out.push({ kind: rule.kind, ...change });
  }
  return out;
}

async function save(button, error) {
  error.hidden = true;
  const rules = changes();
  if (typeof rules === "string") {
    error.textContent = rules;
    error.hidden = false;
    return;
  }
  if (!rules.length) { toast(t("ru_unchanged")); return; }
  try {
    const answer = await busy(button, () => api("/points/rules", { method: "PUT",
      body: { rules, reason: reasonBox.value.trim() } }));
    state.rules = answer.rules;
    inputs = {};
    reasonBox.value = "";
    toast(answer.changed.length ? t("ru_saved", { kinds: answer.changed.map(kindLabel).join("、") }) : t("ru_unchanged"));
    draw();
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
}

function ruleBox(rule) {
  const fields = (fieldsOf(rule.kind) || []).map((f) => el("div", { class: "field" },
    el("label", { for: `r-${rule.kind}-${f}` }, t(`f_${f}`)), input(rule, f),
    t(`h_${f}`) !== `h_${f}` ? el("p", { class: "hint", id: `r-${rule.kind}-${f}-hint` }, t(`h_${f}`)) : null));
  return el("fieldset", { "data-kind": rule.kind }, el("legend", {}, kindLabel(rule.kind)),
    el("div", { class: "rules-grid" }, fields),
    rule.updated_at ? el("p", { class: "updated" }, t("ru_updated", { time: rule.updated_at.slice(0, 16).replace("T", " ") })) : null);
}

function draw() {
  const main = $("main");
  const head = [el("h1", {}, t("ru_title")), el("p", { class: "muted intro" }, t("ru_intro")),
    el("p", { class: "panel warn", id: "ru-later", role: "note" }, t("ru_later"))];
  if (state.error) { main.replaceChildren(...head, el("p", { class: "panel error", role: "alert" }, state.error)); return; }
  if (!state.rules) { main.replaceChildren(...head, el("p", { class: "muted center" }, t("st_loading"))); return; }
  if (!reasonBox) reasonBox = el("textarea", { id: "ru-reason", name: "reason", rows: 2, maxlength: 500 });
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", class: "primary block", id: "ru-save" }, t("ru_save"));
  const form = el("form", { class: "panel", id: "ru-form", novalidate: true },
    state.rules.filter((r) => fieldsOf(r.kind)).map(ruleBox),
    el("label", { for: "ru-reason" }, t("ru_reason")), reasonBox, error, submit);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); save(submit, error); });
  const codes = el("details", { class: "panel" }, el("summary", {}, t("ru_codes")),
    el("dl", {}, Object.entries(state.codes).flatMap(([code, text]) => [el("dt", {}, el("code", {}, code)),
      el("dd", { class: "meta" }, bilingual(text))])));
  main.replaceChildren(...head, form, codes);
}

boot({ roles: ["admin"], start: () => load(), draw: () => draw() });
