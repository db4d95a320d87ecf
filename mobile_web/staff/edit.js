// Create or edit an event: kind, title, times, place, optional geofence ("use my location"),
// capacity, QR mode. ?event=ID edits; without it, a new event.
import { api, ApiError } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, param } from "../shared/dom.js";
import { busy } from "../shared/dialog.js";
import { kindLabel, kindOf, kindsWhere } from "../shared/labels.js";
import { boot, errorText, fieldErrors } from "../shared/shell.js";

addText({
  ed_new: "新建活动", ed_edit: "编辑活动", ed_kind: "活动类型", ed_title: "活动名称", ed_desc: "活动说明（可选）",
  ed_host: "主办单位", ed_host_other: "其他（填写编号）", ed_host_id: "主办单位编号", ed_org: "党组织 #{id}",
  ed_comm: "社区 #{id}", ed_start: "开始时间", ed_end: "结束时间", ed_opens: "提前开放签到（分钟）",
  ed_closes: "结束后保留签到（分钟）", ed_late: "迟到判定（开始后分钟）", ed_place: "地点名称",
  ed_geo: "定位校验（可选）", ed_geo_mode: "校验方式", geo_off: "不校验", geo_record: "仅记录位置",
  geo_enforce: "必须在范围内", ed_lat: "纬度", ed_lng: "经度", ed_radius: "范围半径（米）",
  ed_locate: "使用我的位置", ed_locating: "正在定位…", ed_located: "已定位，精度约 {m} 米",
  ed_locate_denied: "无法获取位置：请允许浏览器使用定位（需 HTTPS）。", ed_locate_none: "此浏览器不支持定位。",
  ed_capacity: "名额上限（可选）", ed_qr: "二维码方式", qr_rotating: "动态码（现场大屏）", qr_static: "静态码（打印海报）",
  ed_qr_hint: "动态码每隔数十秒更新，截图转发很快失效；静态码在签到时间内一直有效，建议配合定位校验。", ed_confirm: "签退后时长需审核确认",
  ed_status: "状态", ed_publish: "发布（成员可见）", ed_draft: "草稿（成员不可见）", ed_more: "更多设置",
  ed_save: "保存", ed_create: "创建活动", ed_fix: "请修改标红的内容。", ed_required: "必填", ed_back: "返回我的活动",
}, {
  ed_new: "New event", ed_edit: "Edit event", ed_kind: "Kind", ed_title: "Title", ed_desc: "Description (optional)",
  ed_host: "Host", ed_host_other: "Other (enter its number)", ed_host_id: "Host number", ed_org: "Organization #{id}",
  ed_comm: "Community #{id}", ed_start: "Starts", ed_end: "Ends", ed_opens: "Check-in opens before (minutes)",
  ed_closes: "Check-in stays open after (minutes)", ed_late: "Late after (minutes from start)", ed_place: "Place",
  ed_geo: "Geofence (optional)", ed_geo_mode: "Mode", geo_off: "Off", geo_record: "Record location only",
  geo_enforce: "Must be inside", ed_lat: "Latitude", ed_lng: "Longitude", ed_radius: "Radius (metres)",
  ed_locate: "Use my location", ed_locating: "Locating…", ed_located: "Located, accurate to about {m} m",
  ed_locate_denied: "No location: allow this browser to use it (needs HTTPS).",
  ed_locate_none: "This browser cannot tell its location.", ed_capacity: "Capacity (optional)", ed_qr: "QR mode",
  qr_rotating: "Rotating (venue screen)", qr_static: "Static (printed poster)",
  ed_qr_hint: "A rotating code changes every few seconds, so forwarded photos soon stop working; a static code works all through the check-in window: pair it with a geofence.",
  ed_confirm: "Hours need confirmation after check-out", ed_status: "Status", ed_publish: "Published (members see it)",
  ed_draft: "Draft (hidden from members)", ed_more: "More settings", ed_save: "Save", ed_create: "Create event",
  ed_fix: "Please correct the fields marked in red.", ed_required: "Required", ed_back: "Back to my events",
});

const eventId = param("event");
const state = { me: null, event: null, hosts: { org: new Map(), community: new Map() }, error: null, values: null };

/** Hosts this user can pick: their scopes, named from events they manage. */
async function loadHosts(me) {
  for (const id of me.organizer_of) state.hosts.org.set(id, me.branch && me.branch.id === id ? me.branch.name : null);
  for (const id of me.liaison_of) state.hosts.community.set(id, null);
  try {
    const page = await api("/events?page_size=500");
    for (const ev of page.items.filter((e) => e.can_manage)) {
      if (ev.host_org_id) state.hosts.org.set(ev.host_org_id, ev.host_org_name);
      if (ev.host_community_id) state.hosts.community.set(ev.host_community_id, ev.host_community_name);
    }
  } catch { /* names are a nicety: numbers still work */ }
}

const local = (iso) => (iso ? iso.slice(0, 16) : "");
function defaults() {
  const start = new Date(Date.now() + 3600000);
  start.setMinutes(0, 0, 0);
  const fmt = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const canOrg = state.me.organizer_of.length || state.me.roles.includes("admin");
  const first = kindsWhere({ host: canOrg ? "organization" : "community" })[0];
  return { kind: first ? first.code : "", title: "", description: "", starts_at: fmt(start),
    ends_at: fmt(new Date(start.getTime() + 2 * 3600000)), opens_before_minutes: 30, closes_after_minutes: 30,
    late_after_minutes: 5, place_name: "", geofence_mode: "off", lat: "", lng: "", geofence_radius_m: 200,
    capacity: "", qr_mode: "rotating", requires_confirmation: false, status: "published", host: "" };
}

function fromEvent(ev) {
  return { ...ev, starts_at: local(ev.starts_at), ends_at: local(ev.ends_at), lat: ev.lat ?? "", lng: ev.lng ?? "",
    geofence_radius_m: ev.geofence_radius_m ?? 200, capacity: ev.capacity ?? "",
    host: String(ev.host_org_id ?? ev.host_community_id ?? "") };
}

// ---- form building ----
const field = (name, label, input, hint, forId = "f-" + name) => el("div", { class: "field", "data-field": name },
  el("label", { for: forId }, label), input, hint ? el("p", { class: "hint" }, hint) : null,
  el("p", { class: "field-error", id: "err-" + name, hidden: true }));
const input = (name, attrs = {}) => el("input", { id: "f-" + name, name, value: state.values[name] ?? "", ...attrs });
const select = (name, options, attrs = {}) => el("select", { id: "f-" + name, name, ...attrs },
  options.map(([v, label]) => el("option", { value: v, selected: String(state.values[name]) === String(v) }, label)));

function kinds() {
  const canOrg = state.me.organizer_of.length || state.me.roles.includes("admin");
  const canComm = state.me.liaison_of.length || state.me.roles.includes("admin");
  const all = [];
  if (canOrg) all.push(...kindsWhere({ host: "organization" }).map((k) => k.code));
  if (canComm) all.push(...kindsWhere({ host: "community" }).map((k) => k.code));
  if (state.event && !all.includes(state.event.kind)) all.push(state.event.kind);
  return all.map((k) => [k, kindLabel(k)]);
}

/** Hosted by a community (else by an organization), per the server's kinds table. */
const byCommunity = (kind) => Boolean(kindOf(kind) && kindOf(kind).host === "community");
/** Hours that the organizer may choose to have confirmed (kinds that always need it need no box). */
const optionalConfirmation = (kind) => Boolean(kindOf(kind) && kindOf(kind).records_hours && !kindOf(kind).needs_confirmation);

function hostOptions(kind) {
  const community = byCommunity(kind);
  const map = community ? state.hosts.community : state.hosts.org;
  const opts = [...map].map(([id, name]) => [String(id), name || t(community ? "ed_comm" : "ed_org", { id })]);
  return [...opts, ["other", t("ed_host_other")]];
}

function hostField(kind) {
  const opts = hostOptions(kind);
  if (!opts.some(([v]) => v === String(state.values.host))) state.values.host = opts[0][0];
  const sel = select("host", opts);
  const other = input("host_other", { type: "number", inputmode: "numeric", min: 1, "aria-label": t("ed_host_id"),
    value: "", hidden: sel.value !== "other" });
  sel.addEventListener("change", () => { other.hidden = sel.value !== "other"; });
  return field(byCommunity(kind) ? "host_community_id" : "host_org_id", t("ed_host"),
    el("div", {}, sel, other), null, "f-host");
}

function locateButton(form) {
  const note = el("p", { class: "hint", role: "status" });
  const button = el("button", { type: "button", id: "locate" }, t("ed_locate"));
  button.addEventListener("click", () => {
    if (!navigator.geolocation) { note.textContent = t("ed_locate_none"); return; }
    note.textContent = t("ed_locating");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition((pos) => {
      button.disabled = false;
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lng.value = pos.coords.longitude.toFixed(6);
      if (form.elements.geofence_mode.value === "off") form.elements.geofence_mode.value = "record";
      note.textContent = t("ed_located", { m: Math.round(pos.coords.accuracy) });
    }, () => { button.disabled = false; note.textContent = t("ed_locate_denied"); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  return el("div", {}, button, note);
}

function readForm(form) {
  const v = Object.fromEntries(new FormData(form));
  const num = (x) => (x === "" || x === undefined ? null : Number(x));
  const body = { title: v.title, description: v.description, starts_at: v.starts_at + ":00",
    ends_at: v.ends_at + ":00", place_name: v.place_name, opens_before_minutes: num(v.opens_before_minutes),
    closes_after_minutes: num(v.closes_after_minutes), late_after_minutes: num(v.late_after_minutes),
    geofence_mode: v.geofence_mode, lat: num(v.lat), lng: num(v.lng), geofence_radius_m: num(v.geofence_radius_m),
    capacity: num(v.capacity), qr_mode: v.qr_mode, status: v.status };
  const kind = state.event ? state.event.kind : v.kind;
  if (!state.event) body.kind = kind;
  if (optionalConfirmation(kind)) body.requires_confirmation = form.elements.requires_confirmation.checked;
  const host = v.host === "other" ? num(v.host_other) : num(v.host);
  body[byCommunity(kind) ? "host_community_id" : "host_org_id"] = host;
  return body;
}

function showErrors(form, errors) {
  for (const p of form.querySelectorAll(".field-error")) p.hidden = true;
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  let first = null;
  for (const [name, text] of Object.entries(errors)) {
    const p = $("err-" + name) || $("form-error");
    p.textContent = p.id === "form-error" ? `${name}: ${text}` : text;
    p.hidden = false;
    const input = form.querySelector(`[name="${name}"]`) || (p.closest(".field") || p).querySelector("select, input");
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    if (p.id !== "form-error") input.setAttribute("aria-describedby", p.id);
    const fold = input.closest("details");
    if (fold) fold.open = true;
    first = first || input;
  }
  if (first) first.focus();
}

async function save(form, button) {
  const err = $("form-error");
  err.hidden = true;
  const missing = {};
  for (const name of ["title", "starts_at", "ends_at"]) if (!form.elements[name].value.trim()) missing[name] = t("ed_required");
  if (Object.keys(missing).length) {
    showErrors(form, missing);
    err.textContent = t("ed_fix");
    err.hidden = false;
    return;
  }
  const body = readForm(form);
  try {
    const ev = await busy(button, () => state.event
      ? api(`/events/${state.event.id}`, { method: "PATCH", body })
      : api("/events", { method: "POST", body }));
    location.assign(`/app/staff/events.html?saved=${ev.id}`);
  } catch (e) {
    const errors = e instanceof ApiError ? fieldErrors(e) : {};
    showErrors(form, errors);
    err.textContent = Object.keys(errors).length ? t("ed_fix") : errorText(e);
    err.hidden = false;
  }
}

function draw() {
  const main = $("main");
  if (state.error) { main.replaceChildren(el("p", { class: "panel error", role: "alert" }, state.error)); return; }
  if (!state.values) { main.replaceChildren(el("p", { class: "muted center" }, t("st_loading"))); return; }
  if (document.querySelector("#event-form")) state.values = { ...state.values, ...Object.fromEntries(
    new FormData(document.querySelector("#event-form"))) };
  const kind = state.event ? state.event.kind : state.values.kind;
  const form = el("form", { class: "panel", id: "event-form", novalidate: true });
  const kindSel = select("kind", kinds(), { disabled: !!state.event });
  kindSel.addEventListener("change", () => { state.values.kind = kindSel.value; draw(); });
  const submit = el("button", { type: "submit", class: "primary block", id: "save" },
    state.event ? t("ed_save") : t("ed_create"));
  const n = (name, min, max) => input(name, { type: "number", inputmode: "numeric", min, max });
  form.append(
    el("h1", {}, state.event ? t("ed_edit") : t("ed_new")),
    field("kind", t("ed_kind"), kindSel),
    field("title", t("ed_title"), input("title", { maxlength: 200, required: true })),
    hostField(kind),
    el("div", { class: "grid2" },
      field("starts_at", t("ed_start"), input("starts_at", { type: "datetime-local", required: true })),
      field("ends_at", t("ed_end"), input("ends_at", { type: "datetime-local", required: true }))),
    field("place_name", t("ed_place"), input("place_name", { maxlength: 200 })),
    field("qr_mode", t("ed_qr"), select("qr_mode", [["rotating", t("qr_rotating")], ["static", t("qr_static")]]),
      t("ed_qr_hint")),
    el("fieldset", {}, el("legend", {}, t("ed_geo")),
      field("geofence_mode", t("ed_geo_mode"), select("geofence_mode",
        [["off", t("geo_off")], ["record", t("geo_record")], ["enforce", t("geo_enforce")]])),
      locateButton(form),
      el("div", { class: "grid2" },
        field("lat", t("ed_lat"), input("lat", { type: "number", inputmode: "decimal", step: "any", min: -90, max: 90 })),
        field("lng", t("ed_lng"), input("lng", { type: "number", inputmode: "decimal", step: "any", min: -180, max: 180 }))),
      field("geofence_radius_m", t("ed_radius"), n("geofence_radius_m", 10, 10000))),
    field("capacity", t("ed_capacity"), n("capacity", 1, 100000)),
    el("details", {}, el("summary", { class: "check" }, t("ed_more")),
      field("description", t("ed_desc"), el("textarea", { id: "f-description", name: "description", maxlength: 5000 },
        state.values.description || "")),
      el("div", { class: "grid2" },
        field("opens_before_minutes", t("ed_opens"), n("opens_before_minutes", 0, 1440)),
        field("closes_after_minutes", t("ed_closes"), n("closes_after_minutes", 0, 1440))),
      field("late_after_minutes", t("ed_late"), n("late_after_minutes", 0, 240)),
      optionalConfirmation(kind) ? el("label", { class: "check", for: "f-requires_confirmation" },
        el("input", { type: "checkbox", id: "f-requires_confirmation", name: "requires_confirmation",
          checked: !!state.values.requires_confirmation }), t("ed_confirm")) : null,
      state.event && state.event.status !== "draft" ? null : field("status", t("ed_status"),
        select("status", [["published", t("ed_publish")], ["draft", t("ed_draft")]]))),
    el("p", { class: "error", id: "form-error", role: "alert", hidden: true }),
    submit,
    el("a", { class: "button block", href: "/app/staff/events.html" }, t("ed_back")));
  if (state.event && state.event.status !== "draft") form.append(el("input", { type: "hidden", name: "status",
    value: state.event.status }));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); save(form, submit); });
  main.replaceChildren(form);
}

boot({
  roles: ["organizer", "liaison", "admin"],
  start: async (me) => {
    state.me = me;
    try {
      await loadHosts(me);
      if (eventId) {
        state.event = await api(`/events/${encodeURIComponent(eventId)}`);
        state.values = fromEvent(state.event);
      } else {
        state.values = defaults();
      }
    } catch (e) {
      state.error = errorText(e);
    }
    draw();
  },
  draw,
});
