"""scripts/phone_audit's Lighthouse half: version 12.2.3, mobile preset, medians of the runs per page."""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from phone_audit_browser import ADMIN, CHROMIUM, MEMBER, ORGANIZER, PASSWORD, sign_in

LH_VERSION = "12.2.3"
LH_DIR = Path(os.environ.get("QIANDAO_LIGHTHOUSE_DIR", Path.home() / ".cache" / "qiandao-lighthouse"))
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run", "--disable-component-update", "--disable-sync"]
LH_KEYS = ("performance", "accessibility", "best_practices", "seo", "lcp_ms", "tbt_ms", "cls", "bytes", "requests")


def lighthouse_cli(log) -> Path:
    """The pinned Lighthouse, installed with npm into a cache folder outside the repository when missing."""
    cli = LH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    pkg = LH_DIR / "node_modules" / "lighthouse" / "package.json"
    if not cli.exists() or json.loads(pkg.read_text())["version"] != LH_VERSION:
        if not shutil.which("npm"):
            raise RuntimeError("npm is missing: install Node.js to run Lighthouse")
        log(f"installing lighthouse@{LH_VERSION} into {LH_DIR}")
        LH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "i", "-E", f"lighthouse@{LH_VERSION}", "--no-audit", "--no-fund", "--prefix",
                        str(LH_DIR)], check=True, stdout=subprocess.DEVNULL, timeout=600)
    return cli


class SignedInChrome:
    """A Chromium with a fresh profile, signed in through the app's form, for Lighthouse to attach to.

    The app keeps who is signed in in localStorage besides the cookie, so a cookie alone shows the sign-in
    form. The service worker, Cache Storage and HTTP cache of the sign-in visit are cleared: a first load.
    """

    def __init__(self, base: str, phone: str, password: str, tmp: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        profile = tempfile.mkdtemp(prefix="chrome-", dir=tmp)
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--remote-debugging-port={self.port}",
                                      f"--user-data-dir={profile}", "about:blank"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait()
            from playwright.sync_api import sync_playwright
            with sync_playwright() as p:
                b = p.chromium.connect_over_cdp(f"http://127.0.0.1:{self.port}")
                ctx = b.contexts[0]
                page = ctx.new_page()
                sign_in(page, base, phone, password)
                page.evaluate("""async () => {
                  for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
                  for (const k of await caches.keys()) await caches.delete(k); }""")
                ctx.new_cdp_session(page).send("Network.clearBrowserCache")
                page.close()
                b.close()  # disconnects; the browser stays for Lighthouse
        except Exception:
            self.stop()
            raise

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/version", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Chromium's debugging port did not answer")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this script started
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def lighthouse_once(cli: Path, url: str, cookie: str | None, out: Path, port: int | None) -> dict:
    cmd = ["node", str(cli), url, "--output=json", f"--output-path={out}", "--quiet", "--max-wait-for-load=60000",
           "--only-categories=performance,accessibility,best-practices,seo"]
    if port:  # attach to the signed-in Chromium and keep its localStorage
        cmd += [f"--port={port}", "--disable-storage-reset"]
    else:
        cmd.append("--chrome-flags=" + " ".join(FLAGS))
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    done = subprocess.run(cmd, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                          timeout=300)
    if done.returncode or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr[-1500:]}")
    lhr = json.loads(out.read_text())
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {lhr['runtimeError']}")
    cats, audits = lhr["categories"], lhr["audits"]
    failing = sorted(a for a, v in audits.items() if v.get("score") is not None and v["score"] < 0.9
                     and v.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    return {"performance": cats["performance"]["score"], "accessibility": cats["accessibility"]["score"],
            "best_practices": cats["best-practices"]["score"], "seo": cats["seo"]["score"],
            "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
            "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "bytes": audits["total-byte-weight"]["numericValue"],
            "requests": len(audits["network-requests"].get("details", {}).get("items", [])), "failing": failing,
            "final_url": lhr.get("finalDisplayedUrl") or lhr.get("finalUrl")}


def median_of(runs: list[dict]) -> dict:
    out = {k: statistics.median(r[k] for r in runs) for k in LH_KEYS}
    counts: dict[str, int] = {}
    for r in runs:
        for a in r["failing"]:
            counts[a] = counts.get(a, 0) + 1
    out["failing"] = sorted(a for a, n in counts.items() if n * 2 > len(runs))  # failing in most runs
    return out


def run_lighthouse(srv, event_id: int, members, runs: int, tmp: Path, errors: list, log) -> list:
    cli = lighthouse_cli(log)
    u = srv.url
    pages = [("`/` signed out", None, lambda: u + "/"),
             ("`/` member home, signed in", lambda: MEMBER, lambda: u + "/"),
             ("`/s/<token>` signed in (a first check-in)", members.take, lambda: srv.token_url(event_id)),
             ("`/app/staff/live.html`", lambda: ORGANIZER, lambda: f"{u}/app/staff/live.html?event={event_id}"),
             ("`/app/staff/events.html`", lambda: ORGANIZER, lambda: u + "/app/staff/events.html"),
             ("`/app/admin/report.html`", lambda: ADMIN, lambda: u + "/app/admin/report.html")]
    rows = []
    for i, (name, who, url) in enumerate(pages):
        done = []
        for n in range(runs):
            log(f"lighthouse {name} run {n + 1}/{runs}")
            chrome = None
            try:
                phone = who() if who else None
                if phone:
                    chrome = SignedInChrome(u, phone, PASSWORD, tmp)
                cookie = srv.cookie(phone) if phone else None
                done.append(lighthouse_once(cli, url(), cookie, tmp / f"lh-{i}-{n}.json",
                                            chrome.port if chrome else None))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                errors.append(f"lighthouse {name}: {e}")
            finally:
                if chrome:
                    chrome.stop()
        rows.append({"page": name, "runs": done, **(median_of(done) if done else {"failing": []})})
    return rows
