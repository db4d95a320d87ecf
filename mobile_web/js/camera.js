// The in-page scanner: the rear camera (getUserMedia) read by the browser's BarcodeDetector when it
// has one, else by jsQR (vendor/jsqr-1.4.0) in a worker, loaded only now. A refused or missing
// camera gets a clear way out: the phone's own camera app or WeChat's scanner open the code's URL.
import { t } from "./core.js";
import { $ } from "./ui.js";

const WORKER = "/app/js/qr-worker.js";
const MAX_SIDE = 800; // frames are scaled down to this for jsQR
const FRAME_GAP_MS = 120;

let stream = null;
let timer = null;
let running = false;
let detector = null;
let worker = null;
let workerReady = null;
let canvas = null;

function setStatus(text) { $("scan-status").textContent = text; }

/** Open the camera and call onText(decoded text) per code seen; onText returns true to stop. */
export async function startCamera(onText) {
  stopCamera();
  running = true;
  $("scan-error").hidden = true;
  $("scan-frame").hidden = false;
  setStatus(t("scan_starting"));
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { fail("unsupported"); return; }
  const decoder = prepareDecoder(); // loads while the permission question is on screen
  decoder.catch(() => {});
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false, video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (e) {
    fail(e && e.name);
    return;
  }
  if (!running) { release(); return; }
  const video = $("scan-video");
  video.srcObject = stream;
  try { await video.play(); } catch { /* autoplay of a muted inline video is allowed; frames still come */ }
  try { await decoder; } catch { fail("decoder"); return; }
  if (!running) return;
  setStatus(t("scan_aim"));
  tick(onText);
}

export function stopCamera() {
  running = false;
  clearTimeout(timer);
  timer = null;
  release();
}

function release() {
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  const video = $("scan-video");
  if (video) video.srcObject = null;
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
  $("scan-error").hidden = false;
  setStatus("");
}

async function prepareDecoder() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] });
        return;
      }
    } catch { /* fall back to jsQR */ }
  }
  if (!workerReady) {
    workerReady = new Promise((resolve, reject) => {
      worker = new Worker(WORKER);
      worker.onmessage = (e) => { if (e.data && e.data.ready) resolve(); };
      worker.onerror = (e) => { e.preventDefault(); reject(new Error("decoder")); };
    });
    workerReady.catch(() => { workerReady = null; if (worker) worker.terminate(); worker = null; });
  }
  return workerReady;
}

async function tick(onText) {
  if (!running) return;
  const video = $("scan-video");
  let text = null;
  if (video.readyState >= 2 && video.videoWidth) {
    try { text = await decodeFrame(video); } catch { text = null; }
  }
  if (!running) return;
  if (text && onText(text) === true) { stopCamera(); return; }
  timer = setTimeout(() => tick(onText), FRAME_GAP_MS);
}

async function decodeFrame(video) {
  if (detector) {
    const codes = await detector.detect(video);
    return codes.length ? codes[0].rawValue : null;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
  const width = Math.round(video.videoWidth * scale);
  const height = Math.round(video.videoHeight * scale);
  canvas = canvas || document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext("2d", { willReadFrequently: true });
  g.drawImage(video, 0, 0, width, height);
  const pixels = g.getImageData(0, 0, width, height).data;
  return new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data ? e.data.text : null);
    worker.postMessage({ buffer: pixels.buffer, width, height }, [pixels.buffer]);
  });
}

/** What a decoded text means here: {token} for a check-in code of this app, else {path} or {kind}. */
export function readCode(text) {
  let url;
  try { url = new URL(text.trim()); } catch { return { kind: "other" }; }
  if (url.host !== location.host) return { kind: "other" };
  const m = url.pathname.match(/^\/([scr])\/([A-Za-z0-9_-]{8,120})\/?$/);
  if (!m) return { kind: "other" };
  if (m[1] === "s") return { kind: "scan", token: m[2] };
  if (m[1] === "c") return { kind: "card" };
  return { kind: "register", path: url.pathname };
}
