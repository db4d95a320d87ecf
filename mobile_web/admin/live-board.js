// The live board for a Party day, for a screen in the committee's office: every event of the tree open for
// check-in now with checked in / expected and excused, refreshed every few seconds (an unchanged board
// costs the server one small query; the page keeps the last figures when the network drops).
import { api } from "../shared/api.js";
import { addText, t } from "../shared/i18n.js";
import { $, el, fill, param, timeRange } from "../shared/dom.js";
import { kindLabel } from "../shared/labels.js";
import { boot, errorText } from "../shared/shell.js";

addText({
  lb_title: "活动实况", lb_total: "已签到 {in} / 应到 {exp} · 请假 {ex}", lb_none: "现在没有正在签到的活动。",
  lb_at: "更新于 {time}", lb_offline: "暂时无法连接服务器，显示的是 {time} 的数据", lb_open_ended: "不限名单",
}, {
  lb_title: "Live board", lb_total: "{in} checked in of {exp} expected · {ex} excused",
  lb_none: "No event is open for check-in now.", lb_at: "updated {time}", lb_offline: "Cannot reach the server: figures of {time}",
  lb_open_ended: "open to all",
});

const POLL_MS = 5000;
const state = { orgId: Number(param("org")) || null, board: null, cursor: null, offline: false };

async function poll() {
  const qs = new URLSearchParams();
  if (state.orgId) qs.set("org_id", state.orgId);
  if (state.cursor) qs.set("since", state.cursor);
  try {
    const got = await api(`/evaluation/live?${qs}`);
    state.offline = false;
    if (!got.unchanged) state.board = got;
    state.cursor = got.cursor;
  } catch (e) {
    state.offline = true;
    if (!state.board) fill($("main"), el("p", { class: "panel error", role: "alert" }, errorText(e)));
  }
  draw();
  setTimeout(poll, POLL_MS);
}

function draw() {
  const b = state.board;
  if (!b) return;
  const rows = b.events.map((e) => {
    const share = e.expected ? Math.min(100, Math.round((e.checked_in / Math.max(1, e.expected - e.excused)) * 100)) : null;
    return el("li", { class: "board-row", "data-event": e.event_id },
      el("p", { class: "row-title" }, e.title), el("p", { class: "row-meta" }, `${kindLabel(e.kind)} · ${e.host} · ${timeRange(e.starts_at, e.ends_at)}`),
      el("p", { class: "board-count" }, e.expected === null ? `${e.checked_in} · ${t("lb_open_ended")}`
        : t("lb_total", { in: e.checked_in, exp: e.expected, ex: e.excused })),
      share === null ? null : el("progress", { max: 100, value: share, "aria-label": `${share}%` }));
  });
  fill($("main"), el("section", { class: "panel board" }, el("h1", {}, `${t("lb_title")} · ${b.org.name}`),
    el("p", { class: "board-total" }, t("lb_total", { in: b.totals.checked_in, exp: b.totals.expected, ex: b.totals.excused })),
    el("p", { class: state.offline ? "error" : "muted", role: "status" },
      t(state.offline ? "lb_offline" : "lb_at", { time: b.at.slice(11, 19) })),
    rows.length ? el("ul", { class: "list" }, rows) : el("p", { class: "muted" }, t("lb_none"))));
}

boot({ roles: ["organizer", "admin"], start: () => poll(), draw: () => draw() });
