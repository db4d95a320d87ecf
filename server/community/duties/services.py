"""The needs list (需求清单): duties with time slots, each slot backed by its own community_duty event.

The slot's event has audience "claimers", so its ordinary check-in and check-out scans admit exactly
the members holding an active claim on the slot (server.events.audience).
"""
from datetime import datetime

from sqlalchemy import func, select

from server.auth.models import User
from server.auth.permissions import can_manage_community, forbid
from server.common.errors import Conflict, Invalid
from server.common.timeutil import utcnow
from server.community.access import community_or_404, get_or_404, require_liaison
from server.community.models import Duty, DutyClaim, DutySlot
from server.events.kinds import SLOT_KIND
from server.events.models import Event
from server.events.services import new_event
from server.extensions import db

EVENT_TEXT = ("title", "description", "place_name")


def _field_error(field: str, code: str, index: int | None = None) -> Invalid:
    """A slot's field error; a slot created with its duty is named by its index (slots.<i>.<field>)."""
    return Invalid({field if index is None else f"slots.{index}.{field}": code})


def _new_slot(duty: Duty, data: dict, actor: User, now: datetime, index: int | None = None) -> DutySlot:
    if data["ends_at"] <= data["starts_at"]:
        raise _field_error("ends_at", "slot_ends_before_start", index)
    if data["ends_at"] <= now:
        raise _field_error("ends_at", "slot_over", index)
    event = new_event(SLOT_KIND, duty.title, data["starts_at"], data["ends_at"],
                      host_community_id=duty.community_id, audience="claimers", description=duty.description,
                      place_name=duty.place_name, created_by_id=actor.id)
    db.session.add(event)
    db.session.flush()
    slot = DutySlot(duty=duty, starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"],
                    event_id=event.id, status="open")
    db.session.add(slot)
    return slot


def create_duty(user: User, community_id: int, data: dict, now: datetime | None = None) -> dict:
    community_or_404(community_id)
    require_liaison(user, community_id)
    now = now or utcnow()
    duty = Duty(community_id=community_id, title=data["title"], description=data.get("description", ""),
                place_name=data.get("place_name", ""), skills=data.get("skills", []), status="open",
                created_by_id=user.id)
    db.session.add(duty)
    db.session.flush()
    for index, slot in enumerate(data["slots"]):
        _new_slot(duty, slot, user, now, index)
    db.session.commit()
    return duty_view(user, duty, now)


def _managed_duty(user: User, duty_id: int) -> Duty:
    duty = get_or_404(Duty, duty_id)
    require_liaison(user, duty.community_id)
    return duty


def update_duty(user: User, duty_id: int, data: dict, now: datetime | None = None) -> dict:
    """Edit the need; texts follow into the slots' events, cancelling cancels the slots not yet over."""
    now = now or utcnow()
    duty = _managed_duty(user, duty_id)
    for key in (*EVENT_TEXT, "skills", "status"):
        if key in data:
            setattr(duty, key, data[key])
    events = {s.event_id: s for s in duty.slots}
    for event in db.session.scalars(select(Event).where(Event.id.in_(events))):
        slot = events[event.id]
        for key in EVENT_TEXT:
            if key in data:
                setattr(event, key, data[key])
        if data.get("status") == "cancelled" and slot.ends_at > now and slot.status == "open":
            slot.status, event.status = "cancelled", "cancelled"
    db.session.commit()
    return duty_view(user, duty, now)


def add_slot(user: User, duty_id: int, data: dict, now: datetime | None = None) -> dict:
    now = now or utcnow()
    duty = _managed_duty(user, duty_id)
    if duty.status != "open":
        raise Conflict("duty_not_open", {"status": duty.status})
    slot = _new_slot(duty, data, user, now)
    db.session.commit()
    return slot_view(slot, 0, False, now)


def _managed_slot(user: User, slot_id: int, lock: bool = False) -> DutySlot:
    slot = get_or_404(DutySlot, slot_id)
    require_liaison(user, slot.duty.community_id)
    return get_or_404(DutySlot, slot_id, lock=True) if lock else slot


def active_claims(slot_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(DutyClaim).where(
        DutyClaim.slot_id == slot_id, DutyClaim.status == "active"))


def update_slot(user: User, slot_id: int, data: dict, now: datetime | None = None) -> dict:
    """Change the number wanted (never below the claims held) or, before it starts, the times."""
    now = now or utcnow()
    slot = _managed_slot(user, slot_id, lock=True)
    claimed = active_claims(slot.id)
    if "capacity" in data:
        if data["capacity"] < claimed:
            raise Conflict("claim_capacity_below_claims", {"claimed": claimed})
        slot.capacity = data["capacity"]
    if "starts_at" in data or "ends_at" in data:
        if now >= slot.starts_at:
            raise Conflict("duty_slot_started")
        starts, ends = data.get("starts_at", slot.starts_at), data.get("ends_at", slot.ends_at)
        if ends <= starts:
            raise _field_error("ends_at", "slot_ends_before_start")
        if starts <= now:
            raise _field_error("starts_at", "slot_starts_in_past")
        event = db.session.get(Event, slot.event_id)
        opens_before, closes_after = event.starts_at - event.window_opens_at, event.window_closes_at - event.ends_at
        event.starts_at, event.ends_at = starts, ends
        event.window_opens_at, event.window_closes_at = starts - opens_before, ends + closes_after
        slot.starts_at, slot.ends_at = starts, ends
    db.session.commit()
    return slot_view(slot, claimed, False, now)


def cancel_slot(user: User, slot_id: int, now: datetime | None = None) -> dict:
    """Cancel one slot and its event; claims stay on record, the event refuses scans as cancelled."""
    now = now or utcnow()
    slot = _managed_slot(user, slot_id, lock=True)
    slot.status = "cancelled"
    db.session.get(Event, slot.event_id).status = "cancelled"
    db.session.commit()
    return slot_view(slot, active_claims(slot.id), False, now)


# -- reading ----------------------------------------------------------------------------------

def require_viewer(user: User, community_id: int) -> None:
    """The needs list is for members registered with the community, its liaisons and admins."""
    if user.community_id != community_id and not can_manage_community(user, community_id):
        forbid({"community_id": community_id, "reason": "not_registered"})


def claim_counts(slot_ids: list[int], user_id: int) -> tuple[dict[int, int], set[int]]:
    """Active claims per slot, and the slots this user holds: two queries for any number of slots."""
    if not slot_ids:
        return {}, set()
    counts = dict(db.session.execute(select(DutyClaim.slot_id, func.count()).where(
        DutyClaim.slot_id.in_(slot_ids), DutyClaim.status == "active").group_by(DutyClaim.slot_id)).all())
    mine = set(db.session.scalars(select(DutyClaim.slot_id).where(
        DutyClaim.slot_id.in_(slot_ids), DutyClaim.user_id == user_id, DutyClaim.status == "active")))
    return counts, mine


def list_duties(user: User, community_id: int, include_past: bool = False, now: datetime | None = None) -> list:
    now = now or utcnow()
    community_or_404(community_id)
    require_viewer(user, community_id)
    stmt = select(Duty).where(Duty.community_id == community_id)
    if not include_past:
        upcoming = select(DutySlot.duty_id).where(DutySlot.ends_at > now, DutySlot.status == "open")
        stmt = stmt.where(Duty.status == "open", Duty.id.in_(upcoming))
    duties = db.session.scalars(stmt.order_by(Duty.created_at.desc(), Duty.id.desc())).unique().all()
    slot_ids = [s.id for d in duties for s in d.slots]
    counts, mine = claim_counts(slot_ids, user.id)
    return [duty_json(d, counts, mine, now, include_past) for d in duties]


def duty_view(user: User, duty: Duty | int, now: datetime | None = None) -> dict:
    now = now or utcnow()
    if isinstance(duty, int):
        duty = get_or_404(Duty, duty)
        require_viewer(user, duty.community_id)
    counts, mine = claim_counts([s.id for s in duty.slots], user.id)
    return duty_json(duty, counts, mine, now, include_past=True)


def duty_json(duty: Duty, counts: dict, mine: set, now: datetime, include_past: bool) -> dict:
    slots = [s for s in duty.slots if include_past or (s.ends_at > now and s.status == "open")]
    return {"id": duty.id, "community_id": duty.community_id, "community_name": duty.community.name,
            "title": duty.title, "description": duty.description, "place_name": duty.place_name,
            "skills": list(duty.skills or []), "status": duty.status, "created_at": duty.created_at,
            "slots": [slot_view(s, counts.get(s.id, 0), s.id in mine, now) for s in slots]}


def slot_view(slot: DutySlot, claimed: int, mine: bool, now: datetime) -> dict:
    open_ = slot.status == "open" and slot.duty.status == "open"
    return {"id": slot.id, "duty_id": slot.duty_id, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
            "capacity": slot.capacity, "claimed": claimed, "remaining": max(slot.capacity - claimed, 0),
            "status": slot.status, "event_id": slot.event_id, "claimed_by_me": mine,
            "can_claim": open_ and not mine and claimed < slot.capacity and now < slot.ends_at,
            "can_withdraw": mine and now < slot.starts_at}
