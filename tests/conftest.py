"""Test harness: a real database (SQLite file or PostgreSQL, chosen by QIANDAO_TEST_DB), a clean
schema per session, emptied after each test, and API clients signed in as each role."""
import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from server import create_app
from server.extensions import db, limiter
from tests import support

BACKEND = os.environ.get("QIANDAO_TEST_DB", "sqlite")
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_report_header(config):
    return f"qiandao database backend: {BACKEND}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    if BACKEND == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "qiandao-test.db")
        return
    name = f"qiandao_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    support.pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    support.pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(db_url):
    app = create_app(support.test_config(db_url))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(app):
    """Every test starts from an empty database with the default points rules."""
    with app.app_context():
        support.empty_database()
    limiter.reset()
    yield


@pytest.fixture
def long_grace(app, monkeypatch):
    """For tests that set up attendance hours in the past by a delayed scan (not about the grace itself)."""
    monkeypatch.setitem(app.config, "SCAN_OFFLINE_GRACE_SECONDS", 7 * 86400)


@pytest.fixture
def ctx(app):
    """Use as `with ctx():` for direct database checks, never around API requests."""
    return app.app_context


@pytest.fixture
def world(app):
    with app.app_context():
        return support.build_world()


@pytest.fixture
def login(app):
    """login(phone) -> an ApiClient with the session cookie and CSRF header set."""
    def _login(phone: str, password: str = support.PASSWORD) -> support.ApiClient:
        client = support.ApiClient(app.test_client())
        resp = client.post("/api/v1/auth/login", json={"phone": phone, "password": password})
        assert resp.status_code == 200, resp.get_json()
        client.csrf = resp.get_json()["csrf_token"]
        return client
    return _login


@pytest.fixture
def anon(app):
    return support.ApiClient(app.test_client())


@pytest.fixture
def make_event(app, world):
    """make_event(kind='party_day', start_in=timedelta(...), **fields) -> event id."""
    def _make(kind="volunteer_service", start_in=timedelta(minutes=-10), hours=2, **fields):
        with app.app_context():
            return support.make_event(world, kind, start_in, hours, **fields)
    return _make


@pytest.fixture
def token_for(app):
    """token_for(event_id, direction='in', at=None) -> the token a screen would show at `at`."""
    def _token(event_id, direction="in", at=None):
        with app.app_context():
            return support.token_for(event_id, direction, at)
    return _token


@pytest.fixture
def scan(login):
    """scan(phone_or_client, token, **body) -> response, posting a fresh client_scan_id by default."""
    def _scan(who, token, **body):
        client = login(who) if isinstance(who, str) else who
        body.setdefault("client_scan_id", str(uuid.uuid4()))
        return client.post("/api/v1/scans", json={"token": token, **body})
    return _scan


def sql(statement: str, **params):
    return db.session.execute(text(statement), params)


@pytest.fixture
def q(app):
    """q(sql, **params) -> list of rows, run in its own app context."""
    def _q(statement, **params):
        with app.app_context():
            rows = sql(statement, **params).all()
            db.session.remove()
            return rows
    return _q



@pytest.fixture(scope="module")
def pw():
    """Playwright for a browser-test module (Debian's Chromium); its modules may define their own."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import require_chromium
    require_chromium()  # fail, not skip, without Chromium
    expect.set_options(timeout=15000)  # a camera frame decoded and a round trip, on a busy CI machine
    try:
        with sync_playwright() as p:
            yield p
    finally:
        expect.set_options(timeout=5000)  # Playwright's default, for other modules


@pytest.fixture(scope="module")
def server(app, db_url):
    """A real gunicorn on the test database, for a browser-test module (modules may define their own)."""
    from tests.live import LiveServer
    srv = LiveServer(db_url, workers=2)
    yield srv
    srv.stop()
