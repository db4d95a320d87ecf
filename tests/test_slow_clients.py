"""The app as scripts/serve starts it (gunicorn.conf.py, nothing in front) stays up while a handful of
clients trickle their requests in: a member's request still gets its answer at once."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.live import ROOT, free_port
from tests.support import SECRET

SLOW_CLIENTS = 10


def _ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


def test_slow_clients_do_not_take_the_app_down(db_url, app):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "WEB_CONCURRENCY": "5"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    slow: list[socket.socket] = []
    try:
        _ready(port)
        for _ in range(SLOW_CLIENTS):  # twice as many as sync workers: each would hold one for 30 s
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n")
            slow.append(sock)
        time.sleep(1)
        for sock in slow:
            sock.sendall(b"X-Slow: 1\r\n")  # still sending headers, a byte at a time as far as anyone knows
        started = time.monotonic()
        for _ in range(5):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:  # noqa: S310
                assert resp.status == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in slow:
            sock.close()
        proc.terminate()
        proc.wait(timeout=30)
