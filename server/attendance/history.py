"""A member's own attendance history and this year's hours: what the app's "my records" shows."""
from datetime import datetime

from sqlalchemy import case, func, select

from server.attendance import core
from server.attendance.lifecycle import COUNTED
from server.attendance.models import Attendance
from server.common.timeutil import local_zone, to_utc_naive
from server.events.brief import event_brief
from server.events.models import Event
from server.extensions import db


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The deployment-local calendar year, as naive UTC bounds."""
    zone = local_zone()
    return (to_utc_naive(datetime(year, 1, 1, tzinfo=zone)), to_utc_naive(datetime(year + 1, 1, 1, tzinfo=zone)))


def my_attendance(user_id: int, year: int, page: int, page_size: int) -> dict:
    start, end = year_bounds(year)
    in_year = (Attendance.user_id == user_id, Event.starts_at >= start, Event.starts_at < end)
    totals = db.session.execute(
        select(func.count(),
               func.coalesce(func.sum(case((Attendance.state.in_(COUNTED), Attendance.hours_confirmed), else_=0)), 0),
               func.coalesce(func.sum(case((Attendance.state == "pending", Attendance.hours_claimed), else_=0)), 0),
               func.coalesce(func.sum(case((Attendance.state == "pending", 1), else_=0)), 0))
        .select_from(Attendance).join(Event, Event.id == Attendance.event_id).where(*in_year)).one()
    rows = db.session.execute(
        select(Attendance, Event).join(Event, Event.id == Attendance.event_id).where(*in_year)
        .order_by(Event.starts_at.desc(), Attendance.id.desc()).limit(page_size).offset((page - 1) * page_size)).all()
    return {
        "summary": {"year": year, "count": totals[0], "hours_confirmed": float(totals[1]),
                    "hours_pending": float(totals[2]), "pending": int(totals[3])},
        "items": [{**core.attendance_json(att), "event": event_brief(event)} for att, event in rows],
        "page": page, "page_size": page_size, "total": totals[0],
    }


