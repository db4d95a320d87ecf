"""The command-line tools as an operator runs them: flask --app wsgi db upgrade | demo | users create."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table, text
from werkzeug.security import check_password_hash

from server import create_app
from server.auth.models import User
from server.common.timeutil import utcnow
from server.demo import ADMIN, DEMO_PASSWORD, LIAISON, ORGANIZER
from server.events.models import KINDS, Event
from server.extensions import db
from tests import support

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = [f"139000001{i:02d}" for i in range(1, 31)]


@pytest.fixture
def database(tmp_path):
    """An empty SQLite file migrated with `flask db upgrade`, and a runner for flask commands on it."""
    url = "sqlite:///" + str(tmp_path / "cli.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QIANDAO_")}
    env.update(DATABASE_URL=url, SECRET_KEY=support.SECRET, APP_ENV="development", PYTHONPATH=str(ROOT))

    def flask(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert proc.returncode == expect, f"flask {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    flask("db", "upgrade")
    app = create_app(support.test_config(url))
    yield flask, app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts(app) -> dict[str, int]:
    """Rows in every table the migrations made (test_migrations checks those match the models)."""
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        counts = {name: db.session.scalar(select(func.count()).select_from(table(name))) for name in names}
        db.session.remove()
        return counts


def test_demo_creates_the_readme_accounts_and_open_events(database):
    flask, app = database
    out = flask("demo").stdout
    assert "demo loaded" in out

    with app.app_context():
        users = {u.phone: u for u in db.session.scalars(select(User))}
        assert set(users) >= {ADMIN, ORGANIZER, LIAISON, *MEMBERS}
        assert "admin" in users[ADMIN].roles
        assert "organizer" in users[ORGANIZER].roles
        assert "liaison" in users[LIAISON].roles
        for phone in (ADMIN, ORGANIZER, LIAISON, MEMBERS[0], MEMBERS[-1]):
            assert check_password_hash(users[phone].password_hash, DEMO_PASSWORD), phone
            assert users[phone].active
        assert all(users[p].branch_id for p in MEMBERS), "every demo member belongs to a branch"

        now = utcnow()
        events = db.session.scalars(select(Event)).all()
        open_now = {e.kind for e in events
                    if e.status == "published" and e.window_opens_at <= now <= e.window_closes_at}
        assert open_now == set(KINDS), "one event of each kind should be open for check-in now"
        assert {e.kind for e in events if e.starts_at > now} == set(KINDS), "and upcoming ones of each kind"
        db.session.remove()


def test_demo_twice_changes_nothing(database):
    flask, app = database
    flask("demo")
    before = _counts(app)
    out = flask("demo").stdout
    assert "already has data" in out
    assert _counts(app) == before


def test_users_create_with_a_role_and_scope(database):
    flask, app = database
    flask("demo")  # organizations 1..3: committee, general branch, branch
    out = flask("users", "create", "--name", "X", "--phone", "13712345678", "--password", "pw",
                "--role", "organizer", "--org", "3").stdout
    assert "created user" in out and "13712345678" in out

    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "13712345678"))
        assert user is not None and user.name == "X"
        assert check_password_hash(user.password_hash, "pw")
        assert "organizer" in user.roles
        assert [(g.role, g.organization_id) for g in user.grants] == [("organizer", 3)]
        assert user.branch_id == 3
        db.session.remove()

    client = app.test_client()
    resp = client.post("/api/v1/auth/login", json={"phone": "13712345678", "password": "pw"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["organizer_of"] == [3]


def test_users_create_refuses_bad_input_clearly(database):
    flask, app = database
    flask("demo")
    before = _counts(app)
    taken = flask("users", "create", "--name", "Y", "--phone", ADMIN, "--password", "pw", expect=1)
    assert "already registered" in taken.stderr and "Traceback" not in taken.stderr
    no_scope = flask("users", "create", "--name", "Y", "--phone", "13712340000", "--password", "pw",
                     "--role", "liaison", expect=1)
    assert "--community" in no_scope.stderr
    unknown = flask("users", "create", "--name", "Y", "--phone", "13712340000", "--password", "pw",
                    "--role", "organizer", "--org", "999", expect=1)
    assert "no organization with id 999" in unknown.stderr
    assert _counts(app) == before


def test_close_events_keeps_sqlites_planner_statistics(database):
    """Without statistics SQLite reads every event per member in the rating's joins (issue 14's bench)."""
    flask, app = database
    flask("demo")
    out = flask("close-events").stdout
    assert out.startswith("closed ")
    with app.app_context():
        tables = {r[0] for r in db.session.execute(text("select tbl from sqlite_stat1"))}
        db.session.remove()
    assert {"events", "attendance", "users"} <= tables
