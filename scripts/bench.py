"""Benchmark Qiandao's front door against a bare Flask endpoint under the same gunicorn settings.

Run it through `scripts/bench` (see `scripts/bench --help`). On loopback only; every wrk run
lasts at most 15 s. For each database (SQLite file, PostgreSQL database created and dropped
here) it starts the app under gunicorn with its production configuration, seeds members and
events through the app's models (scripts/bench_seed.py), logs members in through HTTP once,
drives POST /api/v1/scans with wrk (scripts/bench_scan.lua: a different member and a fresh
client_scan_id on every request), then times the organizer's attendance list of a
10,000-attendance event. QR image generation is timed in process. Prints a table and writes
JSON to bench-results/.
"""
import argparse
import collections
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench-results"
WORK = RESULTS / "work"
VENV_BIN = Path(sys.executable).parent
LUA = ROOT / "scripts" / "bench_scan.lua"
CONF = ROOT / "gunicorn.conf.py"
MAX_WRK_SECONDS = 15
TARGETS = {"scan_ratio": 0.40, "scan_p99_ms": 100.0, "attendance_ms": 150.0, "qr_png_ms": 5.0}

import requests  # noqa: E402  (after the path set-up, like the app imports below)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- processes

def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


CLK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """utime + stime of one process, in seconds (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def machine_busy_s() -> float:
    with open("/proc/stat") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    return (sum(parts[:8]) - idle) / CLK


def postgres_pids(db_name: str) -> list[int]:
    """Backends serving our database plus PostgreSQL's own background processes (WAL writer, ...)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmd.startswith("postgres: ") and (f" {db_name} " in cmd or "(" not in cmd):
            pids.append(int(entry))
    return pids


class CpuMeter:
    """CPU spent during a run by the server under test (gunicorn master + workers, and our PostgreSQL
    backends), by wrk, and by everything else on the machine (other people's work disturbs figures)."""

    def __init__(self, server_pid: int, db_name: str | None):
        self.server_pid, self.db_name = server_pid, db_name

    def _pids(self) -> tuple[set[int], set[int]]:
        return ({self.server_pid, *children_of(self.server_pid)},
                set(postgres_pids(self.db_name)) if self.db_name else set())

    def __enter__(self):
        self.app_pids, self.db_pids = self._pids()
        self.t0, self.busy0 = time.monotonic(), machine_busy_s()
        self.cpu0 = {p: proc_cpu_s(p) for p in self.app_pids | self.db_pids}
        self.children0 = _children_cpu_s()
        return self

    def __exit__(self, *exc):
        app_pids, db_pids = self._pids()
        self.app_s = sum(proc_cpu_s(p) - self.cpu0.get(p, 0.0) for p in self.app_pids | app_pids)
        self.db_s = sum(proc_cpu_s(p) - self.cpu0.get(p, 0.0) for p in self.db_pids | db_pids)
        self.server_s = self.app_s + self.db_s
        self.wall = time.monotonic() - self.t0
        self.busy = machine_busy_s() - self.busy0
        self.wrk_s = _children_cpu_s() - self.children0
        self.other_s = max(0.0, self.busy - self.server_s - self.wrk_s)


QUIET = {"max_wait": 60.0, "threshold": 0.3}


def wait_for_quiet() -> float:
    """Wait (up to QUIET['max_wait'] s) until the machine's other work stays under the threshold
    (in cores) for 3 s, so that neighbours' test runs do not land in a measurement. Returns the
    background load seen last (the server under test is idle while this runs)."""
    deadline, calm, load = time.monotonic() + QUIET["max_wait"], 0, 0.0
    while True:
        b0, t0 = machine_busy_s(), time.monotonic()
        time.sleep(1.0)
        load = (machine_busy_s() - b0) / (time.monotonic() - t0)
        calm = calm + 1 if load < QUIET["threshold"] else 0
        if calm >= 3 or time.monotonic() > deadline:
            if calm < 3:
                log(f"the machine is busy ({load:.2f} cores of other work): measuring anyway")
            return round(load, 2)


def _children_cpu_s() -> float:
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py (if present) on a loopback port."""

    def __init__(self, app_spec: str, env: dict, name: str, ready_path: str, workers: int | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [str(VENV_BIN / "gunicorn")]
        if CONF.exists():
            cmd += ["-c", str(CONF)]
            self.settings = f"{CONF.name}"
        else:
            cmd += ["-k", "sync", "--keep-alive", "5", "--timeout", "30", "-w", str(workers or 5)]
            self.settings = "flags: sync, 5 workers"
        if workers:
            cmd += ["-w", str(workers)]
        cmd += ["-b", f"127.0.0.1:{self.port}", app_spec]
        self.log_path = WORK / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**env, "PUBLIC_BASE_URL": self.url},
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {name} exited; see {self.log_path}:\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                if requests.get(self.url + ready_path, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn {name} did not answer {ready_path} in 60 s; see {self.log_path}")
        self.workers = children_of(self.proc.pid)
        self.worker_class, self.nworkers = self._describe()

    def _describe(self) -> tuple[str, int]:
        deadline = time.time() + 30  # /healthz answered by the first worker; wait until all have booted
        last, stable_since = -1, time.time()
        while time.time() < deadline:
            text = self.log_path.read_text()
            booted = len(re.findall(r"Booting worker with pid", text))
            if booted != last:
                last, stable_since = booted, time.time()
            elif time.time() - stable_since > 1.0 and len(children_of(self.proc.pid)) >= booted:
                break
            time.sleep(0.1)
        m = re.search(r"Using worker: (\S+)", text)
        self.workers = children_of(self.proc.pid)
        return (m.group(1) if m else "?"), booted

    def peak_rss_mb(self) -> float:
        """Largest peak resident set (VmHWM) among the current workers."""
        return max((status_kb(p, "VmHWM") for p in children_of(self.proc.pid)), default=0) / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


# --------------------------------------------------------------------------- wrk

def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: installing Debian's wrk with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
        path = shutil.which("wrk")
        if path:
            return path
    sys.exit("scripts/bench: wrk is not installed (as root: apt-get install wrk)")


def lua_str(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._~=+/:;%\- ]*", value):
        raise ValueError(f"unexpected characters for the Lua table: {value!r}")
    return '"' + value + '"'


def write_lua_data(path: Path, mode: str, url_path: str, cookies: list[str], csrf: list[str],
                   tokens: list[str], offset: int) -> None:
    with open(path, "w") as fh:
        fh.write("return {\n")
        fh.write(f"mode = {lua_str(mode)}, path = {lua_str(url_path)}, run = {lua_str(secrets.token_hex(4))},\n")
        fh.write(f"offset = {offset}, members = {len(cookies)},\n")
        for name, values in (("cookies", cookies), ("csrf", csrf), ("tokens", tokens)):
            fh.write(f"{name} = {{\n")
            for v in values:
                fh.write(f"  {lua_str(v)},\n")
            fh.write("},\n")
        fh.write("}\n")


def run_wrk(server: "Gunicorn", data_path: Path, seconds: int, connections: int, threads: int,
            db_name: str | None = None, prepare=None, quiet: bool = True) -> dict:
    """One wrk run; prepare() writes the Lua data right before it (after any wait for a quiet
    machine), so that rotating QR tokens are fresh when the load starts."""
    seconds = min(seconds, MAX_WRK_SECONDS)
    threads = min(threads, connections)
    cmd = [wrk_binary(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
           "-s", str(LUA), server.url]
    background = wait_for_quiet() if quiet and seconds >= 5 else None
    if prepare:
        prepare()
    with CpuMeter(server.proc.pid, db_name) as cpu:
        out = subprocess.run(cmd, env={**os.environ, "BENCH_DATA": str(data_path), "BENCH_THREADS": str(threads)},
                             capture_output=True, text=True, timeout=seconds + 60)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            r = json.loads(line[len("BENCH_JSON "):])
            break
    else:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    secs = r["duration_us"] / 1e6
    ok = sum(n for code, n in r["statuses"].items() if 200 <= int(code) < 300)
    errors = r["errors"]
    return {
        "connections": connections, "threads": threads, "seconds": round(secs, 2), "requests": r["requests"],
        "rps": round(r["requests"] / secs, 1), "accepted_per_s": round(ok / secs, 1),
        "statuses": dict(sorted(r["statuses"].items())), "non_2xx": r["requests"] - ok,
        "socket_errors": {k: v for k, v in errors.items() if k != "status" and v},
        "errors": sum(v for k, v in errors.items() if k != "status"),
        "p50_ms": r["latency_us"]["p50"] / 1000, "p90_ms": r["latency_us"]["p90"] / 1000,
        "p99_ms": r["latency_us"]["p99"] / 1000, "max_ms": r["latency_us"]["max"] / 1000,
        "mean_ms": round(r["latency_us"]["mean"] / 1000, 2),
        "bytes_per_response": round(r["bytes"] / max(1, r["requests"])),
        # server CPU per request is steadier than throughput when the machine is shared
        "server_cpu_ms_per_req": round(1000 * cpu.server_s / max(1, r["requests"]), 3),
        "app_cpu_ms_per_req": round(1000 * cpu.app_s / max(1, r["requests"]), 3),
        "db_cpu_ms_per_req": round(1000 * cpu.db_s / max(1, r["requests"]), 3),
        "cpu_s": {"gunicorn": round(cpu.app_s, 2), "postgres": round(cpu.db_s, 2), "wrk": round(cpu.wrk_s, 2),
                  "other": round(cpu.other_s, 2), "wall": round(cpu.wall, 2)},
        "other_load_cores": round(cpu.other_s / cpu.wall, 2),
        "background_before_cores": background,
    }


# --------------------------------------------------------------------------- app under test

def login_all(base: str, phones: list[str], password: str, parallel: int = 8) -> tuple[list[str], list[str]]:
    """Log each member in once through HTTP; returns (Cookie header values, CSRF tokens)."""
    def one(phone: str) -> tuple[str, str]:
        for attempt in range(5):
            try:
                resp = requests.post(base + "/api/v1/auth/login", json={"phone": phone, "password": password},
                                     timeout=30)
            except requests.ConnectionError:
                time.sleep(0.2 * (attempt + 1))
                continue
            if resp.status_code != 200:
                raise RuntimeError(f"login of {phone} failed: HTTP {resp.status_code} {resp.text[:200]}")
            return "qiandao_session=" + resp.cookies["qiandao_session"], resp.json()["csrf_token"]
        raise RuntimeError(f"login of {phone}: connection refused five times")

    with ThreadPoolExecutor(parallel) as pool:
        pairs = list(pool.map(one, phones))
    return [c for c, _ in pairs], [t for _, t in pairs]


def event_tokens(secret: str, event_ids: list[int], rotate: int) -> list[str]:
    """The tokens the events' screens show right now (rotating codes, current window)."""
    from server.common import qrtoken
    window = int(time.time()) // rotate
    return [qrtoken.sign(secret, qrtoken.Token(qrtoken.PURPOSE_EVENT, eid, 1, window, "in", False))
            for eid in event_ids]


def app_env(db_url: str, secret: str, redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "SECRET_KEY")}
    env.update({"APP_ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": db_url})
    if redis_url:  # counters expire within a minute; the prefix keeps them apart once the config reads it
        env.update({"REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": f"qiandao-bench-{secrets.token_hex(3)}"})
    return env


def pg_admin(url: str, statement: str) -> None:
    import psycopg
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


class Database:
    """A throw-away database for one backend."""

    def __init__(self, backend: str, pg_admin_url: str):
        self.backend, self.admin = backend, pg_admin_url
        tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.pg_name = None
        if backend == "sqlite":
            self.path = WORK / f"bench_{tag}.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = self.pg_name = f"qiandao_bench_{tag}"
            pg_admin(pg_admin_url, f'CREATE DATABASE "{self.name}"')
            self.url = pg_admin_url.rsplit("/", 1)[0] + "/" + self.name

    def version(self) -> str:
        if self.backend == "sqlite":
            return "SQLite " + sqlite3.sqlite_version + " (WAL)"
        import psycopg
        with psycopg.connect(self.url) as conn:
            return "PostgreSQL " + conn.execute("show server_version").fetchone()[0]

    def drop(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        else:
            pg_admin(self.admin, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def bench_backend(backend: str, args, bare: dict) -> dict:
    log(f"{backend}: creating the database and seeding {args.members} members")
    db = Database(backend, args.pg_admin_url)
    secret = secrets.token_hex(32)
    result: dict = {"backend": backend}
    server = None
    try:
        result["database"] = db.version()
        seed_out = WORK / f"seed_{backend}.json"
        t0 = time.perf_counter()
        seeded = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_seed.py"), db.url, secret,
                                 str(seed_out), "--members", str(args.members), "--scan-events", str(args.scan_events)],
                                cwd=ROOT, env={**app_env(db.url, secret, None), "APP_ENV": "development"},
                                capture_output=True, text=True)
        if seeded.returncode != 0:
            raise RuntimeError("seeding failed: " + seeded.stderr.strip()[-1500:])
        seed = json.loads(seed_out.read_text())
        result["seed_seconds"] = round(time.perf_counter() - t0, 1)
        server = Gunicorn("wsgi:app", app_env(db.url, secret, args.redis), f"app_{backend}", "/healthz", args.workers)
        result["gunicorn"] = {"settings": server.settings, "worker_class": server.worker_class,
                              "workers": server.nworkers}
        phones = seed["member_phones"][:args.login]
        log(f"{backend}: logging {len(phones)} members in through HTTP")
        t0 = time.perf_counter()
        cookies, csrf = login_all(server.url, phones, seed["password"])
        result["login_per_s"] = round(len(phones) / (time.perf_counter() - t0), 1)
        org_cookie, org_csrf = login_all(server.url, [seed["organizer_phone"]], seed["password"], 1)

        data = WORK / f"scan_{backend}.lua"
        offset = 0

        def prepare():
            write_lua_data(data, "scan", "/api/v1/scans", cookies, csrf,
                           event_tokens(secret, seed["scan_event_ids"], seed["rotate_seconds"]), offset)

        if args.warmup:
            warm = run_wrk(server, data, args.warmup, args.connections, args.threads, db.pg_name, prepare)
            offset += warm["requests"] + 1000
        log(f"{backend}: wrk POST /api/v1/scans, {args.connections} connections, {args.duration} s")
        scan = run_wrk(server, data, args.duration, args.connections, args.threads, db.pg_name, prepare)
        offset += scan["requests"] + 1000
        scan["ratio_to_bare"] = round(scan["accepted_per_s"] / bare["rps"], 3) if bare.get("rps") else None
        scan["cpu_ratio_to_bare"] = round(bare["server_cpu_ms_per_req"] / scan["server_cpu_ms_per_req"], 3)
        scan["worker_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        result["scan"] = scan
        fresh = scan["statuses"].get("201", 0)
        log(f"{backend}: {scan['accepted_per_s']} accepted/s ({fresh} new check-ins), p50 {scan['p50_ms']} ms, "
            f"p99 {scan['p99_ms']} ms, ratio {scan['ratio_to_bare']}")

        if args.profile:
            result["profile"] = profile_run(server, data, backend, args, secret, seed, cookies, csrf, offset,
                                            db.pg_name)

        result["attendance"] = bench_attendance(server, seed, org_cookie[0], backend, args, db.pg_name)
        result["worker_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        server.stop()
        server = None
        floor = bench_write_floor(backend, db, secret, args, cookies, csrf)
        result["floor"] = floor
        scan["ratio_to_floor"] = round(scan["accepted_per_s"] / floor["rps"], 3) if floor.get("rps") else None
        log(f"{backend}: scan / write floor {scan['ratio_to_floor']}")
    finally:
        if server:
            server.stop()
        if not args.keep:
            db.drop()
    return result


def bench_attendance(server: Gunicorn, seed: dict, cookie: str, backend: str, args, db_name: str | None) -> dict:
    path = f"/api/v1/events/{seed['attendance_event_id']}/attendance"
    resp = requests.get(server.url + path, headers={"Cookie": cookie}, timeout=60)
    out = {"path": path, "attendances": seed["attendance_rows"], "probe_status": resp.status_code}
    if resp.status_code != 200:
        out["missing"] = True
        out["note"] = f"GET {path} answered HTTP {resp.status_code}: {resp.text[:160]}"
        log(f"{backend}: attendance endpoint not measurable: {out['note']}")
        return out
    out["bytes"] = len(resp.content)
    out["items_seen"] = _count_items(resp.json())
    data = WORK / f"get_{backend}.lua"
    write_lua_data(data, "get", path, [cookie], [""], ["x"], 0)
    log(f"{backend}: wrk GET {path} (1 connection, {args.attendance_duration} s)")
    out.update(run_wrk(server, data, args.attendance_duration, 1, 1, db_name))
    log(f"{backend}: attendance list p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms, {out['bytes']} bytes")
    return out


def _count_items(body) -> int | None:
    """Length of the longest list in the answer (the attendance rows, whatever the key)."""
    best = None
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            best = max(best or 0, len(node))
        elif isinstance(node, dict):
            stack.extend(node.values())
    return best


# --------------------------------------------------------------------------- profiling

def profile_run(server: Gunicorn, data: Path, backend: str, args, secret, seed, cookies, csrf, offset,
                db_name: str | None) -> dict:
    """Sample every worker with py-spy during one extra wrk run (figures of that run are not reported)."""
    spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    if not Path(spy).exists():
        log("py-spy is not installed: no profile (pip install py-spy into .venv)")
        return {"error": "py-spy not installed"}
    raw = RESULTS / f"profile-{backend}.txt"
    seconds = min(args.duration, 10)
    cmd = [spy, "record", "--pid", str(server.proc.pid), "--subprocesses", "--idle", "--rate", "250",
           "--duration", str(seconds + 1), "--format", "raw", "--output", str(raw), "--nonblocking"]
    wait_for_quiet()
    write_lua_data(data, "scan", "/api/v1/scans", cookies, csrf,
                   event_tokens(secret, seed["scan_event_ids"], seed["rotate_seconds"]), offset)
    spy_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)
    run = run_wrk(server, data, seconds, args.connections, args.threads, db_name, quiet=False)
    spy_proc.wait(60)
    if not raw.exists():
        return {"error": spy_proc.stderr.read().decode()[-500:]}
    summary = summarize_profile(raw)
    summary["run"] = {k: run[k] for k in ("rps", "p50_ms", "p99_ms")}
    (RESULTS / f"profile-{backend}.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    log(f"{backend}: profile written to {raw} and profile-{backend}.json")
    return summary


_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
BUCKETS = [  # (label, predicate on one frame "func (file:line)"); the frame nearest the leaf decides
    ("database driver: SQL round trips, waits for locks and fsync", lambda f: "psycopg" in f or (
        "sqlalchemy/engine/default.py" in f and ("do_execute" in f or "do_commit" in f or "do_rollback" in f))),
    ("session cookie (itsdangerous, tagged JSON)", lambda f: "itsdangerous" in f or "flask/json/tag.py" in f
     or "flask/sessions.py" in f),
    ("rate limiter (limits, memory storage timer thread)", lambda f: "limits/" in f or "flask_limiter" in f
     or "threading.py" in f),
    ("marshmallow / webargs schemas", lambda f: "marshmallow/" in f or "webargs/" in f or "apispec" in f),
    ("SQLAlchemy ORM (unit of work, loading)", lambda f: "sqlalchemy/orm" in f),
    ("SQLAlchemy Core (statement build, compile cache, results)", lambda f: "sqlalchemy/" in f),
    ("JSON encode/decode", lambda f: "json/" in f),
    ("logging", lambda f: "logging/" in f or "glogging" in f),
    ("application code (server/*)", lambda f: "/server/" in f),
    ("werkzeug / flask / flask-smorest plumbing", lambda f: "werkzeug/" in f or "flask/" in f
     or "flask_smorest" in f or "flask_sqlalchemy" in f),
    ("gunicorn request parsing and socket writes", lambda f: "gunicorn/" in f),
]


def _bucket(frames: list[str]) -> str:
    for f in reversed(frames):
        for label, pred in BUCKETS:
            if pred(f):
                return label
    return "other"


def summarize_profile(raw: Path) -> dict:
    """Where a busy worker's time goes: share of samples inside request handling, by bucket and function."""
    total = handling = idle_wait = 0
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    buckets: collections.Counter = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        if not any("handle_request (" in f for f in frames):
            idle_wait += n
            continue
        handling += n
        seen = set()
        for f in frames:
            key = _short(f)
            if key not in seen:
                inclusive[key] += n
                seen.add(key)
        own[_short(frames[-1])] += n
        buckets[_bucket(frames)] += n
    pct = (lambda n: round(100 * n / handling, 1)) if handling else (lambda n: 0)
    app_funcs = {k: pct(v) for k, v in inclusive.most_common(400)
                 if "server/" in k or "flask_sqlalchemy" in k}
    return {
        "samples": total, "in_request_samples": handling, "idle_or_accept_samples": idle_wait,
        "buckets_pct_of_request": {k: pct(v) for k, v in buckets.most_common()},
        "app_functions_inclusive_pct": dict(list(app_funcs.items())[:30]),
        "top_inclusive_pct": {k: pct(v) for k, v in inclusive.most_common(45)},
        "top_self_pct": {k: pct(v) for k, v in own.most_common(25)},
    }


def _short(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()[:120]
    path = m.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


# --------------------------------------------------------------------------- QR images

def bench_qr(count: int) -> dict:
    from server.common import qrtoken
    try:
        from server.common.qrimage import png_bytes, svg_bytes
        source = "server/common/qrimage.py"
    except ImportError:
        import io

        import qrcode
        from qrcode.image.svg import SvgPathFillImage
        source = "qrcode library directly"

        def png_bytes(url):
            buf = io.BytesIO()
            qrcode.make(url).save(buf, format="PNG")
            return buf.getvalue()

        def svg_bytes(url):
            buf = io.BytesIO()
            qrcode.make(url, image_factory=SvgPathFillImage).save(buf)
            return buf.getvalue()

    window = int(time.time()) // 20
    urls = ["https://qiandao.example.cn/s/" + qrtoken.sign("bench", qrtoken.Token(1, 1000 + i, 1, window, "in", False))
            for i in range(count)]
    out = {"source": source, "url_length": len(urls[0])}
    for name, fn in (("png", png_bytes), ("svg", svg_bytes)):
        fn(urls[0])
        t0 = time.perf_counter()
        size = sum(len(fn(u)) for u in urls)
        dt = time.perf_counter() - t0
        out[name] = {"images": count, "per_s": round(count / dt, 1), "ms_per_image": round(1000 * dt / count, 2),
                     "bytes": round(size / count)}
    return out


def bench_write_floor(backend: str, db, secret: str, args, cookies: list[str], csrf: list[str]) -> dict:
    """One Core insert and commit per request on the same database and gunicorn settings (issue 14, item 6)."""
    server = Gunicorn("scripts.write_floor_app:app", app_env(db.url, secret, None), f"floor_{backend}", "/floor",
                      args.workers)
    try:
        data = WORK / f"floor_{backend}.lua"
        write_lua_data(data, "scan", "/floor", cookies, csrf, ["floor-token"], 0)
        if args.warmup:
            run_wrk(server, data, args.warmup, args.connections, args.threads, db.pg_name)
        log(f"{backend}: wrk POST /floor (write floor), {args.connections} connections, {args.duration} s")
        out = run_wrk(server, data, args.duration, args.connections, args.threads, db.pg_name)
        out["worker_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        log(f"{backend}: write floor {out['rps']} req/s, p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms")
        return out
    finally:
        server.stop()


# --------------------------------------------------------------------------- bare endpoint

def bench_bare(args) -> dict:
    env = {**os.environ, "APP_ENV": "production"}
    server = Gunicorn("scripts.bare_app:app", env, "bare", "/bare", args.workers)
    try:
        data = WORK / "bare.lua"
        fake = [f"qiandao_session=bare{i}" for i in range(1000)]
        write_lua_data(data, "scan", "/bare", fake, ["x"] * 1000, ["bare-token"], 0)
        if args.warmup:
            run_wrk(server, data, args.warmup, args.connections, args.threads)
        log(f"bare: wrk POST /bare, {args.connections} connections, {args.duration} s")
        out = run_wrk(server, data, args.duration, args.connections, args.threads)
        out["worker_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        out["gunicorn"] = {"settings": server.settings, "worker_class": server.worker_class,
                           "workers": server.nworkers}
        log(f"bare: {out['rps']} req/s, p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms")
        return out
    finally:
        server.stop()


# --------------------------------------------------------------------------- report

def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_gb = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
    except OSError:
        mem_gb = 0
    wrk_v = subprocess.run([wrk_binary(), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1), "python": platform.python_version(),
            "kernel": platform.release(), "wrk": wrk_v.split(" Copyright")[0].strip(), "host": socket.gethostname()}


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def report(res: dict) -> str:
    m, a = res["machine"], res["args"]
    g = res["bare"]["gunicorn"]
    lines = [
        f"Qiandao bench {res['started_at']} (git {res['git']}) on {m['cpu']} x{m['cores']}, {m['memory_gb']} GB, "
        f"Python {m['python']}",
        f"gunicorn ({g['settings']}): {g['worker_class']} x{g['workers']}; {m['wrk']} -t{a['threads']} "
        f"-c{a['connections']} -d{a['duration']}s; {a['members']} members seeded, {a['login']} logged in",
        "",
        f"{'run':<22}{'req/s':>8}{'accept/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'ratio':>7}{'non2xx':>7}{'errors':>7}"
        f"{'RSS MB':>8}{'cpu ms/req':>11}{'other load':>11}",
    ]

    def row(name, r, ratio=None):
        lines.append(
            f"{name:<22}{r['rps']:>8.0f}{r['accepted_per_s']:>9.0f}{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}"
            f"{(f'{ratio:.3f}' if ratio is not None else '-'):>7}{r['non_2xx']:>7}{r['errors']:>7}"
            f"{r.get('worker_peak_rss_mb', 0):>8.0f}{r['server_cpu_ms_per_req']:>11.2f}"
            f"{r['other_load_cores']:>8.2f} cores")

    row("bare Flask /bare", res["bare"], 1.0)
    for b in res["backends"]:
        if "floor" in b:
            row(f"write floor {b['backend']}", b["floor"], b["floor"]["rps"] / res["bare"]["rps"])
        if "scan" in b:
            row(f"scan {b['backend']}", b["scan"], b["scan"]["ratio_to_bare"])
        else:
            lines.append(f"scan {b['backend']:<17} failed: {b.get('error', '?')}")
    lines.append("")
    for b in res["backends"]:
        if "scan" in b:
            s = b["scan"]
            lines.append(f"scan {b['backend']:<11} statuses {s['statuses']} (201 new check-in, 200 already); "
                         f"CPU per scan: gunicorn {s['app_cpu_ms_per_req']:.2f} ms + PostgreSQL "
                         f"{s['db_cpu_ms_per_req']:.2f} ms; bare/scan {s['cpu_ratio_to_bare']:.3f}")
            if s.get("ratio_to_floor"):
                lines.append(f"scan {b['backend']:<11} to bare {s['ratio_to_bare']:.3f}, to the write floor "
                             f"{s['ratio_to_floor']:.3f} (one Core insert + commit on the same database)")
    for b in res["backends"]:
        att = b.get("attendance")
        if not att:
            continue
        if att.get("missing"):
            lines.append(f"attendance 10k {b['backend']:<10} not measured: {att['note']}")
        else:
            lines.append(f"attendance 10k {b['backend']:<10} p50 {att['p50_ms']:.1f} ms, p99 {att['p99_ms']:.1f} ms "
                         f"(1 connection), {att['bytes'] // 1024} KiB, {att['items_seen']} rows, "
                         f"{att['server_cpu_ms_per_req']:.0f} ms server CPU")
    q = res.get("qr")
    if q:
        p, v = q["png"], q["svg"]
        lines += ["", f"QR PNG {p['ms_per_image']:.2f} ms/image ({p['per_s']:.0f}/s, {p['bytes']} B); "
                      f"SVG {v['ms_per_image']:.2f} ms/image ({v['per_s']:.0f}/s, {v['bytes']} B); "
                      f"{q['source']}, {q['url_length']}-char URL"]
    lines += ["", "targets:"]
    lines += [f"  {verdict(t['ok']):<5} {t['what']}: {t['measured']}" for t in res["targets"]]
    if any(r.get("other_load_cores", 0) > 0.3 for r in _runs(res)):
        lines += ["", "WARNING: other processes used > 0.3 core during a run: throughput figures are disturbed "
                      "(cpu ms/req is the steadier figure)."]
    return "\n".join(lines)


def _runs(res: dict) -> list[dict]:
    runs = [res["bare"]]
    for b in res["backends"]:
        runs += [r for r in (b.get("scan"), b.get("attendance")) if r and "rps" in r]
    return runs


def targets(res: dict) -> list[dict]:
    out = []
    for b in res["backends"]:
        s = b.get("scan")
        name = b["backend"]
        if not s:
            out.append({"what": f"scan {name}", "ok": False, "measured": b.get("error", "failed")})
            continue
        ratio = s["ratio_to_bare"] or 0
        out.append({"what": f"scan {name} >= 40% of bare", "ok": ratio >= TARGETS["scan_ratio"],
                    "measured": f"{100 * ratio:.1f}% (server CPU: {100 * s['cpu_ratio_to_bare']:.1f}%)"})
        out.append({"what": f"scan {name} p99 < 100 ms at {s['connections']} connections",
                    "ok": s["p99_ms"] < TARGETS["scan_p99_ms"], "measured": f"{s['p99_ms']:.1f} ms"})
        att = b.get("attendance") or {}
        measured = "p50_ms" in att
        out.append({"what": f"attendance of 10,000 ({name}) < 150 ms",
                    "ok": att["p99_ms"] < TARGETS["attendance_ms"] if measured else None,
                    "measured": f"p50 {att['p50_ms']} ms, p99 {att['p99_ms']} ms" if measured else att.get("note")})
    q = res.get("qr")
    if q:
        out.append({"what": "QR PNG < 5 ms", "ok": q["png"]["ms_per_image"] < TARGETS["qr_png_ms"],
                    "measured": f"{q['png']['ms_per_image']} ms"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    ap.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run (at most 15)")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each measured run")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--workers", type=int, default=None, help="override gunicorn workers (default: gunicorn.conf.py)")
    ap.add_argument("--members", type=int, default=10_000, help="members seeded (= attendances of the listed event)")
    ap.add_argument("--login", type=int, default=4000, help="members logged in to drive scans")
    ap.add_argument("--scan-events", type=int, default=8)
    ap.add_argument("--attendance-duration", type=int, default=8)
    ap.add_argument("--qr-images", type=int, default=300)
    ap.add_argument("--redis", default=None, help="REDIS_URL for the app's throttling (default: memory)")
    ap.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--profile", action="store_true", help="also sample the workers with py-spy during an extra run")
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    ap.add_argument("--max-wait-quiet", type=float, default=60.0,
                    help="seconds to wait, before each measured run, for other work on the machine to calm down")
    args = ap.parse_args()
    if args.duration > MAX_WRK_SECONDS or args.warmup > MAX_WRK_SECONDS:
        ap.error(f"wrk runs are bounded to {MAX_WRK_SECONDS} s")
    args.login = min(args.login, args.members)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # finally blocks stop servers, drop databases
    QUIET["max_wait"] = args.max_wait_quiet

    WORK.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    res = {"started_at": started.isoformat(timespec="seconds"), "machine": machine(), "args": vars(args),
           "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip()}
    res["bare"] = bench_bare(args)
    res["backends"] = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        backend = {"postgres": "postgresql", "pg": "postgresql"}.get(backend, backend)
        try:
            res["backends"].append(bench_backend(backend, args, res["bare"]))
        except Exception as exc:  # noqa: BLE001 - report and go on with the next backend
            log(f"{backend}: FAILED: {exc}")
            res["backends"].append({"backend": backend, "error": f"{type(exc).__name__}: {exc}"[:500]})
    log("QR images")
    res["qr"] = bench_qr(args.qr_images)
    res["targets"] = targets(res)
    table = report(res)
    print("\n" + table + "\n")
    name = f"bench-{started.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}.json"
    for path in (RESULTS / name, RESULTS / "latest.json"):
        path.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    (RESULTS / "latest.txt").write_text(table + "\n")
    print(f"results: {RESULTS / name}")


if __name__ == "__main__":
    main()
