"""scripts/serve's banner says the app is ready only when it answers: a person (or a phone) that tries
the address as soon as it prints gets the app, not a refused connection."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.live import ROOT, free_port
from tests.support import SECRET

MARK = "QIANDAO-READY-MARK"


def test_the_banner_comes_when_the_app_answers(db_url, app):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "QIANDAO_BANNER": MARK,
           "DATABASE_URL": db_url, "SECRET_KEY": SECRET}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        printed = 0
        for line in proc.stdout:
            if MARK in line:
                printed += 1
                break
            assert time.monotonic() < deadline, "no banner within 60 s"
        assert printed == 1
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:  # noqa: S310
            assert resp.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
