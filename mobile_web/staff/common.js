// Shared by the organizer and liaison pages: sign-in gate, header with the language switch,
// error text, a reason/number dialog, toasts and labels. Text goes in with textContent only.
import "/app/shared/labels.js";  // the kinds', states' and methods' words, from the server's tables
import * as core from "../js/core.js";
import { ApiError, addText, api, el, hhmm, lang, loadMe, login, setLang, t } from "../js/core.js";

addText({
  st_brand: "签到 · 管理", st_events: "我的活动", st_hours: "时长确认", st_home: "首页", st_lang: "English",
  st_loading: "正在加载…", st_login: "登录", st_login_hint: "组织者、联络员请用手机号和密码登录。",
  st_phone: "手机号", st_password: "密码", st_fill_both: "请输入手机号和密码", st_logging_in: "正在登录…",
  st_network: "网络连接失败，请检查网络后重试。", st_retry: "重试", st_cancel: "取消", st_ok: "确定",
  st_reason: "原因（必填）", st_reason_needed: "请填写原因", st_forbidden: "您没有权限查看本页。",
  st_server: "服务器暂时无法处理（{status}），请稍后重试。", st_close: "关闭", st_saved: "已保存",
  status_draft: "草稿", status_published: "已发布", status_cancelled: "已取消", status_closed: "已结束",
  hours_n: "{n} 小时", persons: "{n} 人", st_community: "社区工作", st_report: "双报到报告",
  st_participation: "参与报表", st_import: "名册导入", st_rules: "积分规则",
}, {
  st_brand: "Qiandao · Staff", st_events: "My events", st_hours: "Hours", st_home: "Home", st_lang: "中文",
  st_loading: "Loading…", st_login: "Sign in", st_login_hint: "Organizers and liaisons: sign in with phone and password.",
  st_phone: "Phone", st_password: "Password", st_fill_both: "Enter your phone and password", st_logging_in: "Signing in…",
  st_network: "No connection. Check the network and try again.", st_retry: "Retry", st_cancel: "Cancel", st_ok: "OK",
  st_reason: "Reason (required)", st_reason_needed: "Please give a reason", st_forbidden: "You may not see this page.",
  st_server: "The server could not answer ({status}). Try again shortly.", st_close: "Close", st_saved: "Saved",
  status_draft: "Draft", status_published: "Published", status_cancelled: "Cancelled", status_closed: "Closed",
  hours_n: "{n} h", persons: "{n}", st_community: "Community", st_report: "Double registration",
  st_participation: "Participation", st_import: "Roster import", st_rules: "Points rules",
});

export const $ = (id) => document.getElementById(id);
export const param = (name) => new URLSearchParams(location.search).get(name);

/** Server field messages come as "中文 / English": keep the side of the chosen language. */
export function pickLang(text) {
  const parts = String(text).split(" / ");
  return parts.length === 2 ? parts[lang() === "en" ? 1 : 0] : String(text);
}

/** Field messages of a 422 (details.fields.json|query.{name: [..]}) as {name: "text"}. */
export function fieldErrors(err) {
  const out = {};
  const fields = (err && err.details && err.details.fields) || {};
  for (const group of Object.values(fields)) {
    if (!group || typeof group !== "object" || Array.isArray(group)) continue;
    for (const [name, msgs] of Object.entries(group)) {
      out[name] = (Array.isArray(msgs) ? msgs : [String(msgs)]).map(pickLang).join("；");
    }
  }
  return out;
}

/** What to tell a person about a failed call. */
export function errorText(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  if (err.status === 0) return t("st_network");
  const fields = Object.values(fieldErrors(err));
  if (fields.length) return fields.join("；");
  if (err.status >= 500) return t("st_server", { status: err.status });
  return err.message;
}

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
 * formDialog({title, text, submit, fields: [{name, label, type: "text"|"number"|"select"|"checkbox",
 *   required, value, min, max, step, options: [[value, label]]}]}) → {name: value} or null.
 */
export function formDialog({ title, text, submit, fields = [], danger = false }) {
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
    const cancel = el("button", { type: "button", class: "secondary" }, t("st_cancel"));
    const ok = el("button", { type: "submit", class: danger ? "danger" : "primary" }, submit || t("st_ok"));
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
          error.textContent = f.type === "number" ? f.label : t("st_reason_needed");
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
export async function askReason(title, text, submit, value = "", danger = false) {
  const got = await formDialog({ title, text, submit, danger,
    fields: [{ name: "reason", label: t("st_reason"), required: true, value }] });
  return got ? got.reason : null;
}

// ---- labels and times ----
export const kindLabel = (kind) => t("kind_" + kind);
export const stateLabel = (state) => t("state_" + state);
export const methodLabel = (m) => (m ? t("method_" + m) : "");

/** "11/26 16:22–18:42" (same day) or "11/26 16:22 – 11/27 09:00". */
export function timeRange(start, end) {
  if (!start) return "";
  const same = end && start.slice(0, 10) === end.slice(0, 10);
  const d = (iso) => `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 16)}`;
  if (!end) return d(start);
  return same ? `${d(start)}–${end.slice(11, 16)}` : `${d(start)} – ${d(end)}`;
}

// ---- page frame: header, language switch, sign-in gate ----
/**
 * boot({start(me), draw(me), roles}) — start runs once after sign-in, draw redraws the page's
 * text (called again when the language changes). roles: who may use the page (else a refusal).
 * brand / hint: text keys for the header and the sign-in form (pages for members, not staff).
 */
export async function boot({ start, draw = () => {}, roles = null, bare = false, brand = "st_brand",
  hint = "st_login_hint" }) {
  setLang(lang());
  const bar = $("bar");
  let me = null;
  const header = () => {
    if (!bar) return;
    const has = (key) => Boolean(me && me[key] && me[key].length) || Boolean(me && me.roles.includes("admin"));
    const nav = el("nav", { class: "nav", "aria-label": "staff" },
      el("a", { href: "/app/staff/events.html" }, t("st_events")),
      el("a", { href: "/app/staff/hours.html" }, t("st_hours")),
      has("liaison_of") ? el("a", { href: "/app/community/liaison.html" }, t("st_community")) : null,
      has("organizer_of") ? el("a", { href: "/app/community/report.html" }, t("st_report")) : null,
      has("organizer_of") ? el("a", { href: "/app/admin/report.html" }, t("st_participation")) : null,
      has("organizer_of") ? el("a", { href: "/app/admin/import.html" }, t("st_import")) : null,
      me && me.roles.includes("admin") ? el("a", { href: "/app/admin/rules.html" }, t("st_rules")) : null,
      el("button", { type: "button", class: "lang", lang: lang() === "en" ? "zh-CN" : "en",
        onclick: () => { setLang(lang() === "en" ? "zh" : "en"); header(); if (me) draw(me); else gate(); } },
      t("st_lang")));
    bar.replaceChildren(el("a", { class: "brand", href: "/" }, t(brand)), bare ? nav.lastChild : nav);
    document.title = t(brand);
  };
  const main = $("main");
  const show = (...nodes) => main.replaceChildren(...nodes);
  const gate = () => {
    const err = el("p", { class: "error", role: "alert", hidden: true });
    const phone = el("input", { id: "login-phone", name: "phone", type: "tel", inputmode: "numeric",
      autocomplete: "username", maxlength: 20, required: true });
    const pass = el("input", { id: "login-password", name: "password", type: "password",
      autocomplete: "current-password", maxlength: 200, required: true });
    const submit = el("button", { type: "submit", class: "primary", id: "login-submit" }, t("st_login"));
    const form = el("form", { class: "panel narrow", id: "login-form", novalidate: true },
      el("h1", {}, t("st_login")), el("p", { class: "muted" }, t(hint)),
      el("label", { for: "login-phone" }, t("st_phone")), phone,
      el("label", { for: "login-password" }, t("st_password")), pass, err, submit);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      if (!phone.value.trim() || !pass.value) { err.textContent = t("st_fill_both"); err.hidden = false; return; }
      submit.textContent = t("st_logging_in");
      try {
        me = await busy(submit, () => login(phone.value.trim(), pass.value));
        enter();
      } catch (e) {
        err.textContent = errorText(e);
        err.hidden = false;
        submit.textContent = t("st_login");
      }
    });
    show(form);
    phone.focus();
  };
  const enter = () => {
    header(); // the nav follows the roles of who signed in
    if (roles && !me.roles.some((r) => roles.includes(r))) {
      show(el("p", { class: "panel error", role: "alert" }, t("st_forbidden")));
      return;
    }
    show();
    start(me);
    draw(me);
  };
  header();
  show(el("p", { class: "muted center" }, t("st_loading")));
  // The member app keeps the last signed-in user on this device (core.cachedMe): with none, show
  // the form at once instead of asking /me, whose 401 the browser would log as a console error.
  if (typeof core.cachedMe === "function" && !core.cachedMe()) { gate(); return; }
  try {
    me = await loadMe();
  } catch (e) {
    show(el("div", { class: "panel" }, el("p", { class: "error", role: "alert" }, errorText(e)),
      el("button", { type: "button", class: "primary", onclick: () => location.reload() }, t("st_retry"))));
    return;
  }
  if (me) enter(); else gate();
}

export { api, ApiError, el, hhmm, lang, t };
