"""Claiming (认领) a duty slot and withdrawing, up to the slot's capacity.

Races for the last place are settled in the database: on PostgreSQL the slot row is locked
FOR UPDATE before counting; on SQLite every writing request takes the write lock at BEGIN
(server.db_setup), so claims are serialised. One member's double tap meets the unique
(slot, member) key and gets the first claim back.
"""
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from server.attendance.models import Attendance
from server.auth.models import User
from server.common.errors import Conflict, Forbidden
from server.common.timeutil import utcnow
from server.community.access import get_or_404, member_brief, require_liaison
from server.community.duties.services import active_claims, claim_counts, slot_view
from server.community.models import Duty, DutyClaim, DutySlot
from server.extensions import db


def _claim_of(slot_id: int, user_id: int) -> DutyClaim | None:
    return db.session.scalar(select(DutyClaim).where(DutyClaim.slot_id == slot_id, DutyClaim.user_id == user_id))


def claim(user: User, slot_id: int, now: datetime | None = None) -> tuple[dict, int]:
    """201 with the claim; 200 when this member already holds it; refusals name their reason."""
    now = now or utcnow()
    for _attempt in range(2):
        slot = get_or_404(DutySlot, slot_id, lock=True)
        duty = slot.duty
        if user.community_id != duty.community_id:
            raise Forbidden("claim_not_registered", {"community_id": duty.community_id})
        if slot.status == "cancelled" or duty.status == "cancelled":
            raise Conflict("claim_slot_cancelled")
        existing = _claim_of(slot.id, user.id)
        if existing is not None and existing.status == "active":
            return claim_json(existing, slot, active_claims(slot.id), now), 200
        if duty.status != "open":
            raise Conflict("duty_not_open", {"status": duty.status})
        if now >= slot.ends_at:
            raise Conflict("claim_slot_over")
        taken = active_claims(slot.id)
        if taken >= slot.capacity:
            raise Conflict("claim_full", {"capacity": slot.capacity, "claimed": taken})
        if existing is not None:  # claimed, withdrew, claims again: the same row comes back
            existing.status, existing.claimed_at, existing.withdrawn_at = "active", now, None
        else:
            existing = DutyClaim(slot_id=slot.id, user_id=user.id, status="active", claimed_at=now)
            db.session.add(existing)
        try:
            db.session.commit()
            return claim_json(existing, slot, taken + 1, now), 201
        except IntegrityError:  # the same member's other request inserted first: answer with it
            db.session.rollback()
    raise Conflict()


def withdraw(user: User, slot_id: int, now: datetime | None = None) -> dict:
    """Only before the slot starts, and not once checked in."""
    now = now or utcnow()
    slot = get_or_404(DutySlot, slot_id, lock=True)
    existing = _claim_of(slot.id, user.id)
    if existing is None or existing.status != "active":
        raise Conflict("claim_not_claimed")
    if now >= slot.starts_at:
        raise Conflict("claim_withdraw_too_late", {"starts_at": slot.starts_at.isoformat()})
    checked_in = db.session.scalar(select(Attendance.id).where(Attendance.event_id == slot.event_id,
                                                               Attendance.user_id == user.id))
    if checked_in is not None:
        raise Conflict("claim_withdraw_too_late", {"reason": "checked_in"})
    existing.status, existing.withdrawn_at = "withdrawn", now
    db.session.commit()
    return claim_json(existing, slot, active_claims(slot.id), now)


def mine(user: User, include_past: bool = False, now: datetime | None = None) -> list[dict]:
    """The member's active claims with each slot's attendance: one query."""
    now = now or utcnow()
    stmt = (select(DutyClaim, Attendance)
            .join(DutySlot, DutySlot.id == DutyClaim.slot_id)
            .outerjoin(Attendance, and_(Attendance.event_id == DutySlot.event_id, Attendance.user_id == user.id))
            .where(DutyClaim.user_id == user.id, DutyClaim.status == "active"))
    if not include_past:
        stmt = stmt.where(DutySlot.ends_at > now)
    rows = db.session.execute(stmt.order_by(DutySlot.starts_at, DutyClaim.id)).all()
    counts, _mine = claim_counts([c.slot_id for c, _a in rows], user.id)
    return [{**claim_json(c, c.slot, counts.get(c.slot_id, 0), now), "attendance": attendance_brief(a)}
            for c, a in rows]


def slot_claims(user: User, slot_id: int, now: datetime | None = None) -> dict:
    """For the liaison: who claimed the slot (withdrawals too) and how each attendance stands."""
    now = now or utcnow()
    slot = get_or_404(DutySlot, slot_id)
    require_liaison(user, slot.duty.community_id)
    rows = db.session.execute(
        select(DutyClaim, Attendance)
        .outerjoin(Attendance, and_(Attendance.event_id == slot.event_id, Attendance.user_id == DutyClaim.user_id))
        .where(DutyClaim.slot_id == slot.id).order_by(DutyClaim.status, DutyClaim.claimed_at, DutyClaim.id)).all()
    claimed = sum(1 for c, _a in rows if c.status == "active")
    return {"slot": slot_view(slot, claimed, False, now),
            "claims": [{"id": c.id, "status": c.status, "claimed_at": c.claimed_at, "withdrawn_at": c.withdrawn_at,
                        "withdraw_reason": c.withdraw_reason, "member": member_brief(c.user),
                        "attendance": attendance_brief(a)} for c, a in rows]}


def attendance_brief(att: Attendance | None) -> dict | None:
    if att is None:
        return None
    return {"id": att.id, "state": att.state, "checkin_at": att.checkin_at, "checkout_at": att.checkout_at,
            "hours_claimed": att.hours_claimed, "hours_confirmed": att.hours_confirmed}


def claim_json(c: DutyClaim, slot: DutySlot, claimed: int | None, now: datetime) -> dict:
    duty: Duty = slot.duty
    return {"id": c.id, "status": c.status, "claimed_at": c.claimed_at, "withdrawn_at": c.withdrawn_at,
            "slot": slot_view(slot, claimed if claimed is not None else active_claims(slot.id),
                              c.status == "active", now),
            "duty": {"id": duty.id, "title": duty.title, "place_name": duty.place_name,
                     "community_id": duty.community_id, "community_name": duty.community.name}}
