"""scripts/backup while a real server takes scans, then scripts/restore into a fresh database:
every scan answered before the backup started is there, and the restored database is sound."""
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
import requests
from sqlalchemy import insert

from server.auth.models import User
from server.auth.services import hash_password
from server.common import qrtoken
from server.extensions import db
from server.points.ledger import DEFAULT_RULES
from tests import support
from tests.live import ROOT, LiveServer

pytestmark = pytest.mark.slow

MEMBERS = 120
CLIENTS = 8
PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _script(name: str, db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "DATABASE_URL": db_url})


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """An empty database of the same kind as the suite's, to restore into."""
    if db_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "restored.db")
        return
    name = f"qiandao_restore_{os.getpid()}_{secrets.token_hex(3)}"
    support.pg_admin(PG_ADMIN, f'CREATE DATABASE "{name}"')
    yield db_url.rsplit("/", 1)[0] + "/" + name
    support.pg_admin(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(url: str, sql: str) -> list[tuple]:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_backup_under_load_restores_every_committed_scan(app, db_url, world, fresh_url, tmp_path):
    with app.app_context():
        pw_hash = hash_password(support.PASSWORD)
        db.session.execute(insert(User), [
            {"name": f"备份党员{i}", "phone": f"172{i:08d}", "password_hash": pw_hash, "branch_id": world.branch_a_id,
             "active": True, "session_epoch": 0} for i in range(MEMBERS)])
        db.session.commit()
        phones = list(db.session.scalars(db.select(User.phone).where(User.phone.like("172%"))))
        events = [support.make_event(world, "party_day", timedelta(minutes=-1), 2, title=f"备份日 {n}")
                  for n in range(3)]
        db.session.remove()
    live = LiveServer(db_url, workers=3, log_path=tmp_path / "gunicorn.log")
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            auth = list(pool.map(lambda p: _login(live, p), phones))
        answered: list[tuple[float, str, int]] = []  # (monotonic time the answer arrived, client_scan_id, status)
        lock, stop = threading.Lock(), threading.Event()

        def client(n: int) -> None:
            i = n
            while not stop.is_set():
                token = _token(events[(i // MEMBERS) % len(events)])
                cid = str(uuid.uuid4())
                resp = requests.post(live.url + "/api/v1/scans", json={"token": token, "client_scan_id": cid},
                                     headers=auth[i % MEMBERS], timeout=30)
                with lock:
                    answered.append((time.monotonic(), cid, resp.status_code))
                i += CLIENTS

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            _wait_for(lambda: len(answered) >= 150)
            backup_started = time.monotonic()
            done = _script("backup", db_url, "-o", str(tmp_path / "qiandao.backup"))
            backup_ended = time.monotonic()
            _wait_for(lambda: sum(1 for t, _c, _s in answered if t > backup_ended) >= 30)  # still serving
        finally:
            stop.set()
            for t in threads:
                t.join(30)
    finally:
        live.stop()
    assert done.returncode == 0, done.stderr
    assert {status for _t, _c, status in answered} <= {200, 201}, "the server failed scans during the backup"

    restored = _script("restore", fresh_url, str(tmp_path / "qiandao.backup"))
    assert restored.returncode == 0, restored.stderr
    before = {cid for t, cid, _s in answered if t < backup_started}
    in_backup = {cid for (cid,) in _rows(fresh_url, "select client_scan_id from scans")}
    missing = before - in_backup
    assert not missing, f"{len(missing)} of {len(before)} scans committed before the backup are missing"
    assert in_backup <= {cid for _t, cid, _s in answered}
    print(f"\nbackup in {backup_ended - backup_started:.2f} s under load; {len(before)} scans before it, "
          f"{len(in_backup)} in it, {len(answered)} answered in all")

    # the restored database is sound: every check-in scan has its attendance and one payment
    assert _rows(fresh_url, "select count(*) from scans s left join attendance a on a.id = s.attendance_id "
                            "where s.outcome = 'checked_in' and a.id is null") == [(0,)]
    assert _rows(fresh_url, "select count(*) from attendance a where not exists (select 1 from scans s "
                            "where s.attendance_id = a.id and s.outcome = 'checked_in')") == [(0,)]
    assert _rows(fresh_url, "select count(*) from (select attendance_id from points_ledger "
                            "group by attendance_id having count(*) > 1) t") == [(0,)]
    assert _rows(fresh_url, "select count(*) from points_rules")[0][0] == len(DEFAULT_RULES)  # one per kind
    again = _script("restore", fresh_url, str(tmp_path / "qiandao.backup"))
    assert again.returncode == 1 and "--force" in again.stderr  # never overwrites a database by surprise


def _login(live: LiveServer, phone: str) -> dict:
    resp = requests.post(live.url + "/api/v1/auth/login", json={"phone": phone, "password": support.PASSWORD},
                         timeout=30)
    assert resp.status_code == 200, resp.text
    return {"Cookie": "qiandao_session=" + resp.cookies["qiandao_session"], "X-CSRF-Token": resp.json()["csrf_token"]}


def _token(event_id: int) -> str:
    window = int(time.time()) // 20
    return qrtoken.sign(support.SECRET, qrtoken.Token(qrtoken.PURPOSE_EVENT, event_id, 1, window, "in", False))


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for scans")
        time.sleep(0.02)
