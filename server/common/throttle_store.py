"""Throttle counters for Flask-Limiter: per machine in a shared file (the default without REDIS_URL),
or in memory without a timer thread per hit (tests, single-process tools)."""
import os
import sqlite3
import threading
import time

from limits.storage import MemoryStorage, Storage

SWEEP_EVERY_S = 1.0


class SweptMemoryStorage(MemoryStorage):
    """MemoryStorage, but expired counters are swept inline at most once a second.

    limits 5.8's MemoryStorage starts a 10 ms threading.Timer on every hit that finds none alive, so under
    load nearly every scan started a thread (10% of a scan's time under gunicorn, py-spy). Counters already
    expire when read; the sweep only frees memory, so doing it inline once a second changes no answer."""

    STORAGE_SCHEME = ["swept-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        self.next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the private hook that starts the timer
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_EVERY_S
            self._MemoryStorage__expire_events()


class MachineFileStorage(Storage):
    """Fixed-window counters in a small SQLite file every worker of this machine opens, so a limit holds
    as configured across gunicorn's workers without Redis (memory counters are per worker: five workers let
    five times the limit through). `machine-file:///abs/path/throttle.db`. One short write per counted hit;
    the counters are not precious (synchronous=OFF), and expired ones are swept once a minute."""

    STORAGE_SCHEME = ["machine-file"]
    SWEEP_EVERY_S = 60.0

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1] or ":memory:"
        self.local = threading.local()
        self.next_sweep = 0.0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        conn = getattr(self.local, "conn", None)
        if conn is None or getattr(self.local, "pid", None) != os.getpid():  # never share a connection over fork
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "synchronous=OFF", "busy_timeout=5000"):
                conn.execute("PRAGMA " + pragma)
            conn.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, "
                         "expires REAL NOT NULL)")
            self.local.conn, self.local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        conn = self._db()
        if now >= self.next_sweep:
            self.next_sweep = now + self.SWEEP_EVERY_S
            conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return conn.execute(
            "INSERT INTO counters (key, count, expires) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET "
            "count = CASE WHEN expires <= ?4 THEN ?2 ELSE count + ?2 END, "
            "expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END RETURNING count",
            (key, amount, now + expiry, now)).fetchone()[0]

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM counters WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
