// Decodes camera frames off the main thread with jsQR (loaded here, only when the browser has no
// BarcodeDetector). The UMD wrapper of jsQR.js sets self.jsQR in a worker.
/* global jsQR */
importScripts("/app/vendor/jsqr-1.4.0/jsQR.js");

self.onmessage = (e) => {
  const { buffer, width, height } = e.data;
  let text = null;
  try {
    const code = jsQR(new Uint8ClampedArray(buffer), width, height, { inversionAttempts: "dontInvert" });
    text = code ? code.data : null;
  } catch {
    text = null;
  }
  self.postMessage({ text });
};

self.postMessage({ ready: true });
