// Keeps the member app shell (HTML, CSS, JS) so the app opens without a network; a scan made then
// waits in the app's outbox. API responses are never cached here. Served at /sw.js (scope /) by
// server/web/assets.py, which writes a hash of mobile_web/ and of the generated labels module into
// VERSION: any change to the app's files changes this script, so phones install the new shell and
// drop the old one.
const VERSION = "__SHELL_VERSION__";
const CACHE = `qd-shell-${VERSION}`;
const SHELL = [
  "/",
  "/app/app.css",
  "/app/manifest.webmanifest",
  "/app/shared/i18n.js",
  "/app/shared/api.js",
  "/app/shared/dom.js",
  "/app/shared/labels.js",
  "/app/js/member-text.js",
  "/app/js/ui.js",
  "/app/js/outbox.js",
  "/app/js/checkin.js",
  "/app/js/camera.js",
  "/app/js/qr-reader.js",
  "/app/js/home.js",
  "/app/js/records.js",
  "/app/js/landing.js",
  "/app/js/account.js",
  "/app/js/meetings.js",
  "/app/js/app.js",
];
// The QR decoder for phones without BarcodeDetector: not part of the shell (most phones never need it),
// fetched when the page asks (a "warm" message once the app has loaded on such a phone) or on first use,
// then kept, so the in-app scanner works offline too.
const DECODER = ["/app/js/qr-worker.js", "/app/vendor/jsqr-1.4.0/jsQR.js"];
const ON_USE = [/^\/app\/vendor\//, /^\/app\/js\/qr-worker\.js$/];
// Pages of the app: every one is index.html.
const PAGES = /^\/(?:[scr]\/[^/]+\/?)?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    // "no-cache": asked again with the ETag the page's own visit left in the HTTP cache, so the files
    // the first visit just downloaded come back as 304s, not a second download; changed ones come fresh.
    .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "no-cache" }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("qd-shell-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "warm-decoder") return;
  event.waitUntil(caches.open(CACHE).then(async (cache) => {
    for (const url of DECODER) {
      if (!(await cache.match(url, { ignoreSearch: true }))) await cache.add(url).catch(() => {});
    }
  }));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (PAGES.test(url.pathname)) event.respondWith(cached("/", request));
    return;
  }
  if (SHELL.includes(url.pathname)) event.respondWith(cached(url.pathname, request));
  else if (ON_USE.some((re) => re.test(url.pathname))) event.respondWith(keepOnUse(request));
});

async function cached(key, request) {
  const hit = await caches.match(key, { cacheName: CACHE });
  return hit || fetch(request);
}

async function keepOnUse(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}
