"""Who may check in to an event, by its audience."""
from sqlalchemy import select

from server.community.models import DutyClaim, DutySlot
from server.extensions import db


def is_eligible(user, event) -> bool:
    """user: a User or the scan path's member row (id, branch_path, community_id); event: an Event or
    the scan path's event row (id, audience, host_path, host_community_id)."""
    if event.audience == "open":
        return True
    if event.audience == "organization":
        return bool(user.branch_path and event.host_path and user.branch_path.startswith(event.host_path))
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
