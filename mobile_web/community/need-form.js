// Post or edit a need (发布／编辑需求): title, description, place, skills, and its time slots (start,
// end, people wanted). Editing saves the need, then each changed slot, then each new one; a slot
// that has started keeps its times; a slot can be cancelled on its own.
import { api } from "../shared/api.js";
import { addText, pickLang, t } from "../shared/i18n.js";
import { el } from "../shared/dom.js";
import { busy, formDialog, toast } from "../shared/dialog.js";
import { errorText } from "../shared/shell.js";
import { slotWhen } from "./shared.js";

addText({
  nf_new: "发布需求", nf_edit: "编辑需求", nf_title: "需求名称", nf_description: "需求说明（选填）",
  nf_place: "地点（选填）", nf_skills: "需要的特长（选填，用逗号或顿号分隔）", nf_slots: "时段",
  nf_start: "开始时间", nf_end: "结束时间", nf_capacity: "需要人数", nf_add_slot: "添加时段", nf_remove: "删除",
  nf_slot_n: "时段 {n}", nf_publish: "发布", nf_save: "保存", nf_back: "返回", nf_required: "必填",
  nf_end_after: "结束时间应晚于开始时间", nf_capacity_min: "至少 1 人", nf_started: "该时段已开始，时间不能再改。",
  nf_cancel_slot: "取消时段", nf_cancel_slot_title: "取消这个时段？",
  nf_cancel_slot_text: "{when}：对应的签到活动一起取消，认领记录保留。", nf_slot_cancelled: "时段已取消",
  nf_claimed: "已认领 {n} 人", nf_is_cancelled: "已取消",
}, {
  nf_new: "Post a need", nf_edit: "Edit need", nf_title: "Title", nf_description: "Description (optional)",
  nf_place: "Place (optional)", nf_skills: "Skills wanted (optional, separated by commas)", nf_slots: "Time slots",
  nf_start: "Starts", nf_end: "Ends", nf_capacity: "People wanted", nf_add_slot: "Add a slot", nf_remove: "Remove",
  nf_slot_n: "Slot {n}", nf_publish: "Post", nf_save: "Save", nf_back: "Back", nf_required: "Required",
  nf_end_after: "Must end after it starts", nf_capacity_min: "At least 1", nf_started: "This slot has started: its times are fixed.",
  nf_cancel_slot: "Cancel slot", nf_cancel_slot_title: "Cancel this slot?",
  nf_cancel_slot_text: "{when}: its check-in event is cancelled too; the claims stay on record.", nf_slot_cancelled: "Slot cancelled",
  nf_claimed: "{n} claimed", nf_is_cancelled: "Cancelled",
});

let seq = 0;
const local = (iso) => (iso ? iso.slice(0, 16) : "");
const fmt = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function nextSlot(rows) {
  const last = rows.filter((r) => r.start.field.value && r.end.field.value).at(-1);
  let start = new Date(Date.now() + 86400000);
  start.setHours(9, 0, 0, 0);
  let hours = 2;
  if (last) {
    const a = new Date(last.start.field.value);
    hours = Math.max(1, (new Date(last.end.field.value) - a) / 3600000);
    start = new Date(a.getTime() + 86400000);
  }
  return { starts_at: fmt(start), ends_at: fmt(new Date(start.getTime() + hours * 3600000)), capacity: 2 };
}

function input(name, label, attrs = {}, value = "") {
  const id = `nf${seq}-${name}`;
  const field = attrs.multiline ? el("textarea", { id, name, rows: 4, maxlength: attrs.maxlength })
    : el("input", { id, name, ...attrs });
  field.value = value ?? "";
  const error = el("p", { class: "field-error", hidden: true });
  return { field, error, node: el("div", { class: "field" }, el("label", { for: id }, label), field, error) };
}

function showError(item, text) {
  item.error.textContent = text || "";
  item.error.hidden = !text;
  if (text) item.field.setAttribute("aria-invalid", "true");
  else item.field.removeAttribute("aria-invalid");
}

/** The form's node; done(saved) is called on save or on "back". */
export function needForm({ community, duty, done }) {
  seq += 1;
  const rows = [];
  const list = el("div", { id: "slot-rows" });
  const title = input("title", t("nf_title"), { maxlength: 200, required: true }, duty && duty.title);
  const description = input("description", t("nf_description"), { multiline: true, maxlength: 5000 }, duty && duty.description);
  const place = input("place_name", t("nf_place"), { maxlength: 200 }, duty && duty.place_name);
  const skills = input("skills", t("nf_skills"), { maxlength: 300 }, duty ? duty.skills.join("、") : "");
  const formError = el("p", { class: "error", role: "alert", hidden: true });

  const renumber = () => rows.forEach((r, i) => { // a need keeps at least one slot
    r.legend.textContent = t("nf_slot_n", { n: i + 1 });
    if (r.remove) r.remove.hidden = rows.length < 2;
  });
  const addRow = (slot) => {
    seq += 1;
    const cancelled = slot.status === "cancelled";
    const started = Boolean(slot.id) && Date.parse(slot.starts_at) <= Date.now();
    const row = { slot, legend: el("legend", {}), start: input("starts_at", t("nf_start"), { type: "datetime-local", required: true },
      local(slot.starts_at)), end: input("ends_at", t("nf_end"), { type: "datetime-local", required: true }, local(slot.ends_at)),
    capacity: input("capacity", t("nf_capacity"), { type: "number", inputmode: "numeric", min: 1, max: 1000, required: true },
      slot.capacity) };
    for (const part of [row.start, row.end, row.capacity]) part.field.disabled = cancelled;
    if (started) { row.start.field.disabled = true; row.end.field.disabled = true; }
    const remove = el("button", { type: "button", class: "danger", "data-action": "remove-slot", onclick: () => {
      rows.splice(rows.indexOf(row), 1);
      row.node.remove();
      renumber();
    } }, t("nf_remove"));
    const cancel = el("button", { type: "button", class: "danger", "data-action": "cancel-slot",
      onclick: (ev) => cancelSlot(row, ev.currentTarget) }, t("nf_cancel_slot"));
    if (!slot.id) row.remove = remove;
    row.node = el("fieldset", { class: "slot-edit", "data-slot": slot.id || "" }, row.legend,
      slot.id ? el("p", { class: "meta" }, cancelled ? t("nf_is_cancelled") : t("nf_claimed", { n: slot.claimed })) : null,
      started && !cancelled ? el("p", { class: "hint" }, t("nf_started")) : null,
      el("div", { class: "slot-fields" }, row.start.node, row.end.node, row.capacity.node),
      cancelled ? null : el("div", { class: "row-actions start" }, slot.id ? cancel : remove));
    rows.push(row);
    list.append(row.node);
    renumber();
  };
  const cancelSlot = async (row, button) => {
    const when = slotWhen(row.slot.starts_at, row.slot.ends_at);
    const ok = await formDialog({ title: t("nf_cancel_slot_title"), text: t("nf_cancel_slot_text", { when }),
      submit: t("nf_cancel_slot"), danger: true });
    if (!ok) return;
    try {
      row.slot = await busy(button, () => api(`/duty-slots/${row.slot.id}/cancel`, { method: "POST" }));
      toast(t("nf_slot_cancelled"));
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      const old = row.node;
      addRow(row.slot); // redrawn as cancelled, moved back to its place
      const fresh = rows.pop();
      rows.splice(at, 0, fresh);
      old.replaceWith(fresh.node);
      renumber();
    } catch (e) {
      toast(errorText(e), "bad");
    }
  };
  for (const slot of duty ? duty.slots : [nextSlot([])]) addRow(slot);

  const check = () => {
    let ok = true;
    showError(title, title.field.value.trim() ? "" : t("nf_required"));
    if (!title.field.value.trim()) ok = false;
    for (const r of rows.filter((x) => x.slot.status !== "cancelled")) {
      const need = (part) => { const bad = !part.field.value; showError(part, bad ? t("nf_required") : ""); if (bad) ok = false; };
      need(r.start); need(r.end); need(r.capacity);
      if (r.start.field.value && r.end.field.value && r.end.field.value <= r.start.field.value) {
        showError(r.end, t("nf_end_after")); ok = false;
      }
      if (r.capacity.field.value && Number(r.capacity.field.value) < 1) { showError(r.capacity, t("nf_capacity_min")); ok = false; }
    }
    return ok;
  };
  const slotBody = (r) => ({ starts_at: `${r.start.field.value}:00`, ends_at: `${r.end.field.value}:00`,
    capacity: Number(r.capacity.field.value) });
  const serverErrors = (e, row) => {
    const fields = (e.details && e.details.fields && e.details.fields.json) || {};
    const text = (v) => (Array.isArray(v) ? v.map(pickLang).join("；") : "");
    for (const [name, item] of [["title", title], ["description", description], ["place_name", place], ["skills", skills]]) {
      if (fields[name]) showError(item, text(fields[name]));
    }
    const slotFields = (i) => (fields.slots && fields.slots[String(i)]) || (row && rows.indexOf(row) === i ? fields : null);
    rows.forEach((r, i) => {
      const f = slotFields(i) || {};
      for (const [name, part] of [["starts_at", r.start], ["ends_at", r.end], ["capacity", r.capacity]]) {
        if (f[name]) showError(part, text(f[name]));
      }
    });
    formError.textContent = errorText(e);
    formError.hidden = false;
  };

  const submit = el("button", { type: "submit", class: "primary", id: "need-save" }, t(duty ? "nf_save" : "nf_publish"));
  const save = async () => {
    formError.hidden = true;
    if (!check()) return;
    const skillList = skills.field.value.split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean);
    const body = { title: title.field.value.trim(), description: description.field.value.trim(),
      place_name: place.field.value.trim(), skills: skillList };
    if (!duty) {
      try {
        await busy(submit, () => api(`/communities/${community.id}/duties`, { method: "POST", body: { ...body,
          slots: rows.map(slotBody) } }));
        done(true);
      } catch (e) { serverErrors(e); }
      return;
    }
    let row = null;
    try {
      await busy(submit, async () => {
        await api(`/duties/${duty.id}`, { method: "PATCH", body });
        for (row of rows.filter((r) => r.slot.status !== "cancelled")) {
          const want = slotBody(row);
          if (!row.slot.id) {
            row.slot = await api(`/duties/${duty.id}/slots`, { method: "POST", body: want });
            continue;
          }
          const change = {};
          if (want.capacity !== row.slot.capacity) change.capacity = want.capacity;
          if (!row.start.field.disabled && (local(row.slot.starts_at) !== row.start.field.value
            || local(row.slot.ends_at) !== row.end.field.value)) Object.assign(change, { starts_at: want.starts_at, ends_at: want.ends_at });
          if (Object.keys(change).length) row.slot = await api(`/duty-slots/${row.slot.id}`, { method: "PATCH", body: change });
        }
      });
      done(true);
    } catch (e) { serverErrors(e, row); }
  };
  const form = el("form", { class: "panel", id: "need-form", novalidate: true },
    el("h2", {}, t(duty ? "nf_edit" : "nf_new"), " · ", community.name),
    title.node, description.node, place.node, skills.node,
    el("h3", { class: "group-head" }, t("nf_slots")), list,
    el("button", { type: "button", id: "slot-add", onclick: () => addRow(nextSlot(rows)) }, t("nf_add_slot")),
    formError,
    el("div", { class: "form-actions" },
      el("button", { type: "button", class: "secondary", id: "need-back", onclick: () => done(false) }, t("nf_back")), submit));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); save(); });
  return form;
}
