// Toasts, busy buttons and a modal form dialog for the staff, admin and community pages.
import { addText, t } from "./i18n.js";
import { el } from "./dom.js";

// The way out of a dialog says "back", never "cancel": beside "cancel the event" a bare "取消" reads both ways.
addText({ dlg_back: "返回", dlg_ok: "确定", dlg_reason: "原因（必填）", dlg_reason_needed: "请填写原因" },
  { dlg_back: "Go back", dlg_ok: "OK", dlg_reason: "Reason (required)", dlg_reason_needed: "Please give a reason" });

// ---- toasts ----
let toastBox = null;
export function toast(text, kind = "ok") {
  if (!toastBox) {
    toastBox = el("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toastBox);
  }
  const node = el("p", { class: "toast " + kind }, text);
  toastBox.replaceChildren(node); // the newest only: a stack would hide the page
  setTimeout(() => node.remove(), kind === "bad" ? 6000 : 3000);
}

/** Disable a button while a promise runs. */
export async function busy(button, work) {
  if (button) button.disabled = true;
  try { return await work(); } finally { if (button) button.disabled = false; }
}

// ---- a modal form: reason text, optional number and choice fields ----
let dialogSeq = 0;
/**
 * formDialog({title, text, submit, dismiss, fields: [{name, label, type: "text"|"number"|"select"|"checkbox",
 *   required, value, min, max, step, options: [[value, label]]}]}) → {name: value} or null.
 * submit names the action ("确认取消活动"), dismiss what staying means ("保留活动"; default "返回").
 */
export function formDialog({ title, text, submit, dismiss, fields = [], danger = false }) {
  return new Promise((resolve) => {
    const seq = ++dialogSeq;
    const inputs = {};
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const rows = fields.map((f) => {
      const id = `dlg${seq}-${f.name}`;
      let input;
      if (f.type === "select") {
        input = el("select", { id, name: f.name }, f.options.map(([v, label]) =>
          el("option", { value: v, selected: v === (f.value ?? "") }, label)));
      } else if (f.type === "checkbox") {
        input = el("input", { id, name: f.name, type: "checkbox", checked: !!f.value });
        inputs[f.name] = input;
        return el("label", { class: "check", for: id }, input, f.label);
      } else if (f.type === "number") {
        input = el("input", { id, name: f.name, type: "number", inputmode: "decimal", required: f.required,
          min: f.min, max: f.max, step: f.step ?? "any", value: f.value ?? "" });
      } else {
        input = el("textarea", { id, name: f.name, rows: 3, maxlength: 500, required: f.required });
        input.value = f.value ?? "";
      }
      inputs[f.name] = input;
      return el("div", { class: "field" }, el("label", { for: id }, f.label), input);
    });
    const cancel = el("button", { type: "button", class: "secondary", "data-role": "dismiss" }, dismiss || t("dlg_back"));
    const ok = el("button", { type: "submit", class: danger ? "danger" : "primary", "data-role": "submit" },
      submit || t("dlg_ok"));
    const form = el("form", { method: "dialog", novalidate: true },
      el("h2", { id: `dlg${seq}-title` }, title), text ? el("p", { class: "muted" }, text) : null,
      rows, error, el("div", { class: "row-actions" }, cancel, ok));
    const dialog = el("dialog", { class: "dialog", "aria-labelledby": `dlg${seq}-title` }, form);
    let answer = null;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const values = {};
      for (const f of fields) {
        const input = inputs[f.name];
        const value = f.type === "checkbox" ? input.checked : input.value.trim();
        if (f.required && value === "") {
          error.textContent = f.type === "number" ? f.label : t("dlg_reason_needed");
          error.hidden = false;
          input.focus();
          return;
        }
        values[f.name] = f.type === "number" && value !== "" ? Number(value) : value;
      }
      answer = values;
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    const first = fields.length ? inputs[fields[0].name] : ok;
    first.focus();
  });
}

/** A reason-only dialog → the reason text or null. */
export async function askReason(title, text, submit, value = "", danger = false, dismiss = undefined) {
  const got = await formDialog({ title, text, submit, danger, dismiss,
    fields: [{ name: "reason", label: t("dlg_reason"), required: true, value }] });
  return got ? got.reason : null;
}
