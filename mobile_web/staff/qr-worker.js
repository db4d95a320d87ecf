// Reads QR codes off the main thread with the vendored jsQR (mobile_web/vendor/jsqr-1.4.0, pinned,
// Apache-2.0), for browsers without BarcodeDetector. Posts {ready: true}, then {text} per frame.
/* global jsQR */
importScripts("/app/vendor/jsqr-1.4.0/jsQR.js");

self.onmessage = (e) => {
  const { buffer, width, height } = e.data;
  let text = null;
  try {
    const code = jsQR(new Uint8ClampedArray(buffer), width, height, { inversionAttempts: "attemptBoth" });
    text = code ? code.data : null;
  } catch {
    text = null;
  }
  self.postMessage({ text });
};

self.postMessage({ ready: true });
