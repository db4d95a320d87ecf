"""The in-memory throttle store: limits' counting, without a thread per hit, expired counters freed."""
import threading
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from server.common.throttle_store import SweptMemoryStorage
from server.extensions import limiter


def test_counts_like_limits_memory_storage():
    store = storage_from_string("swept-memory://")
    assert isinstance(store, SweptMemoryStorage)
    strategy, item = FixedWindowRateLimiter(store), parse("3/minute")
    assert [strategy.hit(item, "scan", "7") for _ in range(4)] == [True, True, True, False]
    assert strategy.hit(item, "scan", "8")  # another member has their own count


def test_no_thread_per_hit_and_expired_counters_are_swept(monkeypatch):
    store = storage_from_string("swept-memory://")
    strategy = FixedWindowRateLimiter(store)
    started = []
    monkeypatch.setattr(threading.Thread, "start", started.append)  # limits' own store starts a Timer here
    for member in range(300):
        strategy.hit(parse("1/second"), "scan", str(member))
    assert started == []
    assert len(store.storage) == 300
    time.sleep(1.1)  # every counter's second has passed, and so has the sweep interval
    strategy.hit(parse("5/minute"), "scan", "fresh")
    assert set(store.storage) == {key for key in store.storage if "fresh" in key} and len(store.storage) == 1


def test_the_app_throttles_with_it(app):
    with app.app_context():
        assert isinstance(limiter.limiter.storage, SweptMemoryStorage)
