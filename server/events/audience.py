"""Who may check in to an event, by its audience."""
from sqlalchemy import and_, or_, select

from server.community.models import DutyClaim, DutySlot
from server.extensions import db


def is_eligible(user, event) -> bool:
    """user: a User or the scan path's member row (id, branch_path, community_id, is_committee, party_group_id);
    event: an Event or the scan path's event row (id, audience, host_path, host_community_id, party_group_id)."""
    if event.audience == "open":
        return True
    if event.audience == "organization":
        return bool(user.branch_path and event.host_path and user.branch_path.startswith(event.host_path))
    if event.audience == "committee":  # the branch's committee members (支委)
        return bool(user.is_committee and user.branch_path and event.host_path
                    and user.branch_path.startswith(event.host_path))
    if event.audience == "group":  # the members of one Party group (党小组)
        return user.party_group_id is not None and user.party_group_id == event.party_group_id
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



def roster_of(event, user_cls):
    """The SQL twin of is_eligible's narrowing of one event's organization roster (None: the whole roster)."""
    if event.audience == "committee":
        return user_cls.is_committee.is_(True)
    if event.audience == "group":
        return user_cls.party_group_id == event.party_group_id
    return None


def roster_clause(event_cls, user_cls):
    """The same narrowing for a join over many events (reports): true where the audience takes the roster."""
    return or_(event_cls.audience.not_in(("committee", "group")),
               and_(event_cls.audience == "committee", user_cls.is_committee.is_(True)),
               and_(event_cls.audience == "group", user_cls.party_group_id == event_cls.party_group_id))
