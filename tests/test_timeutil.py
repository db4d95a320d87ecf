"""IsoLocal (the attendance list's time converter) gives iso_local's strings in every zone, offset changes too."""
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from server.common.timeutil import IsoLocal, iso_local

# Daylight saving both ways, half- and quarter-hour offsets, changes in the middle of a UTC hour
# (Kathmandu at the end of 1985, Lord Howe's half-hour DST) and at odd seconds (local mean time until about 1901).
TRICKY = ("Asia/Shanghai", "America/New_York", "Europe/London", "Europe/Dublin", "Australia/Lord_Howe",
          "Asia/Kathmandu", "Asia/Kolkata", "America/St_Johns", "Pacific/Apia", "Africa/Casablanca")
YEARS = (1900, 1901, 1941, 1985, 2011, 2026)
STEP = timedelta(hours=6)


def _offset(zone: ZoneInfo, utc: datetime) -> timedelta:
    return utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()


def _change(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first instant (to the microsecond) with hi's offset, lo having another."""
    while hi - lo > timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        lo, hi = (lo, mid) if _offset(zone, mid) == _offset(zone, hi) else (mid, hi)
    return hi


def _near_changes(zone: ZoneInfo) -> list[datetime]:
    """Times around each offset change of YEARS: the change itself and its neighbours, and a walk over its hours."""
    values = []
    for year in YEARS:
        at = datetime(year, 1, 1)
        while at.year == year:
            if _offset(zone, at) != _offset(zone, at + STEP):
                change = _change(zone, at, at + STEP)
                values += [change + timedelta(microseconds=d) for d in (-1_000_001, -1_000_000, -1, 0, 1, 999_999)]
                values += [at + timedelta(seconds=37.3 * n) for n in range(int(STEP.total_seconds() / 37.3) + 1)]
            at += STEP
    return values


def test_same_strings_as_iso_local_around_offset_changes():
    for name in TRICKY:
        zone = ZoneInfo(name)
        values = _near_changes(zone)
        assert len(values) > 500, name  # the walk found changes to test
        random.Random(name).shuffle(values)  # hours visited again after others, as a list's rows do
        local = IsoLocal(zone)
        assert [local(v) for v in values] == [iso_local(v, zone) for v in values], name


def test_same_strings_as_iso_local_in_every_zone():
    rnd = random.Random(7)
    start, span = datetime(1900, 1, 1), (datetime(2100, 1, 1) - datetime(1900, 1, 1)).total_seconds()
    for name in sorted(available_timezones()):
        zone = ZoneInfo(name)
        values = [start + timedelta(seconds=rnd.uniform(0, span)) for _ in range(60)]
        values += [v + timedelta(minutes=rnd.randint(0, 59), microseconds=rnd.randint(0, 999_999)) for v in values]
        local = IsoLocal(zone)
        assert [local(v) for v in values] == [iso_local(v, zone) for v in values], name


def test_none_and_known_values():
    local = IsoLocal(ZoneInfo("Asia/Shanghai"))
    assert local(None) is None
    assert local(datetime(2026, 5, 1, 1, 2, 3, 999_999)) == "2026-05-01T09:02:03+08:00"
    assert local(datetime(1900, 12, 31, 15, 54, 16)) == "1900-12-31T23:59:59+08:05:43"  # local mean time
    assert local(datetime(1900, 12, 31, 15, 54, 17)) == "1900-12-31T23:54:17+08:00"
    new_york = IsoLocal(ZoneInfo("America/New_York"))
    assert new_york(datetime(2026, 3, 8, 6, 59, 59, 500_000)) == "2026-03-08T01:59:59-05:00"
    assert new_york(datetime(2026, 3, 8, 7, 0, 0)) == "2026-03-08T03:00:00-04:00"
    assert new_york(datetime(2026, 11, 1, 5, 30)) == "2026-11-01T01:30:00-04:00"
    assert new_york(datetime(2026, 11, 1, 6, 30)) == "2026-11-01T01:30:00-05:00"


def test_local_months_bisects_the_years_month_starts(app):
    from datetime import datetime

    from server.common.timeutil import LocalMonths, to_local
    with app.app_context():
        months = LocalMonths(2025)
        for value in (datetime(2024, 12, 31, 16, 0), datetime(2025, 1, 31, 15, 59), datetime(2025, 1, 31, 16, 0),
                      datetime(2025, 6, 30, 16, 0), datetime(2025, 12, 31, 15, 59)):
            assert months(value) == to_local(value).month, value  # Shanghai: UTC+8
