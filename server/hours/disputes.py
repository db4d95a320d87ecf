"""Disputes: a member objects to their own hours; a reviewer answers. Audited; one open dispute per record."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.attendance import lifecycle
from server.auth.models import User
from server.common import audit
from server.common.errors import Conflict, Forbidden, NotFound
from server.common.timeutil import iso_local, utcnow
from server.extensions import db
from server.hours.common import HOURS_KINDS, bad, commit, dispute_json, is_locked, load, load_for_review
from server.hours.models import HoursDispute


def open_dispute(user: User, attendance_id: int, message: str, now: datetime | None = None) -> dict:
    """The member objects to their own hours; the dispute shows in the reviewers' queue."""
    now, message = now or utcnow(), (message or "").strip()
    if not message:
        raise bad("message", "hours_dispute_message_required")
    att, event, review = load(attendance_id)
    if att.user_id != user.id:
        raise Forbidden("hours_not_yours", {"attendance_id": att.id})
    if event.kind not in HOURS_KINDS or not event.requires_checkout:
        raise Conflict("hours_no_hours", {"attendance_id": att.id, "kind": event.kind})
    if not lifecycle.allowed("dispute", att.state):
        raise Conflict("hours_state", {"state": att.state, "action": "dispute",
                                       "allowed": list(lifecycle.TRANSITIONS["dispute"][0])})
    if is_locked(review, now):
        raise Conflict("hours_locked", {"locks_at": iso_local(review.locks_at)})
    if db.session.scalar(select(HoursDispute.id).where(HoursDispute.attendance_id == att.id,
                                                       HoursDispute.status == "open")):
        raise Conflict("hours_dispute_open", {"attendance_id": att.id})
    dispute = HoursDispute(attendance_id=att.id, user_id=user.id, message=message[:2000], status="open",
                           answer="", created_at=now)
    db.session.add(dispute)
    try:
        db.session.flush()  # the partial unique index settles two racing disputes
    except IntegrityError:
        db.session.rollback()
        raise Conflict("hours_dispute_open", {"attendance_id": attendance_id}) from None
    audit.record(user.id, "hours.dispute", "attendance", att.id, None,
                 {"dispute_id": dispute.id, "message": dispute.message}, dispute.message)
    commit()
    return dispute_json(dispute)


def answer_dispute(user: User, dispute_id: int, answer: str, now: datetime | None = None) -> dict:
    now, answer = now or utcnow(), (answer or "").strip()
    if not answer:
        raise bad("answer", "hours_dispute_answer_required")
    dispute = db.session.get(HoursDispute, dispute_id)
    if dispute is None:
        raise NotFound(details={"dispute_id": dispute_id})
    load_for_review(user, dispute.attendance_id)
    if dispute.status != "open":
        raise Conflict("hours_dispute_not_open", {"dispute": dispute_json(dispute)})
    dispute.status, dispute.answer = "answered", answer[:2000]
    dispute.answered_by_id, dispute.answered_at = user.id, now
    audit.record(user.id, "hours.dispute.answer", "attendance", dispute.attendance_id,
                 {"dispute_id": dispute.id, "status": "open"},
                 {"dispute_id": dispute.id, "status": "answered", "answer": dispute.answer}, dispute.answer)
    commit()
    return dispute_json(dispute)
