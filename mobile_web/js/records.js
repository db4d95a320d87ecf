// My records: every check-in of a year with its state and hours (GET /me/attendance: party days,
// volunteer and community service, with the year's totals), the points ledger (GET /points/ledger),
// and the hours awaiting confirmation or disputed (GET /hours/mine).
import { api, forgetMe } from "../shared/api.js";
import { lang, t } from "../shared/i18n.js";
import { $, el } from "../shared/dom.js";
import { kindLabel, kindsWhere, stateLabel } from "../shared/labels.js";
import { ctx, show, rowsInto, localTime, shortTime, hoursText, errorText, isoWithOffset } from "./ui.js";

const TABS = ["history", "points", "pending"];
const WAITING = new Set(["pending", "no_checkout"]);
const PAGE = 100;
let tab = "history";
let year = null;
let listed = { items: [], total: 0, page: 1 };
let seq = 0;

const thisYear = () => Number(isoWithOffset().slice(0, 4));

export function showRecords(which = tab) {
  tab = TABS.includes(which) ? which : "history";
  year = year || thisYear();
  show("view-records", () => showRecords(tab));
  for (const name of TABS) {
    const button = $(`tab-${name}`);
    button.setAttribute("aria-selected", String(name === tab));
    button.onclick = () => showRecords(name);
  }
  drawYears();
  $("records-note").textContent = tab === "history" ? t("history_note", { kinds: kindsWhere().map((k) => kindLabel(k.code)).join(lang() === "en" ? ", " : "、") }) : tab === "pending" ? t("pending_note") : "";
  $("records-balance").hidden = tab !== "points";
  $("records-error").hidden = true;
  moreButton().hidden = true;
  $("records-list").replaceChildren();
  $("records-list").setAttribute("aria-busy", "true");
  load(tab).finally(() => $("records-list").setAttribute("aria-busy", "false"));
}

/** The year switch of the history tab: ‹ last year · this one · next year ›, made once beside the tabs. */
function drawYears() {
  let nav = $("records-years");
  if (!nav) {
    nav = el("div", { class: "tabs", id: "records-years", role: "group" },
      el("button", { type: "button", id: "year-prev", onclick: () => { year -= 1; showRecords("history"); } }),
      el("button", { type: "button", class: "button primary", id: "year-this", "aria-pressed": "true", onclick: () => showRecords("history") }),
      el("button", { type: "button", id: "year-next", onclick: () => { year += 1; showRecords("history"); } }));
    $("tab-history").parentElement.after(nav);
  }
  nav.hidden = tab !== "history";
  nav.setAttribute("aria-label", t("year_switch"));
  $("year-prev").textContent = `‹ ${year - 1}`;
  $("year-this").textContent = t("year_label", { year });
  $("year-next").textContent = `${year + 1} ›`;
  $("year-next").hidden = year >= thisYear(); // no button for a year that has not come
}

function moreButton() {
  let button = $("records-more");
  if (!button) {
    button = el("button", { type: "button", class: "secondary", id: "records-more", hidden: true,
      onclick: () => loadHistory(true) });
    $("records-list").after(button);
  }
  button.textContent = t("load_more");
  return button;
}

async function loadHistory(more = false) {
  const mine = ++seq;
  const page = more ? listed.page + 1 : 1;
  const answer = await api(`/me/attendance?year=${year}&page=${page}&page_size=${PAGE}`);
  if (mine !== seq || tab !== "history") return;
  listed = { items: more ? [...listed.items, ...answer.items] : answer.items, total: answer.total, page };
  const s = answer.summary;
  $("records-note").textContent = t("history_summary", { year: s.year, n: s.count, hours: s.hours_confirmed,
    pending: s.hours_pending });
  rowsInto($("records-list"), listed.items.map(attendanceRow), "no_records_year");
  moreButton().hidden = listed.items.length >= listed.total;
}

async function load(which) {
  try {
    if (which === "points") {
      const ledger = await api("/points/ledger?page_size=100");
      if (tab !== which) return;
      $("records-balance-value").textContent = String(ledger.balance);
      rowsInto($("records-list"), ledger.items.map(ledgerRow));
      return;
    }
    if (which === "history") {
      await loadHistory();
      return;
    }
    const mine = await api("/hours/mine?page_size=100");
    if (tab !== which) return;
    rowsInto($("records-list"), mine.items
      .filter((a) => WAITING.has(a.state) || (a.dispute && a.dispute.status === "open")).map(attendanceRow));
  } catch (e) {
    if (e.status === 401) {
      forgetMe();
      ctx.me = null;
      ctx.requireLogin("login_hint_home", () => showRecords(which));
      return;
    }
    $("records-error").textContent = errorText(e);
    $("records-error").hidden = false;
  }
}

function attendanceRow(a) {
  const ev = a.event || {};
  const hours = a.hours_confirmed ?? a.hours_claimed;
  const times = [a.checkin_at && `${t("checkin_at")} ${shortTime(a.checkin_at)}`,
    a.checkout_at && `${t("checkout_at")} ${shortTime(a.checkout_at)}`, a.late ? t("late") : ""].filter(Boolean).join(" · ");
  return {
    title: ev.title || "",
    meta: [`${kindLabel(ev.kind)} · ${localTime(ev.starts_at)}`, times,
      a.dispute && a.dispute.status === "open" ? t("dispute_open") : ""],
    badge: stateLabel(a.state), badgeClass: `state-${a.state}`,
    trailing: hours === null || hours === undefined ? "" : hoursText(hours),
  };
}

function ledgerRow(entry) {
  return {
    title: entry.event_title || entry.reason || entry.rule_code || "",
    meta: [`${t(`entry_${entry.entry_type}`)} · ${localTime(entry.created_at)}`,
      entry.event_title && entry.reason ? entry.reason : ""],
    trailing: `${entry.amount > 0 ? "+" : ""}${entry.amount}`,
    trailingClass: entry.amount < 0 ? "neg" : "pos",
  };
}
