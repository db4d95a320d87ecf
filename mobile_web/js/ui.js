// Member app helpers shared by its screens: views, facts lists, times, ids, the app's context.
import { lang, t } from "../shared/i18n.js";
import { $, el } from "../shared/dom.js";
import { serverNow } from "../shared/api.js";

/** Set by app.js: who is signed in, how to ask for a sign-in, how to redraw the current screen. */
export const ctx = { me: null, requireLogin: null, rerender: null, route: null, welcome: null };

const VIEWS = ["view-loading", "view-login", "view-home", "view-scan", "view-result", "view-records",
  "view-card", "view-register", "view-code", "view-account", "view-meetings"];

export function show(view, rerender) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  ctx.rerender = rerender || null;
  window.scrollTo(0, 0);
}

export function applyTexts() {
  document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  document.title = t("brand");
}

/** <dl> rows [label, value]; empty values are left out. */
export function setFacts(dl, rows) {
  dl.replaceChildren(...rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, value)]));
  dl.hidden = !dl.childElementCount;
}

/** API times carry the deployment's offset: show their wall-clock part. */
export function localTime(iso) { return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : ""; }
export function shortTime(iso) {
  if (!iso) return "";
  const today = isoWithOffset().slice(0, 10);
  return iso.slice(0, 10) === today ? iso.slice(11, 16) : `${iso.slice(5, 10).replace("-", "/")} ${iso.slice(11, 16)}`;
}
/** "14:00–16:00" today, "11/26 14:00–16:00" another day: the member app's short form. */
export function shortRange(start, end) {
  if (!start) return "";
  if (end && start.slice(0, 10) === end.slice(0, 10)) return `${shortTime(start)}–${end.slice(11, 16)}`;
  return end ? `${shortTime(start)} – ${shortTime(end)}` : shortTime(start);
}

/** The phone's time as ISO 8601 with its offset, e.g. 2024-11-26T09:02:13+08:00 (what scanned_at wants). */
export function isoWithOffset(date = new Date(serverNow())) {
  const pad = (n) => String(Math.trunc(n)).padStart(2, "0");
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(Math.abs(off) / 60)}:${pad(Math.abs(off) % 60)}`;
}

export function uuid4() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function hoursText(hours) { return hours === null || hours === undefined ? "" : t("hours_value", { hours }); }

/** A message line for a failed call: the server's localized message, else the network text. */
export function errorText(e) {
  if (!e || !e.status) return t("network");
  const fields = e.details && e.details.fields;
  const extra = fields && typeof fields === "object"
    ? Object.values(fields).flatMap((v) => (typeof v === "object" && !Array.isArray(v) ? Object.values(v) : [v])).flat()
      .filter((m) => typeof m === "string") : [];
  if (e.body && e.body.error) return [e.message, ...extra].join("：");
  return e.status >= 500 ? t("server_error", { status: e.status }) : e.message;
}

/** A list of plain rows: [{title, meta: [..], badge, badgeClass, trailing, trailingClass}] as <li>s. */
export function rowsInto(list, rows, emptyKey = "no_records") {
  if (!rows.length) {
    list.replaceChildren(el("li", { class: "empty" }, t(emptyKey)));
    return;
  }
  list.replaceChildren(...rows.map((r) => el("li", { class: "row" },
    el("div", { class: "row-main" },
      el("p", { class: "row-title" }, r.title),
      ...(r.meta || []).filter(Boolean).map((m) => el("p", { class: "row-meta" }, m))),
    r.badge || r.trailing ? el("div", { class: "row-side" },
      r.badge ? el("span", { class: `badge ${r.badgeClass || ""}` }, r.badge) : null,
      r.trailing ? el("span", { class: `row-trailing ${r.trailingClass || ""}` }, r.trailing) : null) : null)));
}
