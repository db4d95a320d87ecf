"""State changes of one attendance, shared by QR scans, manual check-in and corrections."""
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.exc import StaleDataError

from server.attendance.duration import compute_hours
from server.attendance.models import Attendance
from server.common.timeutil import iso_local
from server.events.kinds import KINDS
from server.events.models import Event
from server.extensions import db
from server.points import ledger as points

TABLE = Attendance.__table__
INSERT = insert(TABLE).returning(TABLE.c.id)
CHECK_OUT = update(TABLE).where(TABLE.c.id == bindparam("att_id"), TABLE.c.version == bindparam("seen_version"))
LOOK_UP = object()  # rule not given: read it (the scan path passes the one it joined to the event)


def is_late(event, at: datetime) -> bool:
    return KINDS[event.kind].late_rule and at > event.starts_at + timedelta(minutes=event.late_after_minutes)


@dataclass
class AttendanceState:
    """An attendance as the check-in paths see it: plain values, written with Core statements."""

    id: int
    event_id: int
    user_id: int
    state: str
    checkin_at: datetime | None
    checkin_method: str | None
    checkout_at: datetime | None = None
    checkout_method: str | None = None
    late: bool = False
    hours_claimed: float | None = None
    hours_confirmed: float | None = None
    note: str = ""
    version: int = 1

    @classmethod
    def of(cls, att) -> "AttendanceState":
        return cls(**{f.name: getattr(att, f.name) for f in fields(cls)})


def check_in(event, user_id: int, at: datetime, method: str, actor_id: int | None = None,
             note: str = "", rule=LOOK_UP) -> tuple[AttendanceState, int]:
    """Insert the attendance and pay check-in points; the unique key (event, member) settles races."""
    late = is_late(event, at)
    att_id = db.session.connection().execute(INSERT, {
        "event_id": event.id, "user_id": user_id, "state": "checked_in", "checkin_at": at, "checkin_method": method,
        "late": late, "note": note, "version": 1}).scalar_one()
    att = AttendanceState(att_id, event.id, user_id, "checked_in", at, method, late=late, note=note)
    paid = 0
    kind = KINDS[event.kind]
    if kind.pays_at_checkin:
        rule = points.rule_for(event.kind) if rule is LOOK_UP else rule
        if rule is not None:
            amount = rule.late_checkin_points if late else rule.checkin_points
            code = kind.rule_code("late_checkin" if late else "checkin")
            paid = points.pay_at_once(user_id, att_id, code, amount, actor_id)
    return att, paid


def check_out(event, att, at: datetime, method: str, actor_id: int | None = None,
              rule=LOOK_UP) -> tuple[AttendanceState, int]:
    """Close the attendance with its hours; pays now unless a liaison must confirm first.

    The update is conditional on the version read, so a racing change makes it fail (StaleDataError)."""
    hours = compute_hours(event.starts_at, event.ends_at, att.checkin_at or at, at,
                          current_app.config["HOURS_STEP"])
    pending = bool(event.requires_confirmation)
    new = replace(AttendanceState.of(att), checkout_at=at, checkout_method=method, hours_claimed=hours,
                  state="pending" if pending else "checked_out", version=att.version + 1)
    if not pending:
        new.hours_confirmed = hours
    done = db.session.connection().execute(CHECK_OUT, {
        "att_id": att.id, "seen_version": att.version, "state": new.state, "checkout_at": at,
        "checkout_method": method, "hours_claimed": hours, "hours_confirmed": new.hours_confirmed,
        "version": new.version})
    if done.rowcount != 1:
        raise StaleDataError(f"attendance {att.id} changed while checking out")
    if pending:
        return new, 0
    rule = points.rule_for(event.kind) if rule is LOOK_UP else rule
    return new, points.pay_at_once(att.user_id, att.id, f"{event.kind}.hours", points.hours_points(rule, hours),
                                   actor_id)


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
