from datetime import datetime, timedelta

import pytest

from server.attendance.duration import compute_hours

S = datetime(2026, 11, 1, 9, 0)
E = S + timedelta(hours=3)


@pytest.mark.parametrize("cin,cout,step,expected", [
    (S, E, 0.5, 3.0),
    (S - timedelta(hours=1), E + timedelta(hours=2), 0.5, 3.0),  # clipped to the event
    (S + timedelta(minutes=10), S + timedelta(minutes=99), 0.5, 1.0),  # 1h29m rounds down
    (S + timedelta(minutes=10), S + timedelta(minutes=100), 0.5, 1.5),  # exactly 1h30m
    (S, S + timedelta(minutes=29), 0.5, 0.0),
    (S, S + timedelta(minutes=50), 0.25, 0.75),
    (E + timedelta(minutes=5), E + timedelta(minutes=50), 0.5, 0.0),  # arrived after the end
    (S + timedelta(hours=2), S + timedelta(hours=1), 0.5, 0.0),  # out before in: nothing
])
def test_compute_hours(cin, cout, step, expected):
    assert compute_hours(S, E, cin, cout, step) == expected
