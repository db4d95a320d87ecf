"""UTC storage, deployment-time-zone display: the one place times are converted."""
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

ISO_SECONDS_LENGTH = len("2000-01-01T00:00:00")  # isoformat pads every year to four digits
YEARS = (1900, 2999)  # the years a time sent to the API may fall in: wide, yet far from datetime's limits


def utcnow() -> datetime:
    """Naive UTC now: every stored time is naive UTC, on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_utc_naive(value: datetime) -> datetime:
    """Aware times are converted; naive input is read as deployment-local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def to_local(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(zone or local_zone())


def iso_local(value: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    """Loops over many rows pass the zone, read once, instead of asking the app per value."""
    local = to_local(value, zone)
    return local.isoformat(timespec="seconds") if local else None


class IsoLocal:
    """iso_local for a long list at under half the cost: the zone is asked once per UTC hour, not per value."""

    def __init__(self, zone: ZoneInfo | None = None):
        self.zone = zone or local_zone()
        self._hours: dict[int, tuple] = {}  # UTC hour number -> (offset, suffix), or () where the offset changes

    def __call__(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        hour = value.toordinal() * 24 + value.hour
        offset = self._hours.get(hour)
        if offset is None:
            offset = self._hours[hour] = self._hour_offset(value)
        if not offset:
            return iso_local(value, self.zone)
        return (value + offset[0]).isoformat(timespec="seconds") + offset[1]

    def _hour_offset(self, value: datetime) -> tuple:
        """(offset, ISO suffix such as "+08:00") if the zone keeps one offset over value's UTC hour, else ()."""
        # The hour's first and last instants agreeing is enough: no zone changes offset twice within an
        # hour (in tzdata the closest changes are four days apart), so any change inside it shows here.
        start = value.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
        first = start.astimezone(self.zone)
        last = (start + timedelta(hours=1, microseconds=-1)).astimezone(self.zone)
        if first.utcoffset() != last.utcoffset():
            return ()
        return first.utcoffset(), first.isoformat(timespec="seconds")[ISO_SECONDS_LENGTH:]


class LocalMonths:
    """The local month (1-12) of naive-UTC times in one year, by bisecting the year's month starts: no zone
    conversion per row (a city's year has tens of thousands of events)."""

    def __init__(self, year: int, zone: ZoneInfo | None = None):
        zone = zone or local_zone()
        self.starts = [to_utc_naive(datetime(year, m, 1, tzinfo=zone)) for m in range(1, 13)]

    def __call__(self, value: datetime) -> int:
        return max(1, bisect_right(self.starts, value))
