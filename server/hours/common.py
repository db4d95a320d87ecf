"""Shared by the hours modules: who reviews, loading a record for review, the audited view, publication days."""
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

import server.hours.messages  # noqa: F401  (registers the message codes)
from server.attendance.models import Attendance
from server.auth.models import User
from server.auth.permissions import (
    forbid,
)
from server.auth.scope import Scope, scope_of
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.common.timeutil import iso_local
from server.events import lookup
from server.events.kinds import codes_where
from server.events.lookup import event_for
from server.events.models import Event
from server.extensions import db
from server.hours.models import HoursDispute, HoursReview, HoursSetting

HOURS_KINDS = codes_where(records_hours=True)


EPS = 1e-9


def reviewer_of(user: User) -> Scope:
    """Who reviews what lives in the request's Scope (server.auth.scope, server.events.lookup)."""
    return scope_of(user)


def bad(field: str, code: str) -> Invalid:
    return Invalid({field: code})


def is_locked(review: HoursReview | None, now: datetime) -> bool:
    return review is not None and review.locks_at is not None and review.locks_at <= now


def snapshot(att: Attendance, review: HoursReview | None = None) -> dict:
    """The audited view of an attendance's hours."""
    return {"state": att.state, "hours_claimed": att.hours_claimed, "hours_confirmed": att.hours_confirmed,
            "confirmed_by_id": att.confirmed_by_id,
            "evaluation": review.evaluation if review else None,
            "locks_at": iso_local(review.locks_at) if review else None}


def path_org_ids(path: str) -> list[int]:
    return [int(p) for p in path.split("/") if p]


def publicity_map(events: list[Event]) -> dict[int, int]:
    """event id → publication days: the host community's setting, or the nearest organization's. One query."""
    comm_ids = {e.host_community_id for e in events if e.host_community_id}
    org_ids = {i for e in events if e.host_org is not None for i in path_org_ids(e.host_org.path)}
    if not comm_ids and not org_ids:
        return {}
    rows = db.session.execute(select(HoursSetting.community_id, HoursSetting.organization_id,
                                     HoursSetting.publicity_days).where(or_(
                                         HoursSetting.community_id.in_(sorted(comm_ids) or [-1]),
                                         HoursSetting.organization_id.in_(sorted(org_ids) or [-1])))).all()
    by_comm = {r.community_id: r.publicity_days for r in rows if r.community_id is not None}
    by_org = {r.organization_id: r.publicity_days for r in rows if r.organization_id is not None}
    result = {}
    for e in events:
        days = 0
        if e.host_community_id:
            days = by_comm.get(e.host_community_id, 0)
        elif e.host_org is not None:
            for oid in reversed(path_org_ids(e.host_org.path)):  # nearest setting wins
                if oid in by_org:
                    days = by_org[oid]
                    break
        result[e.id] = days
    return result


def commit() -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(details={"reason": "changed_concurrently"}) from None


def load(attendance_id: int):
    row = db.session.execute(
        select(Attendance, Event, HoursReview).join(Event, Event.id == Attendance.event_id)
        .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
        .where(Attendance.id == attendance_id)).first()
    if row is None:
        raise NotFound(details={"attendance_id": attendance_id})
    return row


def load_for_review(user: User, attendance_id: int):
    att, event, review = load(attendance_id)
    if event.kind not in HOURS_KINDS or not event.requires_checkout:
        raise Conflict("hours_no_hours", {"attendance_id": att.id, "kind": event.kind})
    if att.user_id == user.id:
        raise Forbidden("hours_own", {"attendance_id": att.id})
    if not lookup.reviews(reviewer_of(user), event):
        forbid({"attendance_id": att.id, "hint": "liaisons review their communities' duties; "
                                                 "organizers their organizations' services"})
    return att, event, review


def managed_event(user: User, event_id: int) -> Event:
    return event_for(scope_of(user), event_id, "review")


def dispute_json(d: HoursDispute | None) -> dict | None:
    if d is None or d.id is None:
        return None
    return {"id": d.id, "attendance_id": d.attendance_id, "message": d.message, "status": d.status,
            "answer": d.answer or "", "answered_by_id": d.answered_by_id,
            "answered_at": iso_local(d.answered_at), "created_at": iso_local(d.created_at)}

