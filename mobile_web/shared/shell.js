// The page frame of the staff, admin and community pages (their one HTML shell is server/web/templates/
// page.html): header with the language switch and nav by role, the sign-in gate, error text.
import { ApiError, cachedMe, loadMe, login } from "./api.js";
import { $, el } from "./dom.js";
import { busy } from "./dialog.js";
import { addText, lang, pickLang, setLang, t } from "./i18n.js";

addText({
  st_brand: "签到 · 管理", st_events: "我的活动", st_hours: "时长确认", st_home: "首页", st_lang: "English",
  st_loading: "正在加载…", st_login: "登录", st_login_hint: "组织者、联络员请用手机号和密码登录。",
  st_phone: "手机号", st_password: "密码", st_fill_both: "请输入手机号和密码", st_logging_in: "正在登录…",
  st_network: "网络连接失败，请检查网络后重试。", st_retry: "重试",
  st_forbidden: "您没有权限查看本页。",
  st_server: "服务器暂时无法处理（{status}），请稍后重试。", st_close: "关闭", st_saved: "已保存",
  status_draft: "草稿", status_published: "已发布", status_cancelled: "已取消", status_closed: "已结束",
  hours_n: "{n} 小时", persons: "{n} 人", st_community: "社区工作", st_report: "双报到报告",
  st_participation: "参与报表", st_import: "名册导入", st_rules: "积分规则", st_menu: "菜单",
  st_people: "人员管理", st_orglife: "组织生活", st_ratings: "星级评定",
}, {
  st_brand: "Qiandao · Staff", st_events: "My events", st_hours: "Hours", st_home: "Home", st_lang: "中文",
  st_loading: "Loading…", st_login: "Sign in", st_login_hint: "Organizers and liaisons: sign in with phone and password.",
  st_phone: "Phone", st_password: "Password", st_fill_both: "Enter your phone and password", st_logging_in: "Signing in…",
  st_network: "No connection. Check the network and try again.", st_retry: "Retry",
  st_forbidden: "You may not see this page.",
  st_server: "The server could not answer ({status}). Try again shortly.", st_close: "Close", st_saved: "Saved",
  status_draft: "Draft", status_published: "Published", status_cancelled: "Cancelled", status_closed: "Closed",
  hours_n: "{n} h", persons: "{n}", st_community: "Community", st_report: "Double registration",
  st_participation: "Participation", st_import: "Roster import", st_rules: "Points rules", st_menu: "Menu",
  st_people: "People", st_orglife: "Organizational life", st_ratings: "Star ratings",
});

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
    const links = [
      ["/app/staff/events.html", "st_events", true], ["/app/staff/hours.html", "st_hours", true],
      ["/app/community/liaison.html", "st_community", has("liaison_of")],
      ["/app/community/report.html", "st_report", has("organizer_of")],
      ["/app/admin/report.html", "st_participation", has("organizer_of")],
      ["/app/admin/ratings.html", "st_ratings", has("organizer_of")],
      ["/app/admin/import.html", "st_import", has("organizer_of")],
      ["/app/staff/orglife.html", "st_orglife", has("organizer_of")],
      ["/app/staff/people.html", "st_people", has("organizer_of")],
      ["/app/admin/rules.html", "st_rules", Boolean(me && me.roles.includes("admin"))],
    ];
    const nav = el("nav", { class: "nav", id: "staff-nav", "aria-label": "staff" },
      links.filter(([, , shown]) => shown).map(([href, key]) => el("a", { href,
        "aria-current": location.pathname === href ? "page" : null }, t(key))));
    const langButton = el("button", { type: "button", class: "lang", lang: lang() === "en" ? "zh-CN" : "en",
      onclick: () => { setLang(lang() === "en" ? "zh" : "en"); header(); if (me) draw(me); else gate(); } },
    t("st_lang"));
    // One row on a phone: the brand, the language and a menu button; the links open below it (inline on
    // wider screens, where the button is hidden).
    const menu = el("button", { type: "button", class: "menu-toggle", "aria-expanded": "false",
      "aria-controls": "staff-nav" }, t("st_menu"));
    menu.addEventListener("click", () => {
      const open = bar.classList.toggle("open");
      menu.setAttribute("aria-expanded", String(open));
    });
    bar.classList.remove("open");
    bar.replaceChildren(el("a", { class: "brand", href: "/" }, t(brand)),
      ...(bare ? [langButton] : [el("div", { class: "bar-tools" }, langButton, menu), nav]));
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
  // The member app keeps the last signed-in user on this device (api.cachedMe): with none, show
  // the form at once instead of asking /me, whose 401 the browser would log as a console error.
  if (!cachedMe()) { gate(); return; }
  try {
    me = await loadMe();
  } catch (e) {
    show(el("div", { class: "panel" }, el("p", { class: "error", role: "alert" }, errorText(e)),
      el("button", { type: "button", class: "primary", onclick: () => location.reload() }, t("st_retry"))));
    return;
  }
  if (me) enter(); else gate();
}
