"""Several machines behave as one: two app instances (gunicorn each) against one PostgreSQL
database and one Redis share the members' throttling counters, and a scan delivered to both
(a phone retrying through another instance behind the proxy) is counted once.

Needs PostgreSQL and Redis whatever QIANDAO_TEST_DB says: it creates and drops its own
database. Unreachable PostgreSQL or Redis skips it, or fails it when REQUIRE_POSTGRES=1.
Only the Redis keys of this test's members are removed afterwards (random ids and phones,
so nothing else on that Redis is touched or collides).
"""
import os
import random
import secrets
import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
import redis
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

import server.models  # noqa: F401  (the whole schema known to the metadata)
from server.auth.models import Organization, User
from server.common import qrtoken
from server.common.timeutil import utcnow
from server.db_setup import normalize_url
from server.events.services import new_event
from server.extensions import db
from server.points.ledger import DEFAULT_RULES
from server.points.models import PointsRule
from tests import support
from tests.live import LiveServer

pytestmark = pytest.mark.slow

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SCAN_LIMIT = 5
ROTATE_S = 20


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(reason + " (REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean():
    """Overrides conftest's: this module never touches the suite's own database."""
    yield


@pytest.fixture(scope="module")
def redis_client():
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=5)
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    yield client
    client.close()


@pytest.fixture(scope="module")
def shared(redis_client, tmp_path_factory):
    """One PostgreSQL database with a branch, members (random ids and phones) and a Party day."""
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        _unavailable(f"PostgreSQL is not reachable at {PG_URL}: {str(exc).strip()}")
    name = f"qiandao_mi_{os.getpid()}_{secrets.token_hex(3)}"
    support.pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    engine = create_engine(normalize_url(url))
    first_id = random.randrange(100_000_000, 2_000_000_000)
    try:
        db.metadata.create_all(engine)
        with Session(engine) as s:
            s.add_all(PointsRule(kind=kind, **values) for kind, values in DEFAULT_RULES.items())
            branch = Organization(name="多机支部", level="branch")
            s.add(branch)
            s.flush()
            branch.path = f"/{branch.id}/"
            pw_hash = generate_password_hash(support.PASSWORD, method="pbkdf2:sha256:2000")
            members = [User(id=first_id + i, name=f"多机党员{i}", phone=f"15{random.randrange(10**8, 10**9)}",
                            password_hash=pw_hash, branch_id=branch.id) for i in range(8)]
            s.add_all(members)
            start = utcnow().replace(microsecond=0) - timedelta(minutes=1)  # on time: 5 points
            event = new_event("party_day", "两台机器上的主题党日", start, start + timedelta(hours=2),
                              host_org_id=branch.id)
            s.add(event)
            s.commit()
            ctx = {"url": url, "event_id": event.id, "members": [(m.id, m.phone) for m in members],
                   "prefix": f"qiandao-test-{secrets.token_hex(4)}"}
        env = {"REDIS_URL": REDIS_URL, "SCAN_RATE_LIMIT": f"{SCAN_LIMIT}/minute",
               "RATELIMIT_KEY_PREFIX": ctx["prefix"]}  # honoured once the config reads it; harmless before
        logs = tmp_path_factory.mktemp("multi")
        servers = []
        try:
            for tag in ("a", "b"):
                servers.append(LiveServer(url, workers=2, extra_env=env, log_path=logs / f"{tag}.log"))
            ctx["a"], ctx["b"] = servers
            yield ctx
        finally:
            for live in servers:
                live.stop()
            _forget_keys(redis_client, ctx)
    finally:
        engine.dispose()
        support.pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _our_keys(client, ctx) -> list[bytes]:
    keys = set(client.scan_iter(match=f"{ctx['prefix']}*", count=1000))
    for uid, phone in ctx["members"]:
        keys |= set(client.scan_iter(match=f"*/scan/{uid}/*", count=1000))
        keys |= set(client.scan_iter(match=f"*login-phone:{phone}*", count=1000))
    return sorted(keys)


def _forget_keys(client, ctx) -> None:
    keys = _our_keys(client, ctx)
    if keys:
        client.delete(*keys)


def _login(live: LiveServer, phone: str) -> dict:
    resp = requests.post(live.url + "/api/v1/auth/login", json={"phone": phone, "password": support.PASSWORD},
                         timeout=30)
    assert resp.status_code == 200, resp.text
    return {"Cookie": "qiandao_session=" + resp.cookies["qiandao_session"], "X-CSRF-Token": resp.json()["csrf_token"]}


def _token(event_id: int) -> str:
    window = int(time.time()) // ROTATE_S
    return qrtoken.sign(support.SECRET, qrtoken.Token(qrtoken.PURPOSE_EVENT, event_id, 1, window, "in", False))


def _scan(live: LiveServer, auth: dict, body: dict) -> requests.Response:
    return requests.post(live.url + "/api/v1/scans", json=body, headers=auth, timeout=30)


def _q(url: str, sql: str, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_member_is_throttled_across_both_instances(shared, redis_client):
    uid, phone = shared["members"][0]
    auth = _login(shared["a"], phone)  # a session made on one instance is good on the other
    answers = []
    for n in range(SCAN_LIMIT + 1):
        live = shared["a"] if n % 2 == 0 else shared["b"]
        resp = _scan(live, auth, {"token": _token(shared["event_id"]), "client_scan_id": str(uuid.uuid4())})
        answers.append((live.port, resp.status_code, resp.json()))
    statuses = [status for _port, status, _body in answers]
    # each instance saw three scans, under the limit of five on its own: only shared counters throttle the sixth
    assert statuses == [201] + [200] * (SCAN_LIMIT - 1) + [429], answers
    assert answers[-1][2]["error"]["code"] == "rate_limited"
    # the counter is the scan log in the shared database (the sixth scan is stored as rate_limited)
    rows = _q(shared["url"], "select outcome from scans where user_id = %s order by id", uid)
    assert [r[0] for r in rows] == ["checked_in"] + ["already_checked_in"] * (SCAN_LIMIT - 1) + ["rate_limited"]
    assert _q(shared["url"], "select count(*) from attendance where user_id = %s", uid) == [(1,)]


def test_the_same_scan_sent_to_both_instances_counts_once(shared):
    eid = shared["event_id"]
    for uid, phone in shared["members"][1:]:
        auth = _login(shared["b"], phone)
        body = {"token": _token(eid), "client_scan_id": str(uuid.uuid4())}
        answers = [None, None]
        gate = threading.Barrier(2)

        def send(i, live, body=body, auth=auth, answers=answers, gate=gate):
            gate.wait()
            answers[i] = _scan(live, auth, body)

        threads = [threading.Thread(target=send, args=(i, live)) for i, live in enumerate((shared["a"], shared["b"]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        later = _scan(shared["a"] if uid % 2 else shared["b"], auth, body)  # and once more, after both answered
        assert {r.status_code for r in (*answers, later)} == {201}, [r.text for r in answers]
        assert answers[0].text == answers[1].text == later.text  # the first answer, whoever gave it
        assert _q(shared["url"], "select count(*) from scans where user_id = %s", uid) == [(1,)]
        assert _q(shared["url"], "select count(*) from attendance where user_id = %s and event_id = %s",
                  uid, eid) == [(1,)]
        assert _q(shared["url"], "select count(*), sum(amount) from points_ledger where user_id = %s", uid) == [(1, 5)]
