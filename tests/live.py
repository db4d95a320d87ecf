"""A real gunicorn server on loopback, sharing the test database."""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Processes whose parent is pid, read from /proc (gunicorn workers are the master's children)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:  # the process ended while we looked
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


class LiveServer:
    """gunicorn serving wsgi:app; its stderr (error log, one app log line per request) goes to a file,
    log_path or a temporary one: a pipe nobody drains fills after some 600 requests and then stalls
    every worker mid-request (a module's shared server reached that, on PostgreSQL's slower runs)."""

    def __init__(self, db_url: str, workers: int = 4, extra_env: dict | None = None, log_path=None):
        from tests.support import SECRET
        self.workers = workers
        if log_path is None:
            fd, log_path = tempfile.mkstemp(prefix="qd-gunicorn-", suffix=".log")
            os.close(fd)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "PUBLIC_BASE_URL": self.url,
               "SCAN_RATE_LIMIT": "1000/minute", "LOGIN_RATE_LIMIT_PHONE": "1000/minute",
               "EARLY_CHECKOUT_MINUTES": "0",
               "LOGIN_RATE_LIMIT_ADDR": "1000/minute",
               # the machine's shared throttle file, one per server so tests never share counters
               "THROTTLE_FILE": os.path.join(tempfile.mkdtemp(prefix="qd-throttle-"), "throttle.db"),
               **(extra_env or {})}
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "60",
             "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=self._log)
        try:
            self._wait()
        except BaseException:
            self.stop()  # never leave an orphaned server behind a failed start
            raise

    def _wait(self) -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.stderr_text()[-2000:])
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz in 30 s")

    def stderr_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid)

    def wait_for_workers(self, count: int | None = None, timeout: float = 30) -> list[int]:
        """Wait until `count` (default: all) workers are alive and the server answers; returns their pids."""
        count = count or self.workers
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = self.worker_pids()
            if len(pids) >= count:
                self._wait()
                return pids
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn has {len(self.worker_pids())} workers, expected {count}")

    def session(self, phone: str, password: str) -> requests.Session:
        s = requests.Session()
        resp = s.post(self.url + "/api/v1/auth/login", json={"phone": phone, "password": password}, timeout=10)
        resp.raise_for_status()
        s.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
        return s

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
