"""A real gunicorn server on loopback, sharing the test database."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, db_url: str, workers: int = 4, extra_env: dict | None = None):
        from tests.support import SECRET
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "PUBLIC_BASE_URL": self.url,
               "SCAN_RATE_LIMIT": "1000/minute", "LOGIN_RATE_LIMIT_PHONE": "1000/minute",
               "LOGIN_RATE_LIMIT_ADDR": "1000/minute", **(extra_env or {})}
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.proc = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "60",
             "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self._wait()
        except BaseException:
            self.stop()  # never leave an orphaned server behind a failed start
            raise

    def _wait(self) -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.proc.stderr.read().decode()[-2000:])
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz in 30 s")

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
