"""Engine tuning: SQLite in WAL with foreign keys, and writers taking the lock up front."""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event

_reading = ContextVar("qiandao_reading", default=False)


def normalize_url(url: str) -> str:
    """Route PostgreSQL URLs to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _reads_only() -> bool:
    return _reading.get() or (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"))


@contextmanager
def reading(session):
    """The read-only start of a write request: on SQLite it runs in its own deferred transaction,
    ended on leaving, so the write lock is held only for the writes that follow (PostgreSQL keeps
    one transaction). What was read may be stale by then: the writes must let constraints decide."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)
    if session.get_bind().dialect.name == "sqlite":
        session.commit()


def tune_engine(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=15000", "synchronous=NORMAL"):
            cur.execute("PRAGMA " + pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A deferred WAL transaction that reads, then writes after another writer committed,
        # fails at once with SQLITE_BUSY; writers take the lock at BEGIN and wait instead.
        conn.exec_driver_sql("BEGIN" if _reads_only() else "BEGIN IMMEDIATE")


def refresh_statistics() -> None:
    """Let SQLite's planner know the tables' sizes (ANALYZE sampling at most 1,000 rows per index, so it takes
    milliseconds): without statistics it may pick a status index over a host index and read every event per
    member. PostgreSQL's autovacuum does this by itself."""
    from server.extensions import db
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
