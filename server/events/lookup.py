"""Which events a scope sees, manages and reviews, and the one way to load an event for a purpose.

The rule, decided once: an event the caller may not see answers 404 on every endpoint (so its
existence does not leak); one the caller sees but may not act on answers 403.
"""
from sqlalchemy import and_, false, or_, select, true

from server.auth.models import Organization
from server.auth.scope import Scope
from server.common.errors import Forbidden, NotFound
from server.community.models import DutyClaim, DutySlot
from server.events import audience
from server.events.kinds import KINDS, codes_where
from server.events.models import Event
from server.extensions import db

VISIBLE_TO_MEMBERS = ("published", "closed")


def manages(scope: Scope, event: Event) -> bool:
    return scope.manages_host(event.host_path, event.host_community_id)


def reviews(scope: Scope, event: Event) -> bool:
    return scope.reviews_host(KINDS[event.kind].reviewed_by, event.host_path, event.host_community_id)


def sees(scope: Scope, event: Event) -> bool:
    """The Python twin of sees_clause(), for one event already loaded."""
    if manages(scope, event) or reviews(scope, event):
        return True
    return event.status in VISIBLE_TO_MEMBERS and audience.is_eligible(scope.user, event)


NEEDS = {"see": sees, "manage": manages, "review": lambda s, e: manages(s, e) or reviews(s, e)}


def event_for(scope: Scope, event_id: int, need: str = "see") -> Event:
    """The event, if the scope may `need` it: 404 when it may not see it, 403 when it sees but may not act."""
    event = db.session.get(Event, event_id)
    if event is None or not sees(scope, event):
        raise NotFound(details={"event_id": event_id})
    if not NEEDS[need](scope, event):
        raise Forbidden(details={"event_id": event_id})
    return event


def manages_clause(scope: Scope):
    if scope.admin:
        return true()
    return or_(scope.manages_org_clause(Event.host_org_id), scope.manages_community_clause(Event.host_community_id))


def reviews_clause(scope: Scope):
    """SQL twin of reviews() (Event must be in the FROM clause)."""
    if scope.admin:
        return Event.kind.in_(codes_where(records_hours=True))
    clauses = []
    if scope.community_ids:
        clauses.append(and_(Event.kind.in_(codes_where(reviewed_by="liaison")),
                            Event.host_community_id.in_(sorted(scope.community_ids))))
    if scope.org_paths:
        clauses.append(and_(Event.kind.in_(codes_where(reviewed_by="organizer")),
                            scope.manages_org_clause(Event.host_org_id)))
    return or_(*clauses) if clauses else false()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def sees_clause(scope: Scope):
    """SQL for sees(): managed or reviewed, or published/closed and eligible (see events.audience)."""
    user = scope.user
    if scope.admin:
        return true()
    audiences = [Event.audience == "open"]
    if user.branch is not None:
        above = select(Organization.id).where(Organization.path.in_(_ancestor_paths(user.branch.path)))
        audiences.append(and_(Event.audience == "organization", Event.host_org_id.in_(above)))
    if user.community_id is not None:
        audiences.append(and_(Event.audience == "community", Event.host_community_id == user.community_id))
    claimed = select(DutySlot.event_id).join(DutyClaim, DutyClaim.slot_id == DutySlot.id).where(
        DutyClaim.user_id == user.id, DutyClaim.status == "active")
    audiences.append(and_(Event.audience == "claimers", Event.id.in_(claimed)))
    return or_(manages_clause(scope), reviews_clause(scope),
               and_(Event.status.in_(VISIBLE_TO_MEMBERS), or_(*audiences)))
