// The outbox: scans made without a connection, kept in IndexedDB with their client_scan_id and
// scanned_at, sent when the connection returns, when the app opens and when the page is shown
// again. An item stays after sending, with the server's answer, until the member has seen it:
// a refused offline scan is never dropped silently.
import { api, loadMe } from "../shared/api.js";

const DB_NAME = "qiandao";
const STORE = "outbox";
export const changes = new EventTarget(); // "change" after every write

// ---- a small IndexedDB helper ----
let opening = null;

function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("IndexedDB blocked"));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

async function run(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req ? req.result : undefined);
    tx.onerror = tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction failed"));
  });
}

function changed() { changes.dispatchEvent(new Event("change")); }

// ---- the outbox ----
/** Items, oldest scan first: {id, token, scanned_at, queued_at, status: waiting|done, http, response}. */
export async function items() {
  const all = await run("readonly", (s) => s.getAll());
  return (all || []).sort((a, b) => a.queued_at - b.queued_at);
}

export async function get(id) { return run("readonly", (s) => s.get(id)); }

export async function add(id, token, scannedAt) {
  const prior = await get(id);
  if (prior) return prior; // the same scan again (a reload): keep its first scanned_at
  const item = { id, token, scanned_at: scannedAt, queued_at: Date.now(), status: "waiting" };
  await run("readwrite", (s) => s.put(item));
  changed();
  return item;
}

export async function remove(id) {
  await run("readwrite", (s) => s.delete(id));
  changed();
}

export async function waitingCount() {
  try { return (await items()).filter((i) => i.status === "waiting").length; } catch { return 0; }
}

export const state = { needsLogin: false };
let sending = null;

/** Send every waiting item once; resolves when done. Concurrent calls share one run. */
export function flush() {
  if (!sending) sending = sendAll().finally(() => { sending = null; });
  return sending;
}

async function sendAll() {
  let list;
  try { list = (await items()).filter((i) => i.status === "waiting"); } catch { return; }
  for (const item of list) {
    const outcome = await sendOne(item);
    if (outcome === "stop") break;
  }
}

async function sendOne(item, csrfRetried = false) {
  const body = { token: item.token, client_scan_id: item.id, scanned_at: item.scanned_at };
  let done;
  try {
    const data = await api("/scans", { method: "POST", body, timeout: 15000 });
    done = { http: 200, response: data };
  } catch (e) {
    if (e.status === 0) return "stop"; // still offline: keep everything for the next try
    if (e.status === 401) { state.needsLogin = true; changed(); return "stop"; }
    if (e.status === 403 && e.code === "csrf_failed" && !csrfRetried) {
      try { if (await loadMe()) return sendOne(item, true); } catch { return "stop"; }
      state.needsLogin = true;
      changed();
      return "stop";
    }
    if (e.status >= 500 || !e.body || !e.body.error) return "next"; // try again later
    done = { http: e.status, response: e.body }; // the server's answer, a refusal: shown, never dropped
  }
  state.needsLogin = false;
  await run("readwrite", (s) => s.put({ ...item, status: "done", ...done, sent_at: Date.now() }));
  changed();
  return "sent";
}
