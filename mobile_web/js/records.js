// My records: check-ins with state and hours (GET /hours/mine: volunteer and community service),
// the points ledger (GET /points/ledger: every kind, party days included), hours awaiting confirmation.
import { api, t, forgetMe } from "./core.js";
import { $, ctx, show, rowsInto, localTime, shortTime, kindLabel, hoursText, errorText } from "./ui.js";

const TABS = ["history", "points", "pending"];
const WAITING = new Set(["pending", "no_checkout"]);
let tab = "history";

export function showRecords(which = tab) {
  tab = TABS.includes(which) ? which : "history";
  show("view-records", () => showRecords(tab));
  for (const name of TABS) {
    const button = $(`tab-${name}`);
    button.setAttribute("aria-selected", String(name === tab));
    button.onclick = () => showRecords(name);
  }
  $("records-note").textContent = tab === "history" ? t("history_note") : tab === "pending" ? t("pending_note") : "";
  $("records-balance").hidden = tab !== "points";
  $("records-error").hidden = true;
  $("records-list").replaceChildren();
  $("records-list").setAttribute("aria-busy", "true");
  load(tab).finally(() => $("records-list").setAttribute("aria-busy", "false"));
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
    const mine = await api("/hours/mine?page_size=100");
    if (tab !== which) return;
    const items = which === "pending"
      ? mine.items.filter((a) => WAITING.has(a.state) || (a.dispute && a.dispute.status === "open"))
      : mine.items;
    rowsInto($("records-list"), items.map(attendanceRow));
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
    a.checkout_at && `${t("checkout_at")} ${shortTime(a.checkout_at)}`].filter(Boolean).join(" · ");
  return {
    title: ev.title || "",
    meta: [`${kindLabel(ev.kind)} · ${localTime(ev.starts_at)}`, times,
      a.dispute && a.dispute.status === "open" ? t("dispute_open") : ""],
    badge: t(`state_${a.state}`), badgeClass: `state-${a.state}`,
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
