"""Who may check in to an event, by its audience."""
from sqlalchemy import select

from server.auth.models import User
from server.community.models import DutyClaim, DutySlot
from server.events.models import Event
from server.extensions import db


def is_eligible(user: User, event: Event) -> bool:
    if event.audience == "open":
        return True
    if event.audience == "organization":
        return bool(user.branch and event.host_org and user.branch.path.startswith(event.host_org.path))
    if event.audience == "community":
        return user.community_id is not None and user.community_id == event.host_community_id
    if event.audience == "claimers":
        return holds_claim(user.id, event.id)
    return False


def holds_claim(user_id: int, event_id: int) -> bool:
    """An active claim on the duty slot whose event this is: one lookup on two unique indexes
    (duty_slots.event_id, then duty_claims (slot_id, user_id))."""
    return db.session.scalar(
        select(DutyClaim.id).join(DutySlot, DutySlot.id == DutyClaim.slot_id)
        .where(DutySlot.event_id == event_id, DutyClaim.user_id == user_id, DutyClaim.status == "active")
        .limit(1)) is not None
