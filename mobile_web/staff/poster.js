// A printable A4 poster with the event's static QR: title, time, place, QR and short instructions.
// poster.html?event=ID[&direction=out]. A rotating code would be dead on paper within a minute,
// so for a rotating event the page offers to switch the event to a static code first.
import { API, api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, param, timeRange } from "../shared/dom.js";
import { busy, toast } from "../shared/dialog.js";
import { kindLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  po_heading_in: "扫码签到", po_heading_out: "扫码签退", po_how_in: "用微信“扫一扫”或手机相机扫码签到",
  po_how_out: "服务结束后，用微信“扫一扫”或手机相机扫码签退",
  po_steps: "扫码后按提示登录，页面显示“签到成功”即完成。", po_steps_out: "扫码后按提示登录，页面显示“签退成功”即完成。", po_time: "时间：{time}", po_place: "地点：{place}",
  po_window: "签到开放：{from} 至 {to}", po_print: "打印海报", po_back: "返回我的活动",
  po_rotating: "本活动使用动态二维码，打印出来最多 {s} 秒后即失效。打印海报前请改为静态二维码（建议同时开启定位校验）。",
  po_make_static: "改为静态二维码", po_made_static: "已改为静态二维码", po_dir: "海报用途",
  po_in: "签到", po_out: "签退", po_qr_alt: "签到二维码", po_tip: "打印时请选择 A4 纸、纵向、无页眉页脚。",
  po_no_event: "缺少活动编号（?event=）。", po_not_live: "草稿或已取消的活动没有二维码。",
}, {
  po_heading_in: "Scan to check in", po_heading_out: "Scan to check out",
  po_how_in: "Scan with WeChat or your phone camera to check in",
  po_how_out: "After service, scan with WeChat or your phone camera to check out",
  po_steps: "Sign in if asked; “Checked in” on your phone means you are done.",
  po_steps_out: "Sign in if asked; “Checked out” on your phone means you are done.", po_time: "Time: {time}",
  po_place: "Place: {place}", po_window: "Check-in open: {from} to {to}", po_print: "Print poster",
  po_back: "Back to my events",
  po_rotating: "This event uses a rotating code, which stops working at most {s} seconds after printing. Switch to a " +
    "static code before printing (and consider a geofence).",
  po_make_static: "Switch to a static code", po_made_static: "Switched to a static code", po_dir: "Poster for",
  po_in: "Check-in", po_out: "Check-out", po_qr_alt: "Check-in QR code",
  po_tip: "Print on A4, portrait, without headers and footers.", po_no_event: "No event given (?event=).",
  po_not_live: "A draft or cancelled event has no QR code.",
});

const eventId = param("event");
const state = { event: null, error: null, direction: param("direction") === "out" ? "out" : "in" };

async function makeStatic(button) {
  try {
    state.event = await busy(button, () => api(`/events/${eventId}`, { method: "PATCH", body: { qr_mode: "static" } }));
    toast(t("po_made_static"));
    draw();
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

function controls(ev) {
  const box = el("div", { class: "panel no-print", id: "poster-controls" });
  if (ev.qr_mode !== "static") {
    box.append(el("p", { class: "warn-text", role: "alert" }, t("po_rotating", { s: state.event.qr_valid_seconds })),
      el("button", { type: "button", class: "primary", id: "make-static",
        onclick: (e) => makeStatic(e.currentTarget) }, t("po_make_static")));
  }
  if (ev.requires_checkout) {
    const sel = el("select", { id: "poster-direction" },
      ["in", "out"].map((d) => el("option", { value: d, selected: d === state.direction }, t("po_" + d))));
    sel.addEventListener("change", () => {
      state.direction = sel.value;
      history.replaceState(null, "", `?event=${eventId}&direction=${state.direction}`);
      draw();
    });
    box.append(el("label", { for: "poster-direction" }, t("po_dir")), sel);
  }
  box.append(el("p", { class: "hint" }, t("po_tip")),
    el("div", { class: "row-actions" },
      el("a", { class: "button", href: "/app/staff/events.html" }, t("po_back")),
      el("button", { type: "button", class: "primary", id: "print", disabled: ev.qr_mode !== "static",
        onclick: () => window.print() }, t("po_print"))));
  return box;
}

function sheet(ev) {
  const dir = state.direction;
  const src = `${API}/events/${eventId}/qr?format=svg&direction=${dir}&v=${ev.key_version}-${ev.qr_mode}`;
  return el("article", { class: "sheet", id: "poster" },
    el("p", { class: "sheet-kind" }, kindLabel(ev.kind)),
    el("h1", { class: "sheet-title" }, ev.title),
    el("p", { class: "sheet-meta" }, t("po_time", { time: timeRange(ev.starts_at, ev.ends_at) })),
    ev.place_name ? el("p", { class: "sheet-meta" }, t("po_place", { place: ev.place_name })) : null,
    el("h2", { class: "sheet-heading" }, t(dir === "out" ? "po_heading_out" : "po_heading_in")),
    el("img", { class: "sheet-qr", id: "poster-qr", src, alt: t("po_qr_alt") }),
    el("p", { class: "sheet-how" }, t(dir === "out" ? "po_how_out" : "po_how_in")),
    el("p", { class: "sheet-steps" }, t(dir === "out" ? "po_steps_out" : "po_steps")),
    el("p", { class: "sheet-window" }, t("po_window", { from: timeRange(ev.window_opens_at),
      to: timeRange(ev.window_closes_at) })),
    el("p", { class: "sheet-host" }, ev.host_org_name || ev.host_community_name || ""));
}

function draw() {
  const main = $("main");
  if (state.error || !eventId) {
    main.replaceChildren(el("p", { class: "panel error", role: "alert" }, state.error || t("po_no_event")));
    return;
  }
  if (!state.event) { main.replaceChildren(el("p", { class: "muted center" }, t("st_loading"))); return; }
  const ev = state.event;
  if (ev.status === "draft" || ev.status === "cancelled") {
    main.replaceChildren(el("p", { class: "panel error", role: "alert" }, t("po_not_live")));
    return;
  }
  main.replaceChildren(controls(ev), sheet(ev));
}

boot({
  roles: ["organizer", "liaison", "admin"],
  start: async () => {
    if (!eventId) return;
    try {
      state.event = await api(`/events/${encodeURIComponent(eventId)}`);
      if (!state.event.requires_checkout) state.direction = "in";
    } catch (e) {
      state.error = errorText(e);
    }
    draw();
  },
  draw,
});
