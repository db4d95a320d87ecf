// One meeting's record (会议记录) on the 组织生活 page: topic, 第一议题, who presided, who took the minutes, the
// minutes and decisions, photos or PDFs; approved by the secretary it is locked, and every later change is
// an amendment with a reason (the server keeps the audit trail).
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { el, timeRange } from "../shared/dom.js";
import { askReason, busy, toast } from "../shared/dialog.js";
import { kindLabel } from "../shared/labels.js";
import { errorText } from "../shared/shell.js";

addText({
  rec_title: "会议记录", rec_topic: "会议主题", rec_first: "第一议题（学习内容）", rec_presided: "主持人",
  rec_minutes_by: "记录人", rec_minutes: "会议记录", rec_decisions: "会议决定", rec_save: "保存记录",
  rec_approve: "审核通过并锁定", rec_locked: "已审核锁定：再修改将作为更正记录，需要填写原因。", rec_filed: "已提交，待审核。",
  rec_none: "还没有会议记录。会议开始后可以填写。", rec_saved: "记录已保存", rec_approved: "记录已审核锁定",
  rec_amend: "更正已锁定的记录", rec_amend_text: "说明更正的原因，将记入审计日志。", rec_files: "照片和附件",
  rec_upload: "上传照片或 PDF", rec_uploaded: "已上传", rec_back: "返回组织生活", rec_amendments: "已更正 {n} 次",
}, {
  rec_title: "Meeting record", rec_topic: "Topic", rec_first: "First topic (study item)", rec_presided: "Presided by",
  rec_minutes_by: "Minutes taken by", rec_minutes: "Minutes", rec_decisions: "Decisions", rec_save: "Save the record",
  rec_approve: "Approve and lock", rec_locked: "Approved and locked: a change now is an amendment with a reason.",
  rec_filed: "Filed, waiting for approval.", rec_none: "No record yet; it can be filed once the meeting has started.",
  rec_saved: "Record saved", rec_approved: "Record approved and locked", rec_amend: "Amend the locked record",
  rec_amend_text: "Say why; it goes to the audit log.", rec_files: "Photos and files", rec_upload: "Upload a photo or PDF",
  rec_uploaded: "Uploaded", rec_back: "Back to organizational life", rec_amendments: "amended {n} time(s)",
});

const FIELDS = [["topic", "rec_topic", 200], ["first_topic", "rec_first", 500], ["presided_by", "rec_presided", 80],
  ["minutes_by", "rec_minutes_by", 80], ["minutes", "rec_minutes", 20000], ["decisions", "rec_decisions", 5000]];
const LONG = new Set(["minutes", "decisions", "first_topic"]);

/** The panel for event `e`; onBack() when the secretary leaves it. */
export function recordPanel(e, onBack) {
  const panel = el("section", { class: "panel", id: "ol-record" });
  let record = null;

  async function reload() {
    try {
      record = await api(`/orglife/events/${e.id}/record`);
    } catch (err) {
      record = null;
      if (err.status !== 404) toast(errorText(err), "bad");
    }
    draw();
  }

  async function reasonIfLocked() {
    if (!record || !record.locked) return "";
    return askReason(t("rec_amend"), t("rec_amend_text"), t("rec_save"));
  }

  async function save(inputs, button) {
    const reason = await reasonIfLocked();
    if (reason === null) return;
    const body = Object.fromEntries(FIELDS.map(([name]) => [name, inputs[name].value.trim()]));
    try {
      record = await busy(button, () => api(`/orglife/events/${e.id}/record`, { method: "PUT", body: { ...body, reason } }));
      toast(t("rec_saved"));
    } catch (err) {
      toast(errorText(err), "bad");
    }
    draw();
  }

  async function approve(button) {
    try {
      record = await busy(button, () => api(`/orglife/events/${e.id}/record/approve`, { method: "POST" }));
      toast(t("rec_approved"));
    } catch (err) {
      toast(errorText(err), "bad");
    }
    draw();
  }

  async function upload(input) {
    const file = input.files && input.files[0];
    if (!file) return;
    const reason = await reasonIfLocked();
    if (reason === null) return;
    const form = new FormData();
    form.append("file", file);
    form.append("reason", reason);
    try {
      await api(`/orglife/events/${e.id}/record/attachments`, { method: "POST", body: form });
      toast(t("rec_uploaded"));
    } catch (err) {
      toast(errorText(err), "bad");
    }
    reload();
  }

  function draw() {
    const inputs = {};
    const rows = FIELDS.map(([name, key, max]) => {
      const id = `rec-${name}`;
      const input = LONG.has(name) ? el("textarea", { id, rows: name === "minutes" ? 8 : 3, maxlength: max })
        : el("input", { id, maxlength: max });
      input.value = (record && record[name]) || "";
      inputs[name] = input;
      return [el("label", { for: id }, t(key)), input];
    });
    const saveButton = el("button", { type: "submit", class: "primary", id: "rec-save" }, t("rec_save"));
    const form = el("form", { id: "rec-form", novalidate: true }, rows.flat(), saveButton);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); save(inputs, saveButton); });
    const approveButton = record && !record.locked
      ? el("button", { type: "button", class: "secondary", id: "rec-approve" }, t("rec_approve")) : null;
    if (approveButton) approveButton.addEventListener("click", () => approve(approveButton));
    const file = el("input", { id: "rec-file", type: "file", accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf" });
    file.addEventListener("change", () => upload(file));
    const back = el("button", { type: "button", class: "secondary", id: "rec-back" }, t("rec_back"));
    back.addEventListener("click", onBack);
    panel.replaceChildren(el("h1", {}, `${t("rec_title")} · ${e.title}`),
      el("p", { class: "muted" }, `${kindLabel(e.kind)} · ${timeRange(e.starts_at, e.ends_at)}`),
      el("p", { class: record && record.locked ? "warn-text" : "muted", id: "rec-status" },
        !record ? t("rec_none") : record.locked ? t("rec_locked") : t("rec_filed"),
        record && record.amendments ? ` ${t("rec_amendments", { n: record.amendments })}` : ""),
      form, approveButton || "",
      record ? el("h2", {}, t("rec_files")) : "",
      record ? el("ul", { class: "list", id: "rec-files" }, record.attachments.map((a) => el("li", { class: "row" },
        el("a", { href: `${API}/orglife/attachments/${a.id}`, target: "_blank", rel: "noopener" }, a.filename),
        el("span", { class: "muted" }, `${Math.ceil(a.size / 1024)} KB`)))) : "",
      record ? el("label", { for: "rec-file" }, t("rec_upload")) : "", record ? file : "", back);
  }

  panel.replaceChildren(el("p", { class: "muted" }, t("st_loading"))); // the form comes with the record, never
  reload(); // before it: a late answer must not redraw over what the secretary typed
  return panel;
}
