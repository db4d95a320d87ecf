"""scripts/phone_audit's browser half: axe-core, the slow-phone scan and the 200 % text check (Playwright)."""
import statistics
import time

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "qiandao-demo"  # the demo's (server/demo.py)
ADMIN, ORGANIZER, MEMBER = "13900000000", "13900000001", "13900000101"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
ANSWERED = """() => { const v = document.getElementById('view-result'), m = document.getElementById('result-message');
  return !!v && !v.hidden && !v.classList.contains('pending') && !!m && m.textContent.trim().length > 0; }"""

# The 200 % text check. The root font size is doubled (CSSOM, allowed under the CSP) and the text that did
# not grow with it is counted (sized in px: it ignores the reader's setting); then every element's font size
# is set to twice what it was, as a phone's text scaling does to px text too, and the page is checked.
DOUBLE = """async () => {
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300))));
  const all = [...document.querySelectorAll('*')];
  const leaf = (e) => e.getClientRects().length &&
    [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const before = new Map(all.map((e) => [e, parseFloat(getComputedStyle(e).fontSize)]));
  const root = document.documentElement;
  root.style.setProperty('font-size', (2 * before.get(root)) + 'px', 'important');
  await frames();
  let same = 0;
  for (const e of all) if (leaf(e) && parseFloat(getComputedStyle(e).fontSize) < 1.5 * before.get(e)) same++;
  for (const [e, px] of before) if (e.style) e.style.setProperty('font-size', (2 * px) + 'px', 'important');
  await frames();
  return same;
}"""
CHECK = """() => {
  const out = [], vw = document.documentElement.clientWidth;  // the layout viewport: a phone zooms out to fit
  const folded = (e) => { const d = e.closest('details'); return !!d && !d.open && !e.closest('summary'); };
  const shown = (e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return !folded(e) && r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.opacity !== '0'; };
  const name = (e) => (e.id ? '#' + e.id : e.tagName.toLowerCase() +
    (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/)[0] : '')) +
    ' "' + e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 18) + '"';
  const sw = document.documentElement.scrollWidth;
  if (sw > vw + 1) out.push(`sideways scroll: ${sw} px wide`);
  const texts = [...document.querySelectorAll('body *')].filter((e) => shown(e) &&
    [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  const rects = new Map();
  for (const e of texts) {
    const range = document.createRange(); let r = null;
    for (const n of e.childNodes) if (n.nodeType === 3 && n.textContent.trim()) {
      range.selectNodeContents(n); const b = range.getBoundingClientRect();
      r = r ? { left: Math.min(r.left, b.left), top: Math.min(r.top, b.top), right: Math.max(r.right, b.right),
               bottom: Math.max(r.bottom, b.bottom) } : { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
    }
    if (r) rects.set(e, r);
    if (r && (r.right > vw + 1 || r.left < -1)) out.push(`off screen: ${name(e)}`);
  }
  for (const e of document.querySelectorAll('body *')) {
    if (!shown(e) || !e.textContent.trim()) continue;
    const s = getComputedStyle(e);
    if (['hidden', 'clip'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1) out.push(`clipped: ${name(e)}`);
    else if (['hidden', 'clip'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1)
      out.push(`clipped: ${name(e)}`);
  }
  const list = [...rects];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
    const [a, ra] = list[i], [b, rb] = list[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 2 && h > 2) out.push(`overlap: ${name(a)} / ${name(b)}`);
  }
  const taps = 'button, a.button, .bar a, .lang, .brand, [role=button], ' +
    'input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea, label.check, summary';
  for (const e of document.querySelectorAll(taps)) {
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width < 43.5 || r.height < 43.5) out.push(`tap ${Math.round(r.width)}x${Math.round(r.height)}: ${name(e)}`);
  }
  return [...new Set(out)];
}"""


def sign_in(page, base: str, phone: str, password: str) -> None:
    """Through the member app's own form, as a person would: the cookie, and the app's memory of who it is."""
    page.goto(base + "/", wait_until="load")
    page.locator("#login-phone").wait_for(state="visible", timeout=60000)
    page.fill("#login-phone", phone)
    page.fill("#login-password", password)
    page.locator("#login-submit").click()
    page.wait_for_function("() => { const f = document.getElementById('login-phone'); return !f || !f.offsetParent; }",
                           timeout=60000)
    settle(page)


def settle(page, timeout_ms: int = 15000) -> None:
    """Loaded, and the lists the page fetches have arrived (network quiet), or 15 s passed."""
    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except Exception:  # noqa: BLE001, S110  (a page that polls is still measured)
        pass
    page.wait_for_timeout(300)


class Audit:
    """One Chromium for the Playwright sections; contexts per person, made fresh where a first visit matters."""

    def __init__(self, srv, event_id, members, password, member, organizer, admin, log, errors):
        self.srv, self.event_id, self.members, self.password = srv, event_id, members, password
        self.member, self.organizer, self.admin, self.log, self.errors = member, organizer, admin, log, errors

    def __enter__(self):
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        return self

    def __exit__(self, *exc):
        self.browser.close()
        self._pw.stop()

    def context(self, phone: str | None):
        ctx = self.browser.new_context(**PHONE)
        ctx.grant_permissions(["camera"], origin=self.srv.url)
        if phone:
            page = ctx.new_page()
            sign_in(page, self.srv.url, phone, self.password)
            page.close()
        return ctx

    def pages(self, member_only: bool) -> list:
        """(label, person, url maker): the member's pages, then the staff and admin pages."""
        u, e = self.srv.url, self.event_id
        out = [("landing `/` signed out", None, lambda: u + "/"),
               ("member home `/`", self.member, lambda: u + "/"),
               ("scan answer `/s/<token>`", "new", lambda: self.srv.token_url(e)),
               ("records `/#records`", self.member, lambda: u + "/#records"),
               ("community `/app/community/`", self.member, lambda: u + "/app/community/index.html")]
        if member_only:
            return out
        return out + [
            ("scan camera `/#scan`", self.member, lambda: u + "/#scan"),
            ("staff live", self.organizer, lambda: f"{u}/app/staff/live.html?event={e}"),
            ("staff events", self.organizer, lambda: u + "/app/staff/events.html"),
            ("staff display", self.organizer, lambda: f"{u}/app/staff/display.html?event={e}&direction=in"),
            ("staff edit", self.organizer, lambda: f"{u}/app/staff/edit.html?event={e}"),
            ("staff hours", self.organizer, lambda: u + "/app/staff/hours.html"),
            ("admin report", self.admin, lambda: u + "/app/admin/report.html"),
            ("admin import", self.admin, lambda: u + "/app/admin/import.html")]

    def each_page(self, member_only: bool, visit):
        rows = []
        for label, who, url in self.pages(member_only):
            ctx = self.context(self.members.take() if who == "new" else who)
            try:
                page = ctx.new_page()
                response = page.goto(url(), wait_until="load")
                if response is None or not response.ok:  # a renamed page must not be measured as an error page
                    raise RuntimeError(f"{page.url} answered {response and response.status}")
                settle(page)
                rows.append({"page": label, **visit(page)})
            except Exception as ex:  # noqa: BLE001  (one page's failure is reported, the rest still run)
                self.errors.append(f"{label}: {type(ex).__name__}: {str(ex)[:300]}")
            finally:
                ctx.close()
        return rows

    def axe_pages(self) -> list:
        from axe_playwright_python.sync_playwright import Axe
        axe = Axe()

        def visit(page):
            violations = axe.run(page).response["violations"]
            impacts: dict[str, int] = {}
            for v in violations:
                impacts[v["impact"]] = impacts.get(v["impact"], 0) + 1
            return {"impacts": impacts, "violations": [{"id": v["id"], "impact": v["impact"],
                                                        "nodes": len(v["nodes"])} for v in violations]}
        self.log("axe-core")
        return self.each_page(False, visit)

    def text_200(self) -> list:
        def visit(page):
            not_scaled = page.evaluate(DOUBLE)
            return {"problems": page.evaluate(CHECK), "not_scaled": not_scaled}
        self.log("200 % text")
        return self.each_page(True, visit)

    # --- the member's scan on a slow phone ---
    def _throttled(self, ctx, page):
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        seen = {"requests": 0, "bytes": 0}
        cdp.on("Network.requestWillBeSent", lambda ev: seen.__setitem__("requests", seen["requests"] + 1)
               if not ev["request"]["url"].startswith(("data:", "blob:")) else None)
        cdp.on("Network.loadingFinished", lambda ev: seen.__setitem__("bytes", seen["bytes"] + ev["encodedDataLength"]))
        return seen

    def _answer(self, page) -> str:
        page.wait_for_function(ANSWERED, timeout=60000)
        return page.locator("#result-message").inner_text().strip()

    def scan_cold(self) -> dict:
        phone = self.members.take()
        url = self.srv.token_url(self.event_id)
        ctx = self.context(None)
        try:
            page = ctx.new_page()
            seen = self._throttled(ctx, page)
            mark, t0 = self.srv.mark(), time.monotonic()
            page.goto(url, wait_until="commit")
            page.locator("#login-phone").wait_for(state="visible", timeout=60000)
            form = time.monotonic()
            page.fill("#login-phone", phone)
            page.fill("#login-password", self.password)
            submit = time.monotonic()
            page.locator("#login-submit").click()
            answer = self._answer(page)
            end = time.monotonic()
            page.wait_for_timeout(1500)  # the service worker's own downloads, for the server-side count
            traffic = self.srv.traffic(mark)
            return {"total_s": end - t0, "form_s": form - t0, "after_submit_s": end - submit, "answer": answer,
                    **seen, "server_requests": traffic["requests"]}
        finally:
            ctx.close()

    def scan_warm(self) -> dict:
        ctx = self.context(self.members.take())
        try:
            page = ctx.new_page()
            page.goto(self.srv.url + "/", wait_until="load")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            for _ in range(3):
                if page.evaluate("navigator.serviceWorker.controller !== null"):
                    break
                page.reload(wait_until="load")
            if not page.evaluate("navigator.serviceWorker.controller !== null"):
                raise RuntimeError("the service worker never took control of the page")
            settle(page)
            url = self.srv.token_url(self.event_id)
            seen = self._throttled(ctx, page)
            mark, t0 = self.srv.mark(), time.monotonic()
            page.goto(url, wait_until="commit")
            answer = self._answer(page)
            end = time.monotonic()
            page.wait_for_timeout(500)
            traffic = self.srv.traffic(mark)
            return {"total_s": end - t0, "answer": answer, **seen, "server_requests": traffic["requests"]}
        finally:
            ctx.close()

    def scan_paths(self, runs: int) -> dict:
        out = {}
        for key, measure in (("cold", self.scan_cold), ("warm", self.scan_warm)):
            done = []
            for n in range(runs):
                self.log(f"scan {key} run {n + 1}/{runs}")
                try:
                    done.append(measure())
                except Exception as ex:  # noqa: BLE001
                    self.errors.append(f"scan {key}: {type(ex).__name__}: {str(ex)[:300]}")
            if done:
                med = {k: statistics.median(d[k] for d in done) for k in done[0] if k != "answer"}
                out[key] = {**med, "answer": " / ".join(sorted({d["answer"] for d in done})), "runs": done}
        return out
