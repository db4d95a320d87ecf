"""State changes of one attendance, shared by QR scans, manual check-in and corrections."""
from datetime import datetime, timedelta

from flask import current_app

from server.attendance.models import Attendance
from server.common.timeutil import iso_local
from server.events.models import Event
from server.extensions import db
from server.hours.rules import compute_hours
from server.points import services as points

OPEN_STATES = ("checked_in",)
LOOK_UP = object()  # rule not given: read it (the scan path passes the one it joined to the event)


def is_late(event: Event, at: datetime) -> bool:
    return event.kind == "party_day" and at > event.starts_at + timedelta(minutes=event.late_after_minutes)


def check_in(event: Event, user_id: int, at: datetime, method: str, actor_id: int | None = None,
             note: str = "", rule=LOOK_UP) -> tuple[Attendance, int]:
    """Create the attendance and pay check-in points; returns (attendance, points paid)."""
    att = Attendance(event_id=event.id, user_id=user_id, state="checked_in", checkin_at=at,
                     checkin_method=method, late=is_late(event, at), note=note)
    db.session.add(att)
    db.session.flush()  # the id ties the payment to it; the unique key settles races here
    paid = 0
    if event.kind == "party_day":
        rule = points.rule_for(event.kind) if rule is LOOK_UP else rule
        if rule is not None:
            amount = rule.late_checkin_points if att.late else rule.checkin_points
            code = "party_day.late_checkin" if att.late else "party_day.checkin"
            paid = points.pay(user_id, att.id, code, amount, actor_id)
    return att, paid


def check_out(event: Event, att: Attendance, at: datetime, method: str, actor_id: int | None = None,
              rule=LOOK_UP) -> int:
    """Close the attendance with its hours; pays now unless a liaison must confirm first."""
    hours = compute_hours(event.starts_at, event.ends_at, att.checkin_at or at, at,
                          current_app.config["HOURS_STEP"])
    att.checkout_at, att.checkout_method, att.hours_claimed = at, method, hours
    if event.requires_confirmation:
        att.state = "pending"
        return 0
    att.state, att.hours_confirmed = "checked_out", hours
    rule = points.rule_for(event.kind) if rule is LOOK_UP else rule
    return points.pay(att.user_id, att.id, f"{event.kind}.hours", points.hours_points(rule, hours), actor_id)


def pay_confirmed_hours(event: Event, att: Attendance, actor_id: int | None) -> int:
    """Called when a liaison or organizer confirms hours."""
    rule = points.rule_for(event.kind)
    return points.pay(att.user_id, att.id, f"{event.kind}.hours",
                      points.hours_points(rule, att.hours_confirmed or 0), actor_id)


def attendance_json(att: Attendance, zone=None) -> dict:
    return {
        "id": att.id, "event_id": att.event_id, "user_id": att.user_id, "state": att.state,
        "checkin_at": iso_local(att.checkin_at, zone), "checkin_method": att.checkin_method,
        "checkout_at": iso_local(att.checkout_at, zone), "checkout_method": att.checkout_method,
        "late": att.late, "hours_claimed": att.hours_claimed, "hours_confirmed": att.hours_confirmed,
        "note": att.note,
    }
