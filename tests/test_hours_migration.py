"""Migration 0002 (hours, publication, service details, absence deductions) builds exactly what the models
describe for its tables, on SQLite and PostgreSQL, and goes down to 0001 cleanly. It is checked on its own
(`upgrade 0002`), so it holds whatever other revisions sit beside it."""
import logging
import os
import uuid

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, inspect

from server import create_app
from server.extensions import db
from tests import support

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
MINE = {"hours_reviews", "hours_disputes", "hours_settings", "event_service_info", "absence_deductions"}


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py reconfigures logging; put it back for later tests."""
    manager = logging.Logger.manager
    disabled = {name: lg.disabled for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for name, lg in list(manager.loggerDict.items()):
        if isinstance(lg, logging.Logger):
            lg.disabled = disabled.get(name, False)
    root.handlers[:] = handlers
    root.setLevel(level)


def _table_of(diff) -> str | None:
    """The table an autogenerate diff entry is about (tables, columns, indexes, constraints)."""
    item = diff[0] if isinstance(diff, list) else diff
    for obj in item[1:]:
        if isinstance(obj, str):
            if obj in MINE:
                return obj
            continue
        table = obj if isinstance(obj, Table) else getattr(obj, "table", None)
        if getattr(table, "name", None):
            return table.name
    return None


def _check(url: str) -> None:
    app = create_app(support.test_config(url))
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="0002")
            assert MINE <= set(inspect(db.engine).get_table_names())
            with db.engine.connect() as conn:
                ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
                diff = [d for d in compare_metadata(ctx, db.metadata) if _table_of(d) in MINE]
            assert diff == [], "migration 0002 and the hours models disagree:\n" + "\n".join(map(repr, diff))
            flask_migrate.downgrade(revision="0001")
            assert not MINE & set(inspect(db.engine).get_table_names())
            flask_migrate.upgrade(revision="0002")
            assert MINE <= set(inspect(db.engine).get_table_names())
        finally:
            db.session.remove()
            db.engine.dispose()


def test_0002_on_sqlite(tmp_path):
    _check("sqlite:///" + str(tmp_path / "hours.db"))


def test_0002_on_postgres():
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable")
    name = f"qiandao_hmig_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    support.pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
    try:
        _check(PG_URL.rsplit("/", 1)[0] + "/" + name)
    finally:
        support.pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
