"""limits' in-memory counters without a timer thread per hit (the store when REDIS_URL is unset)."""
import time

from limits.storage import MemoryStorage

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
