"""The app as a phone sees it: serve a checkout, run Lighthouse, axe, the slow-phone scan and 200 % text.

Run through scripts/phone_audit (it picks the virtualenv). Method: ../shared/audits/phone.md, issue 11 item 15.
"""
import argparse
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import phone_audit_browser as browser  # noqa: E402  (sibling modules, after the path set-up)
from phone_audit_browser import ADMIN, MEMBER, ORGANIZER, PASSWORD  # noqa: E402
from phone_audit_lighthouse import LH_KEYS, LH_VERSION, run_lighthouse  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SECTIONS = ("lighthouse", "axe", "scan", "text")


def log(msg: str) -> None:
    print(f"[phone_audit {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """The checkout served as its scripts/serve serves it, on loopback, with a fresh SQLite database."""

    def __init__(self, repo: Path, python: str, tmp: Path):
        self.repo, self.tmp = repo, tmp
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        drop = ("DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "APP_ENV", "FLASK_APP", "FLASK_DEBUG")
        self.env = {k: v for k, v in os.environ.items() if k not in drop}
        self.env.update(PORT=str(port), PUBLIC_BASE_URL=self.url, SECRET_KEY=secrets.token_urlsafe(48),
                        DATABASE_URL=f"sqlite:///{tmp}/qiandao.db", PYTHONDONTWRITEBYTECODE="1")
        for step in (["db", "upgrade"], ["demo"]):
            done = subprocess.run([python, "-m", "flask", "--app", "wsgi", *step], cwd=repo, env=self.env,
                                  capture_output=True, text=True, timeout=300)
            if done.returncode:
                raise RuntimeError(f"flask {' '.join(step)} failed in {repo}:\n{done.stderr[-2000:]}")
        self.log_path = tmp / "gunicorn.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop())
        # Its own gunicorn.conf.py; only the address is narrowed to loopback (the CLI overrides the file).
        self.proc = subprocess.Popen([python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind",
                                      f"127.0.0.1:{port}", "wsgi:app"], cwd=repo, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 90 s")

    def mark(self) -> int:
        return self.log_path.stat().st_size

    def traffic(self, since: int) -> dict:
        """Requests the server logged after a mark (every client: the page and its service worker)."""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        paths = re.findall(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD) (\S+) HTTP/[\d.]+" \d{3}', text)
        return {"requests": len(paths), "paths": paths}

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this script started
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()

    # --- API helpers, as the demo's people ---
    def session(self, phone: str) -> requests.Session:
        s = requests.Session()
        r = s.post(self.url + "/api/v1/auth/login", json={"phone": phone, "password": PASSWORD}, timeout=30)
        if r.status_code != 200:
            raise RuntimeError(f"sign-in of {phone} answered {r.status_code}: {r.text[:200]}")
        return s

    def cookie(self, phone: str) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.session(phone).cookies)

    def open_party_day(self) -> int:
        r = self.session(ORGANIZER).get(self.url + "/api/v1/events", params={"open_now": "true", "kind": "party_day"},
                                        timeout=30)
        items = r.json().get("items") or []
        if r.status_code != 200 or not items:
            raise RuntimeError(f"no open party day in the demo: {r.status_code} {r.text[:200]}")
        return items[0]["id"]

    def token_url(self, event_id: int) -> str:
        """The URL the venue screen shows right now (rotating token), fetched as the organizer."""
        r = self.session(ORGANIZER).get(f"{self.url}/api/v1/events/{event_id}/qr-token", params={"direction": "in"},
                                        timeout=30)
        if r.status_code != 200:
            raise RuntimeError(f"qr-token answered {r.status_code}: {r.text[:200]}")
        return r.json()["url"]


class Members:
    """Hands out demo members who have not scanned yet, so every measured scan is a first check-in."""

    def __init__(self):
        self.next = 102  # 101 is the member whose home, records and community pages are measured

    def take(self) -> str:
        if self.next > 130:
            raise RuntimeError("out of demo members (lower --runs)")
        self.next += 1
        return f"13900000{self.next - 1}"


# --- tables ---
def fmt(v, kind: str = "") -> str:
    if v is None:
        return "–"
    if kind == "score":
        return f"{v * 100:.0f}"
    if kind == "cls":
        return f"{v:.3f}"
    if kind == "s":
        return f"{v:.2f} s"
    return f"{v:,.0f}"


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def lighthouse_table(rows: list, runs: int) -> str:
    body = [[r["page"], *(fmt(r.get(k), "score") for k in LH_KEYS[:4]), fmt(r.get("lcp_ms")), fmt(r.get("tbt_ms")),
             fmt(r.get("cls"), "cls"), fmt(r.get("bytes")), fmt(r.get("requests")),
             ", ".join(f"`{a}`" for a in r["failing"]) or "none"] for r in rows]
    return (f"## Lighthouse {LH_VERSION}, mobile preset (medians of {runs})\n\n"
            + table(["page", "perf", "a11y", "best pr.", "SEO", "LCP ms", "TBT ms", "CLS", "bytes", "requests",
                     "failing audits"], body))


def axe_table(rows: list) -> str:
    body = [[r["page"], *(str(r["impacts"].get(k, 0)) for k in ("critical", "serious", "moderate", "minor")),
             ", ".join(f"{v['id']} ({v['impact']}, {v['nodes']})" for v in r["violations"]
                       if v["impact"] in ("serious", "critical")) or "–"] for r in rows]
    return "## axe-core (violations by impact)\n\n" + table(
        ["page", "critical", "serious", "moderate", "minor", "serious/critical"], body)


def scan_table(scan: dict, runs: int) -> str:
    body = []
    for key, label in (("cold", "cold: signed out, first visit, sign-in form, submit"),
                       ("warm", "warm: signed in, service worker in control, new token")):
        m = scan.get(key)
        if not m:
            continue
        detail = (f"form shown {fmt(m['form_s'], 's')}, answer {fmt(m['after_submit_s'], 's')} after submit"
                  if key == "cold" else "")
        body.append([label, fmt(m["total_s"], "s"), detail, fmt(m["requests"]), fmt(m["bytes"]),
                     fmt(m["server_requests"]), m["answer"]])
    return (f"## The member's scan on a slow phone (150 ms, 1.6/0.75 Mbit/s, 4x CPU; medians of {runs})\n\n"
            + table(["path", "to answer", "detail", "page requests", "page bytes", "server requests",
                     "answer"], body))


def text_table(rows: list) -> str:
    body = [[r["page"], str(len(r["problems"])), str(r["not_scaled"]),
             "<br>".join(r["problems"][:8]) + (" …" if len(r["problems"]) > 8 else "") or "–"] for r in rows]
    return "## 200 % text at 390 px (every font size doubled)\n\n" + table(
        ["page", "problems", "text not growing with the root size", "what fails"], body)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repo", type=Path, default=HERE, help="checkout to serve and measure (default: this one)")
    ap.add_argument("--runs", type=int, default=3, help="runs per Lighthouse page and scan path (1-9, medians)")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ", ".join(SECTIONS))
    ap.add_argument("--python", default=sys.executable, help="python with the app's requirements")
    ap.add_argument("--json", type=Path, default=HERE / "bench-results" / "phone-latest.json")
    args = ap.parse_args()
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    if not 1 <= args.runs <= 9 or set(only) - set(SECTIONS):
        ap.error("--runs is 1-9; --only takes " + ", ".join(SECTIONS))
    if not os.path.exists(CHROMIUM):
        print(f"phone_audit: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    repo = args.repo.resolve()
    started = time.monotonic()
    errors: list[str] = []
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "repo": str(repo), "runs": args.runs,
              "commit": subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                                       text=True).stdout.strip(),
              "load_before": os.getloadavg(), "host": platform.node(), "cpus": os.cpu_count()}
    tables = []
    with tempfile.TemporaryDirectory(prefix="phone-audit-") as tmp_s:
        tmp = Path(tmp_s)
        log(f"serving {repo} ({result['commit']})")
        srv = AppServer(repo, args.python, tmp)
        try:
            event_id, members = srv.open_party_day(), Members()
            log(f"serving on {srv.url}; open party day {event_id}")
            if "lighthouse" in only:
                result["lighthouse"] = run_lighthouse(srv, event_id, members, args.runs, tmp, errors, log)
                tables.append(lighthouse_table(result["lighthouse"], args.runs))
            ctx = browser.Audit(srv, event_id, members, PASSWORD, MEMBER, ORGANIZER, ADMIN, log, errors)
            with ctx:
                if "axe" in only:
                    result["axe"] = ctx.axe_pages()
                    tables.append(axe_table(result["axe"]))
                if "scan" in only:
                    result["scan"] = ctx.scan_paths(args.runs)
                    tables.append(scan_table(result["scan"], args.runs))
                if "text" in only:
                    result["text"] = ctx.text_200()
                    tables.append(text_table(result["text"]))
        except Exception as e:  # a harness failure: report what was measured, then fail
            errors.append(f"harness: {type(e).__name__}: {e}")
        finally:
            srv.stop()
    result.update(errors=errors, seconds=round(time.monotonic() - started, 1), load_after=os.getloadavg())
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    load = ", ".join(f"{x:.2f}" for x in result["load_after"])
    print(f"# Phone audit of {repo} ({result['commit']}), {result['when']}\n\n"
          f"{args.runs} run(s) per page; {result['seconds']:.0f} s; load average at the end {load} "
          f"on {result['cpus']} CPUs.\n")
    print("\n\n".join(tables))
    if errors:
        print("\n## Harness errors\n\n" + "\n".join(f"- {e}" for e in errors))
    print(f"\nJSON: {args.json}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
