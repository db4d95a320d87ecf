"""UTC storage, deployment-time-zone display: the one place times are converted."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app

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
