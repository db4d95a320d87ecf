"""Leave (请假): a member asks before a meeting or Party day starts; the branch's secretary (an organizer
managing the event) or an admin approves or declines. Approved leave is the attendance state excused
(attendance.lifecycle.excuse): not absent, no absence deduction. Members see only their own requests."""
from datetime import datetime

from sqlalchemy import select

import server.orglife.messages  # noqa: F401  (registers the message codes)
from server.attendance import lifecycle
from server.attendance.models import Attendance
from server.auth.models import User
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Conflict, Forbidden, NotFound
from server.common.timeutil import iso_local, utcnow
from server.events import audience
from server.events.kinds import KINDS
from server.events.lookup import event_for
from server.extensions import db
from server.hours.models import AbsenceDeduction
from server.orglife.models import LeaveRequest
from server.points import rules_admin


def leave_json(r: LeaveRequest, name: str | None = None, title: str | None = None) -> dict:
    return {"id": r.id, "event_id": r.event_id, "member_id": r.user_id, "member_name": name, "event_title": title,
            "reason": r.reason, "status": r.status, "decided_by_id": r.decided_by_id,
            "decided_at": iso_local(r.decided_at) if r.decided_at else None, "decision_note": r.decision_note,
            "created_at": iso_local(r.created_at)}


def ask(user: User, event_id: int, reason: str, now: datetime | None = None) -> dict:
    """Before the start, by a member the event expects; one request per member and event."""
    now = now or utcnow()
    event = event_for(scope_of(user), event_id, "see")
    if not KINDS[event.kind].org_life:
        raise Conflict("orglife_leave_not_meeting", {"event_id": event_id})
    if event.status not in ("published", "draft"):
        raise Conflict("orglife_leave_not_open", {"event_id": event_id, "status": event.status})
    if now >= event.starts_at:
        raise Conflict("orglife_leave_too_late", {"event_id": event_id, "starts_at": iso_local(event.starts_at)})
    if not audience.is_eligible(user, event):
        raise Forbidden("orglife_leave_not_expected", {"event_id": event_id})
    if db.session.scalar(select(Attendance.id).where(Attendance.event_id == event_id,
                                                     Attendance.user_id == user.id)) is not None:
        raise Conflict("orglife_leave_checked_in", {"event_id": event_id})
    if db.session.scalar(select(LeaveRequest.id).where(LeaveRequest.event_id == event_id,
                                                       LeaveRequest.user_id == user.id)) is not None:
        raise Conflict("orglife_leave_exists", {"event_id": event_id})
    req = LeaveRequest(event_id=event_id, user_id=user.id, reason=reason, status="pending", created_at=now)
    db.session.add(req)
    db.session.flush()
    audit.record(user.id, "orglife.leave.ask", "leave_request", req.id, None,
                 {"event_id": event_id, "status": "pending"}, reason)
    db.session.commit()
    return leave_json(req, user.name, event.title)


def _managed_request(actor: User, leave_id: int):
    """The request and its event, if the actor manages the event; 404 (not 403) so requests do not leak."""
    req = db.session.get(LeaveRequest, leave_id)
    if req is None:
        raise NotFound(details={"leave_id": leave_id})
    try:
        return req, event_for(scope_of(actor), req.event_id, "manage")
    except NotFound:
        raise NotFound(details={"leave_id": leave_id}) from None


def decide(actor: User, leave_id: int, approve: bool, note: str = "", now: datetime | None = None) -> dict:
    """Approve (the member becomes excused) or decline a pending request of an event the actor manages."""
    now = now or utcnow()
    req, event = _managed_request(actor, leave_id)
    if req.status != "pending":
        raise Conflict("orglife_leave_decided", {"leave_id": leave_id, "status": req.status})
    before = {"status": req.status}
    req.status, req.decided_by_id, req.decided_at, req.decision_note = (
        "approved" if approve else "declined", actor.id, now, note)
    if approve:
        if db.session.scalar(select(Attendance.id).where(Attendance.event_id == req.event_id,
                                                         Attendance.user_id == req.user_id)) is not None:
            raise Conflict("orglife_leave_checked_in", {"event_id": req.event_id})
        lifecycle.excuse(req.event_id, req.user_id, actor.id, f"请假获批：{req.reason}", now)
    audit.record(actor.id, f"orglife.leave.{req.status}", "leave_request", req.id, before,
                 {"status": req.status, "event_id": req.event_id, "member_id": req.user_id}, note)
    db.session.commit()
    if approve:  # decided after the meeting closed: its absence deduction is reversed
        absence = db.session.scalar(select(AbsenceDeduction).where(
            AbsenceDeduction.event_id == req.event_id, AbsenceDeduction.user_id == req.user_id,
            AbsenceDeduction.excused.is_(False)))
        if absence is not None:
            rules_admin.excuse_absence(actor, absence.id, f"请假获批：{req.reason}")
    name = db.session.scalar(select(User.name).where(User.id == req.user_id))
    return leave_json(req, name, event.title)


def withdraw(actor: User, leave_id: int, reason: str) -> dict:
    """Take an approved leave back (the member came after all): no longer excused, so they can check in."""
    req, event = _managed_request(actor, leave_id)
    att = db.session.scalar(select(Attendance).where(Attendance.event_id == req.event_id,
                                                     Attendance.user_id == req.user_id))
    if req.status != "approved" or att is None or att.state != "excused":
        raise Conflict("orglife_leave_decided", {"leave_id": leave_id, "status": req.status})
    lifecycle.unexcuse(att, actor.id, f"撤销请假：{reason}")
    before = {"status": req.status}
    req.status = "withdrawn"
    audit.record(actor.id, "orglife.leave.withdrawn", "leave_request", req.id, before,
                 {"status": req.status, "event_id": req.event_id, "member_id": req.user_id}, reason)
    db.session.commit()
    name = db.session.scalar(select(User.name).where(User.id == req.user_id))
    return leave_json(req, name, event.title)


def mine(user: User) -> list[dict]:
    from server.events.models import Event
    rows = db.session.execute(select(LeaveRequest, Event.title).join(Event, Event.id == LeaveRequest.event_id)
                              .where(LeaveRequest.user_id == user.id).order_by(LeaveRequest.id.desc()))
    return [leave_json(r, user.name, title) for r, title in rows]


def for_event(actor: User, event_id: int) -> list[dict]:
    """The requests of one event, for whoever manages it."""
    event = event_for(scope_of(actor), event_id, "manage")
    rows = db.session.execute(select(LeaveRequest, User.name).join(User, User.id == LeaveRequest.user_id)
                              .where(LeaveRequest.event_id == event_id).order_by(LeaveRequest.id))
    return [leave_json(r, name, event.title) for r, name in rows]


def pending(actor: User) -> list[dict]:
    """Undecided requests of the events the actor manages, soonest meeting first (the secretary's inbox)."""
    from server.events.lookup import manages_clause
    from server.events.models import Event
    rows = db.session.execute(select(LeaveRequest, User.name, Event.title).join(User, User.id == LeaveRequest.user_id)
                              .join(Event, Event.id == LeaveRequest.event_id)
                              .where(LeaveRequest.status == "pending", manages_clause(scope_of(actor)))
                              .order_by(Event.starts_at, LeaveRequest.id).limit(200))
    return [leave_json(r, name, title) for r, name, title in rows]
