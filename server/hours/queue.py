"""Reading hours: the reviewers' queue, one record with its history, a member's own records."""
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from server.attendance import core
from server.attendance.models import Attendance
from server.auth.models import Organization, User
from server.auth.permissions import (
    can_manage_event,
    forbid,
)
from server.common.audit import AuditLog
from server.common.errors import NotFound
from server.common.timeutil import iso_local, utcnow
from server.events import lookup
from server.events.models import Event
from server.extensions import db
from server.hours.common import HOURS_KINDS, dispute_json, is_locked, reviewer_of
from server.hours.models import HoursDispute, HoursReview

Confirmer = aliased(User)
OpenDispute = aliased(HoursDispute)

QUEUE_STATES = ("todo", "pending", "no_checkout", "disputed", "confirmed", "rejected", "checked_out", "all")


def rows_query():
    return (select(Attendance, Event, User.name.label("member_name"), User.phone.label("member_phone"),
                   Organization.name.label("branch_name"), HoursReview, OpenDispute,
                   Confirmer.name.label("confirmed_by_name"))
            .join(Event, Event.id == Attendance.event_id)
            .join(User, User.id == Attendance.user_id)
            .outerjoin(Organization, Organization.id == User.branch_id)
            .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
            .outerjoin(OpenDispute, and_(OpenDispute.attendance_id == Attendance.id, OpenDispute.status == "open"))
            .outerjoin(Confirmer, Confirmer.id == Attendance.confirmed_by_id))


def item_json(row, now: datetime) -> dict:
    att, event, review, dispute = row[0], row[1], row[5], row[6]
    return {
        **core.attendance_json(att),
        "member": {"id": att.user_id, "name": row.member_name, "phone": row.member_phone,
                   "branch_name": row.branch_name},
        "event": {"id": event.id, "title": event.title, "kind": event.kind, "place_name": event.place_name,
                  "starts_at": iso_local(event.starts_at), "ends_at": iso_local(event.ends_at),
                  "host_org_name": event.host_org.name if event.host_org else None,
                  "host_community_name": event.host_community.name if event.host_community else None},
        "max_hours": round(event.scheduled_hours, 2),
        "confirmed_by_id": att.confirmed_by_id, "confirmed_by_name": row.confirmed_by_name,
        "confirmed_at": iso_local(att.confirmed_at),
        "evaluation": review.evaluation if review else None, "comment": review.comment if review else "",
        "publicity_days": review.publicity_days if review else 0,
        "locks_at": iso_local(review.locks_at) if review else None, "locked": is_locked(review, now),
        "dispute": dispute_json(dispute),
    }


def queue(user: User, state: str = "todo", event_id: int | None = None, community_id: int | None = None,
          q: str | None = None, page: int = 1, page_size: int = 50, now: datetime | None = None) -> dict:
    """The reviewer's queue: "todo" = pending, no_checkout and open disputes. Three queries."""
    now = now or utcnow()
    reviewer = reviewer_of(user)
    if not reviewer.staff:
        forbid({"hint": "the hours queue is for liaisons, organizers and admins"})
    where = [lookup.reviews_clause(reviewer), Attendance.user_id != user.id]
    if event_id is not None:
        where.append(Attendance.event_id == event_id)
    if community_id is not None:
        where.append(Event.host_community_id == community_id)
    has_dispute = OpenDispute.id.is_not(None)
    counts_stmt = (select(func.count(case((Attendance.state == "pending", 1))),
                          func.count(case((Attendance.state == "no_checkout", 1))),
                          func.count(case((has_dispute, 1))))
                   .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
                   .outerjoin(OpenDispute, and_(OpenDispute.attendance_id == Attendance.id,
                                                OpenDispute.status == "open")).where(*where))
    pending, no_checkout, disputed = db.session.execute(counts_stmt).one()
    if state == "todo":
        where.append(or_(Attendance.state.in_(("pending", "no_checkout")), has_dispute))
    elif state == "disputed":
        where.append(has_dispute)
    elif state != "all":
        where.append(Attendance.state == state)
    if q:
        where.append(or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))
    stmt = rows_query().where(*where)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Attendance.id).subquery()))
    rows = db.session.execute(stmt.order_by(Event.starts_at, Event.id, User.name, Attendance.id)
                              .limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": [item_json(r, now) for r in rows], "total": total, "page": page, "page_size": page_size,
            "counts": {"pending": pending, "no_checkout": no_checkout, "disputed": disputed}}


def record_view(attendance_id: int, now: datetime | None = None) -> dict:
    row = db.session.execute(rows_query().where(Attendance.id == attendance_id)).first()
    return item_json(row, now or utcnow())


def detail(user: User, attendance_id: int, now: datetime | None = None) -> dict:
    """One record with its disputes and its audit history: the member, its reviewers, event managers."""
    now = now or utcnow()
    row = db.session.execute(rows_query().where(Attendance.id == attendance_id)).first()
    if row is None:
        raise NotFound(details={"attendance_id": attendance_id})
    att, event = row[0], row[1]
    if att.user_id != user.id and not lookup.reviews(reviewer_of(user), event) and not can_manage_event(user, event):
        forbid({"attendance_id": attendance_id})
    disputes = db.session.scalars(select(HoursDispute).where(HoursDispute.attendance_id == att.id)
                                  .order_by(HoursDispute.id)).all()
    Actor = aliased(User)
    history = db.session.execute(
        select(AuditLog, Actor.name).outerjoin(Actor, Actor.id == AuditLog.actor_id)
        .where(AuditLog.object_type == "attendance", AuditLog.object_id == att.id)
        .order_by(AuditLog.created_at, AuditLog.id)).all()
    return {**item_json(row, now), "disputes": [dispute_json(d) for d in disputes],
            "history": [{"action": a.action, "actor_id": a.actor_id, "actor_name": name, "before": a.before,
                         "after": a.after, "reason": a.reason, "at": iso_local(a.created_at)}
                        for a, name in history]}


def mine(user: User, page: int = 1, page_size: int = 50, now: datetime | None = None) -> dict:
    """The member's own hours records, newest first, with review, lock and open dispute."""
    now = now or utcnow()
    where = [Attendance.user_id == user.id, Event.kind.in_(HOURS_KINDS), Event.requires_checkout.is_(True)]
    stmt = rows_query().where(*where)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Attendance.id).subquery()))
    rows = db.session.execute(stmt.order_by(Event.starts_at.desc(), Attendance.id.desc())
                              .limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": [item_json(r, now) for r in rows], "total": total, "page": page, "page_size": page_size}
