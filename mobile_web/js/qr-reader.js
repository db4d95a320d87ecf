// The one QR reader of the app (the member's scanner and the organizer's card scanner): the rear
// camera read by the browser's BarcodeDetector when it has one, else by jsQR (vendor/jsqr-1.4.0)
// in a worker (js/qr-worker.js) loaded only on first use.
const MAX_SIDE = 800;
const GAP_MS = 120;
let stream = null;
let running = false;
let timer = null;
let detector = null;
let worker = null;
let ready = null;
let canvas = null;

/** Whether this browser reads QR codes itself (else the jsQR worker is needed). */
export async function hasNativeReader() {
  if (!("BarcodeDetector" in window)) return false;
  try { return (await window.BarcodeDetector.getSupportedFormats()).includes("qr_code"); } catch { return false; }
}

async function prepare() {
  if ("BarcodeDetector" in window) {
    try {
      if ((await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
        detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] });
        return;
      }
    } catch { /* use jsQR */ }
  }
  if (!ready) {
    ready = new Promise((resolve, reject) => {
      worker = new Worker("/app/js/qr-worker.js");
      worker.onmessage = (e) => { if (e.data && e.data.ready) resolve(); };
      worker.onerror = (e) => { e.preventDefault(); reject(new Error("decoder")); };
    });
    ready.catch(() => { ready = null; if (worker) worker.terminate(); worker = null; });
  }
  return ready;
}

async function decode(video) {
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

/**
 * Start the rear camera in `video`; onText(text) per code read (return true to stop).
 * Rejects with an error whose name says why (NotAllowedError, NotFoundError, decoder, unsupported).
 */
export async function startScan(video, onText) {
  stopScan(video);
  running = true;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw Object.assign(new Error("unsupported"), { name: "unsupported" });
  }
  const decoder = prepare();
  decoder.catch(() => {});
  stream = await navigator.mediaDevices.getUserMedia({ audio: false,
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } } });
  if (!running) { stopScan(video); return; }
  video.srcObject = stream;
  try { await video.play(); } catch { /* muted inline video: frames still come */ }
  try { await decoder; } catch { stopScan(video); throw Object.assign(new Error("decoder"), { name: "decoder" }); }
  const loop = async () => {
    if (!running) return;
    let text = null;
    if (video.readyState >= 2 && video.videoWidth) {
      try { text = await decode(video); } catch { text = null; }
    }
    if (!running) return;
    if (text && onText(text) === true) { stopScan(video); return; }
    timer = setTimeout(loop, GAP_MS);
  };
  loop();
}

export function stopScan(video) {
  running = false;
  clearTimeout(timer);
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  if (video) video.srcObject = null;
}
