"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
seed the default points rules, and go down to nothing and up again.

These tests build their own empty databases, so they run whatever QIANDAO_TEST_DB says."""
import logging
import os
import uuid

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from server import MIGRATIONS, create_app
from server.extensions import db
from server.points.ledger import DEFAULT_RULES
from server.points.models import PointsRule
from tests import support

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
VERSION_TABLE = "alembic_version"


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py runs logging.config.fileConfig, which disables every logger it does not
    name; put logging back as it was so later tests (caplog) still see their loggers."""
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


@pytest.fixture
def sqlite_url(tmp_path):
    return "sqlite:///" + str(tmp_path / "migrated.db")


def _pg_server_or_skip() -> None:
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        reason = f"PostgreSQL at {PG_URL} is not reachable: {exc}".strip()
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (REQUIRE_POSTGRES=1)")
        pytest.skip(reason)


@pytest.fixture
def pg_url():
    _pg_server_or_skip()
    name = f"qiandao_mig_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    support.pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        support.pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _schema_diff() -> list:
    """What autogenerate would write to make the database match the models: nothing, we hope."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(ctx, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {VERSION_TABLE}


def _assert_matches_models() -> None:
    made, modelled = _tables(), set(db.metadata.tables)
    assert made == modelled, (f"tables in the models without a migration: {sorted(modelled - made)}; "
                              f"made by the migrations but not in the models: {sorted(made - modelled)}")
    diff = _schema_diff()
    assert diff == [], "the migrations and the models disagree (write a migration):\n" + \
        "\n".join(map(repr, diff))


def _assert_default_rules() -> None:
    rules = {r.kind: r for r in db.session.scalars(select(PointsRule))}
    assert set(rules) == set(DEFAULT_RULES)
    for kind, values in DEFAULT_RULES.items():
        got = {field: getattr(rules[kind], field) for field in values}
        assert got == values, kind
        assert rules[kind].updated_at is not None
    db.session.remove()


def _round_trip(url: str) -> None:
    app = create_app(support.test_config(url))
    with app.app_context():
        try:
            assert _tables() == set(), "the database should start empty"
            flask_migrate.upgrade()
            _assert_matches_models()
            _assert_default_rules()

            flask_migrate.downgrade(revision="base")
            assert _tables() == set(), "downgrade to base left tables behind"

            flask_migrate.upgrade()
            _assert_matches_models()
            _assert_default_rules()
        finally:
            db.session.remove()
            db.engine.dispose()


def test_migrations_have_one_head():
    """Two engineers each adding a revision on the same parent would leave two heads."""
    heads = ScriptDirectory(MIGRATIONS).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them or rebase one on the other"


def test_sqlite_migrations_match_models_and_round_trip(sqlite_url):
    _round_trip(sqlite_url)


def test_postgres_migrations_match_models_and_round_trip(pg_url):
    _round_trip(pg_url)
