// The member's in-page scanner screen around qr-reader.js. A refused or missing camera gets a clear
// way out: the phone's own camera app or WeChat's scanner open the code's URL.
import { t } from "../shared/i18n.js";
import { $ } from "../shared/dom.js";
import { startScan, stopScan } from "./qr-reader.js";

let running = false;

function setStatus(text) { $("scan-status").textContent = text; }

/** Open the camera and call onText(decoded text) per code seen; onText returns true to stop. */
export async function startCamera(onText) {
  stopCamera();
  running = true;
  $("scan-error").hidden = true;
  $("scan-frame").hidden = false;
  setStatus(t("scan_starting"));
  try {
    await startScan($("scan-video"), onText);
  } catch (e) {
    if (running) fail(e && e.name);
    return;
  }
  if (running) setStatus(t("scan_aim"));
}

export function stopCamera() {
  running = false;
  stopScan($("scan-video"));
}

function fail(reason) {
  stopCamera();
  const key = {
    NotAllowedError: "cam_denied", SecurityError: "cam_denied", PermissionDeniedError: "cam_denied",
    NotFoundError: "cam_missing", OverconstrainedError: "cam_missing", DevicesNotFoundError: "cam_missing",
    NotReadableError: "cam_busy", TrackStartError: "cam_busy", decoder: "cam_decoder",
  }[reason] || "cam_unsupported";
  $("scan-frame").hidden = true;
  $("scan-error-title").textContent = t(key);
  const help = $("scan-error-help");
  help.dataset.i18n = `${key}_help`; // one piece of advice for this cause (kept across a language switch)
  help.textContent = t(help.dataset.i18n);
  $("scan-error").hidden = false;
  setStatus("");
}

/** What a decoded text means here: {token} for a check-in code of this app, else {path} or {kind}. */
export function readCode(text) {
  let url;
  try { url = new URL(text.trim()); } catch { return { kind: "other" }; }
  if (url.host !== location.host) return { kind: "other" };
  const m = url.pathname.match(/^\/([scra])\/([A-Za-z0-9_-]{8,120})\/?$/);
  if (!m) return { kind: "other" };
  if (m[1] === "s") return { kind: "scan", token: m[2] };
  if (m[1] === "c") return { kind: "card" };
  if (m[1] === "a") return { kind: "code", path: url.pathname }; // an activation slip, join QR or reset code
  return { kind: "register", path: url.pathname };
}
