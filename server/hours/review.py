"""Service hours review: the liaison's queue, confirm / adjust / reject / set by hand, bulk confirm,
disputes, publication (公示) and lock, and the per-event service details of the service record.

State machine (events that record hours: volunteer_service and community_duty):

    pending ──confirm──▶ confirmed          pending|confirmed|rejected|checked_out ──adjust──▶ confirmed
    no_checkout ──set──▶ confirmed          pending|confirmed|checked_out|no_checkout ──reject──▶ rejected

Who: a liaison for their communities' community_duty, an organizer for volunteer_service hosted in their
organizations (and below), admins for all; nobody for their own attendance. Hours never exceed the event's
scheduled length. Every change writes the audit log (before, after, who, why) in its transaction.
Points: paying, reversing and re-paying live in points.ledger (rule code "<kind>.hours", then "<kind>.hours.<n>");
a later change reverses the open hours payments and pays again under "<kind>.hours.<n>", because the
ledger pays a rule code once per attendance. Amounts are stored on entries, so rule changes never
rewrite what was paid. A record in publication locks at locks_at; after that only a change sent as a
correction (correction=true, with a reason) is accepted, and it is audited as "hours.correction.*".
"""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import lifecycle
from server.attendance.models import Attendance
from server.auth.models import User
from server.auth.permissions import (
    forbid,
)
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.events import lookup
from server.events.models import Event
from server.extensions import db
from server.hours.common import EPS, bad, commit, is_locked, load_for_review, publicity_map, reviewer_of, snapshot
from server.hours.models import HoursReview
from server.hours.queue import record_view
from server.points import ledger as points

BULK_MAX = 500


def _check_hours(event: Event, hours: float | None) -> float:
    if hours is None:
        raise bad("hours", "hours_required")
    if round(hours, 2) <= 0:  # 1e-300 is above 0 but stored as 0.0
        raise bad("hours", "hours_positive")
    scheduled = round(event.scheduled_hours, 2)
    if hours > event.scheduled_hours + EPS:
        raise Invalid({"hours": ("hours_at_most", {"max": scheduled})}, code="hours_above_scheduled",
                      details={"hours": hours, "max_hours": scheduled})
    return round(hours, 2)


def _upsert_review(att: Attendance, review: HoursReview | None, actor_id: int, now: datetime, days: int,
                   evaluation: str | None, comment: str | None, locked: bool, confirming: bool) -> HoursReview:
    if review is None:
        review = HoursReview(attendance_id=att.id, comment="", corrections=0)
        db.session.add(review)
    if evaluation is not None:
        review.evaluation = evaluation
    if comment is not None:
        review.comment = comment
    review.reviewed_by_id, review.reviewed_at = actor_id, now
    if locked:
        review.corrections = (review.corrections or 0) + 1  # a correction keeps the record locked
    elif confirming:
        review.publicity_days = days
        review.locks_at = now + timedelta(days=days) if days > 0 else None
    else:
        review.locks_at = None  # rejected: nothing to publish
    return review


def act(user: User, attendance_id: int, action: str, *, hours: float | None = None, reason: str = "",
        evaluation: str | None = None, comment: str | None = None, correction: bool = False,
        now: datetime | None = None) -> dict:
    """confirm | adjust | reject | set one attendance; see the module docstring for the rules."""
    now = now or utcnow()
    reason = (reason or "").strip()
    att, event, review = load_for_review(user, attendance_id)
    if not lifecycle.allowed(action, att.state):
        raise Conflict("hours_state", {"state": att.state, "action": action,
                                       "allowed": list(lifecycle.TRANSITIONS[action][0])})
    locked = is_locked(review, now)
    if locked and not correction:
        raise Conflict("hours_locked", {"locks_at": iso_local(review.locks_at),
                                             "hint": "send correction=true with a reason"})
    if action != "confirm" or locked:
        if not reason:
            raise bad("reason", "reason_required")
    if action in ("adjust", "set"):
        hours = _check_hours(event, hours)

    days = publicity_map([event]).get(event.id, 0)
    confirmed = None if action == "reject" else (att.hours_claimed or 0.0) if action == "confirm" else hours
    shown = {"review": review}  # the audited view includes the review, written in the same step

    def ledger() -> dict:
        """Reverse what was paid (unless a first confirmation), then pay the confirmed hours again."""
        reversed_total = points.reverse_hours(entries, user.id, reason or action) if action != "confirm" else 0
        paid = points.pay_hours(event.kind, att.user_id, att.id, confirmed or 0, entries, user.id,
                                reason) if action != "reject" else 0
        return {"points_paid": paid, "points_reversed": reversed_total}

    try:
        entries = points.hours_entries(att.id, event.kind)
        before = snapshot(att, review)
        shown["review"] = _upsert_review(att, review, user.id, now, days, evaluation, comment, locked,
                                         confirming=action != "reject")
        money = lifecycle.transition(
            att, action, user.id, reason, ledger=ledger, refusal="hours_state",
            changes={"hours_confirmed": confirmed, "confirmed_by_id": user.id, "confirmed_at": now},
            before=before, view=lambda a: snapshot(a, shown["review"]),
            audit_as=f"hours.correction.{action}" if locked else f"hours.{action}")
        paid, reversed_total = money["points_paid"], money["points_reversed"]
        db.session.commit()
    except (StaleDataError, IntegrityError):  # another reviewer changed it first: nothing of ours stays
        db.session.rollback()
        raise Conflict(details={"reason": "changed_concurrently"}) from None
    return {"action": action, "correction": locked, "points_paid": paid, "points_reversed": reversed_total,
            "item": record_view(att.id, now)}


def bulk_confirm(user: User, attendance_ids: list[int], evaluation: str | None = None, reason: str = "",
                 now: datetime | None = None) -> dict:
    """Confirm every pending record of the list in one transaction; others are reported as skipped.

    All are checked first: an unknown id is 404, one's own or another's scope 403, and nothing changes.
    A fixed number of queries whatever the length (rules per kind are read once)."""
    now, reason = now or utcnow(), (reason or "").strip()
    ids = list(dict.fromkeys(attendance_ids))
    if not ids:
        raise bad("attendance_ids", "hours_none_selected")
    if len(ids) > BULK_MAX:
        raise Invalid({"attendance_ids": ("hours_too_many", {"max": BULK_MAX})})
    rows = db.session.execute(
        select(Attendance, Event, HoursReview).join(Event, Event.id == Attendance.event_id)
        .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
        .where(Attendance.id.in_(ids)).order_by(Attendance.id)).all()
    missing = sorted(set(ids) - {att.id for att, _e, _r in rows})
    if missing:
        raise NotFound(details={"attendance_ids": missing})
    own = [att.id for att, _e, _r in rows if att.user_id == user.id]
    if own:
        raise Forbidden("hours_own", {"attendance_ids": own})
    reviewer = reviewer_of(user)
    outside = [att.id for att, event, _r in rows if not lookup.reviews(reviewer, event)]
    if outside:
        forbid({"attendance_ids": outside})
    days = publicity_map([event for _a, event, _r in rows])
    rules = {kind: points.rule_for(kind) for kind in {event.kind for _a, event, _r in rows}}
    confirmed, skipped, total = [], [], 0
    try:
        for att, event, review in rows:
            if not lifecycle.allowed("confirm", att.state):
                skipped.append({"attendance_id": att.id, "state": att.state})
                continue
            before = snapshot(att, review)
            review = _upsert_review(att, review, user.id, now, days.get(event.id, 0), evaluation, None, False, True)
            hours = att.hours_claimed or 0.0

            def first_payment(att=att, kind=event.kind, hours=hours) -> dict:
                """Pending records were never paid: the first payment, the same code as ledger.pay_hours."""
                return {"points_paid": points.pay(att.user_id, att.id, points.hours_code(kind),
                                                  points.hours_points(rules[kind], hours), user.id, reason),
                        "bulk": True}

            money = lifecycle.transition(
                att, "confirm", user.id, reason, before=before, view=lambda a, r=review: snapshot(a, r),
                changes={"hours_confirmed": hours, "confirmed_by_id": user.id, "confirmed_at": now},
                ledger=first_payment, audit_as="hours.confirm", refusal="hours_state")
            total += money["points_paid"]
            confirmed.append(att.id)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(details={"reason": "changed_concurrently"}) from None
    commit()
    return {"confirmed": confirmed, "skipped": skipped, "points_paid": total}
