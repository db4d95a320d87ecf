// My events: the events this organizer / liaison manages, with their screens and actions.
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, param, timeRange } from "../shared/dom.js";
import { askReason, busy, toast } from "../shared/dialog.js";
import { kindLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  ev_title: "我的活动", ev_new: "新建活动", ev_now: "正在签到", ev_coming: "即将开始", ev_past: "已结束或已取消",
  ev_none: "暂无您管理的活动。点击“新建活动”开始。", ev_live: "现场名单", ev_display: "签到大屏",
  ev_display_out: "签退大屏", ev_poster: "打印海报", ev_edit: "编辑", ev_cancel: "取消活动",
  ev_cancel_title: "取消活动：{title}", ev_cancel_text: "取消后成员扫码会被拒绝，原因会记入审计日志。",
  ev_cancel_go: "确认取消活动", ev_cancel_keep: "保留活动", ev_cancelled: "活动已取消",
  ev_month: "查看往月活动", ev_month_none: "这个月没有您管理的活动。", ev_month_head: "{month} 的活动", ev_place: "地点：{place}", ev_static: "静态码",
  ev_capacity: "名额 {n}", ev_geofence: "定位校验",
}, {
  ev_title: "My events", ev_new: "New event", ev_now: "Check-in open now", ev_coming: "Coming up",
  ev_past: "Ended or cancelled", ev_none: "No events you manage yet. Tap “New event” to start.",
  ev_live: "Live attendance", ev_display: "Check-in screen", ev_display_out: "Check-out screen", ev_poster: "Print poster",
  ev_edit: "Edit", ev_cancel: "Cancel event", ev_cancel_title: "Cancel: {title}",
  ev_cancel_text: "Members' scans will then be refused; the reason goes to the audit log.",
  ev_cancel_go: "Cancel the event", ev_cancel_keep: "Keep the event", ev_cancelled: "Event cancelled",
  ev_month: "Events of another month", ev_month_none: "No events of yours that month.", ev_month_head: "Events of {month}", ev_place: "Place: {place}", ev_static: "Static code",
  ev_capacity: "Capacity {n}", ev_geofence: "Geofence",
});

const state = { events: null, error: null, month: "", monthEvents: null };
const DAY = 86400000;

async function load() {
  try {
    const from = new Date(Date.now() - 30 * DAY).toISOString();
    const page = await api(`/events?page_size=500&from=${encodeURIComponent(from)}`);
    state.events = page.items.filter((e) => e.can_manage);
    state.error = null;
  } catch (e) {
    state.error = errorText(e);
  }
}

/** The events of one month (YYYY-MM), whenever it was: nothing vanishes after 30 days. */
async function loadMonth(month) {
  state.month = month;
  state.monthEvents = null;
  if (!month) return;
  const [y, m] = month.split("-").map(Number);
  const from = new Date(y, m - 1, 1).toISOString();
  const to = new Date(y, m, 1).toISOString();
  try {
    const page = await api(`/events?page_size=500&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    state.monthEvents = page.items.filter((e) => e.can_manage);
  } catch (e) {
    toast(errorText(e), "bad");
  }
}

function phase(ev, now) {
  if (ev.status === "cancelled" || ev.status === "closed") return "past";
  if (Date.parse(ev.window_closes_at) < now) return "past";
  if (Date.parse(ev.window_opens_at) <= now && ev.status === "published") return "now";
  return "coming";
}

function statusBadge(ev) {
  const cls = { published: "green", cancelled: "red", draft: "amber" }[ev.status] || "";
  return el("span", { class: "badge " + cls }, t("status_" + ev.status));
}

function card(ev, draw) {
  const id = ev.id;
  const open = ev.status !== "cancelled" && ev.status !== "closed";
  const showable = open && ev.status !== "draft";
  const link = (href, label, cls = "button") => el("a", { class: cls, href }, label);
  const cancel = async (button) => {
    const reason = await askReason(t("ev_cancel_title", { title: ev.title }), t("ev_cancel_text"),
      t("ev_cancel_go"), "", true, t("ev_cancel_keep"));
    if (reason === null) return;
    try {
      const updated = await busy(button, () => api(`/events/${id}/cancel`, { method: "POST", body: { reason } }));
      Object.assign(ev, updated);
      toast(t("ev_cancelled"));
      draw();
    } catch (e) {
      toast(errorText(e), "bad");
    }
  };
  const cancelButton = el("button", { type: "button", class: "danger", onclick: (e) => cancel(e.currentTarget) },
    t("ev_cancel"));
  return el("li", { class: "panel event", "data-event": id },
    el("div", {}, el("span", { class: "badge" }, kindLabel(ev.kind)), statusBadge(ev),
      ev.qr_mode === "static" ? el("span", { class: "badge" }, t("ev_static")) : null,
      ev.geofence_mode !== "off" ? el("span", { class: "badge" }, t("ev_geofence")) : null),
    el("p", { class: "card-title" }, ev.title),
    el("p", { class: "meta" }, timeRange(ev.starts_at, ev.ends_at)),
    ev.place_name ? el("p", { class: "meta" }, t("ev_place", { place: ev.place_name })) : null,
    el("p", { class: "meta" }, ev.host_org_name || ev.host_community_name || "",
      ev.capacity ? ` · ${t("ev_capacity", { n: ev.capacity })}` : ""),
    el("div", { class: "actions" },
      link(`/app/staff/live.html?event=${id}`, t("ev_live"), "button primary"),
      showable ? link(`/app/staff/display.html?event=${id}&direction=in`, t("ev_display")) : null,
      showable && ev.requires_checkout ? link(`/app/staff/display.html?event=${id}&direction=out`,
        t("ev_display_out")) : null,
      showable ? link(`/app/staff/poster.html?event=${id}`, t("ev_poster")) : null,
      open ? link(`/app/staff/edit.html?event=${id}`, t("ev_edit")) : null),
    // the one action that cannot be taken back, on a line of its own, away from the thumb's usual path
    open ? el("div", { class: "danger-zone" }, cancelButton) : null);
}

function draw() {
  const main = $("main");
  const head = el("div", { class: "toolbar" }, el("h1", { class: "grow" }, t("ev_title")),
    el("a", { class: "button primary", href: "/app/staff/edit.html", id: "new-event" }, t("ev_new")));
  if (state.error) {
    main.replaceChildren(head, el("p", { class: "panel error", role: "alert" }, state.error),
      el("button", { type: "button", class: "primary", onclick: async () => { await load(); draw(); } },
        t("st_retry")));
    return;
  }
  if (!state.events) { main.replaceChildren(head, el("p", { class: "muted center" }, t("st_loading"))); return; }
  const now = Date.now();
  const groups = { now: [], coming: [], past: [] };
  for (const ev of state.events) groups[phase(ev, now)].push(ev);
  groups.past.reverse();
  const section = (key, label) => groups[key].length ? [el("h2", { class: "group-head" }, label),
    el("ul", { class: "list", id: "events-" + key }, groups[key].map((ev) => card(ev, draw)))] : [];
  const picker = el("input", { type: "month", id: "events-month", value: state.month,
    max: new Date().toISOString().slice(0, 7) });
  picker.addEventListener("change", async () => { await loadMonth(picker.value); draw(); });
  const monthList = !state.month ? [] : [
    el("h2", { class: "group-head" }, t("ev_month_head", { month: state.month })),
    state.monthEvents === null ? el("p", { class: "muted" }, t("st_loading"))
      : state.monthEvents.length ? el("ul", { class: "list", id: "events-month-list" },
        state.monthEvents.map((ev) => card(ev, draw)))
        : el("p", { class: "panel empty" }, t("ev_month_none"))];
  main.replaceChildren(head,
    ...section("now", t("ev_now")), ...section("coming", t("ev_coming")), ...section("past", t("ev_past")),
    state.events.length ? "" : el("p", { class: "panel empty" }, t("ev_none")),
    el("section", { class: "panel" }, el("label", { for: "events-month" }, t("ev_month")), picker),
    ...monthList);
}

boot({
  roles: ["organizer", "liaison", "admin"],
  start: async () => {
    await load();
    draw();
    const saved = param("saved");
    const card = saved && document.querySelector(`[data-event="${Number(saved)}"]`);
    if (card) {
      toast(t("st_saved"));
      card.classList.add("just-saved");
      card.scrollIntoView({ block: "center" });
      history.replaceState(null, "", location.pathname);
    }
  },
  draw,
});
