"""Shared by the reports: Chinese labels, local times and local calendar periods (files: common.sheets)."""
from datetime import date, datetime

from server.attendance import lifecycle
from server.attendance.models import METHOD_TEXT
from server.common.errors import Invalid
from server.common.timeutil import YEARS, local_zone, to_local, to_utc_naive
from server.events.kinds import KINDS

# Exports are in Chinese; the labels themselves live with their tables.
STATE_LABELS = {**{state: zh for state, (zh, _en) in lifecycle.LABELS.items()}, "absent": "缺席"}
METHOD_LABELS = {method: zh for method, (zh, _en) in METHOD_TEXT.items()}
KIND_LABELS = {code: kind.label_zh for code, kind in KINDS.items()}
EVALUATION_LABELS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_naive(value: datetime | None) -> datetime | None:
    """Naive UTC → naive deployment-local (what a spreadsheet cell holds)."""
    local = to_local(value)
    return local.replace(tzinfo=None) if local else None


def local_text(value: datetime | None) -> str:
    local = local_naive(value)
    return local.strftime(TIME_FORMAT) if local else ""


def yes_no(flag) -> str:
    return "是" if flag else "否"


def day_start(day: date) -> datetime:
    """Local midnight of a date, as naive UTC."""
    return to_utc_naive(datetime(day.year, day.month, day.day, tzinfo=local_zone()))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = day_start(date(year, month, 1))
    end = day_start(date(year + (month == 12), month % 12 + 1, 1))
    return start, end


def parse_month(text: str | None, now: datetime) -> tuple[int, int]:
    if not text:
        local = to_local(now)
        return local.year, local.month
    try:
        year, month = (int(p) for p in text.split("-"))
        date(year, month, 1)
        if not YEARS[0] <= year <= YEARS[1]:
            raise ValueError(year)
    except (ValueError, TypeError):
        raise Invalid({"month": "month_format"}, location="query", code="report_bad_period") from None
    return year, month


def percent_text(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.2f}%"
