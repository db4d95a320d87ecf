"""Branch membership over time. A member is in users.branch_id since users.branch_since (None: since always);
the branches they left (moved away, deactivated) are past_memberships. Reports of the past ask who was in a
branch when an event started, so a move or a deactivation never rewrites last month's figures."""
from datetime import datetime

from sqlalchemy import DateTime, and_, literal, or_, select, union_all

from server.auth.models import PastMembership, User
from server.extensions import db


def leave_branch(member: User, now: datetime, reason: str) -> None:
    """Before a move or a deactivation: the member's current branch becomes a past membership ending now."""
    if member.branch_id is not None and member.active:
        db.session.add(PastMembership(user_id=member.id, branch_id=member.branch_id, started_at=member.branch_since,
                                      ended_at=now, reason=reason))


def past_rows(rows: list[tuple[int, int | None, datetime | None]], now: datetime, reason: str) -> list[dict]:
    """The same for many members at once, (user_id, branch_id, branch_since), for an executemany insert."""
    return [{"user_id": uid, "branch_id": branch_id, "started_at": since, "ended_at": now, "reason": reason}
            for uid, branch_id, since in rows if branch_id is not None]


def at_times(branch_id: int | None = None, branch_ids=None):
    """Every membership (of one branch, or of the branches a SELECT of ids names), current and past, as
    (user_id, branch_id, started_at, ended_at); see `during`."""
    current = select(User.id.label("user_id"), User.branch_id.label("branch_id"),
                     User.branch_since.label("started_at"), literal(None, DateTime).label("ended_at")
                     ).where(User.active.is_(True), User.branch_id.is_not(None))
    past = select(PastMembership.user_id, PastMembership.branch_id, PastMembership.started_at,
                  PastMembership.ended_at)
    if branch_id is not None:
        current, past = current.where(User.branch_id == branch_id), past.where(PastMembership.branch_id == branch_id)
    elif branch_ids is not None:
        current = current.where(User.branch_id.in_(branch_ids))
        past = past.where(PastMembership.branch_id.in_(branch_ids))
    return union_all(current, past).subquery("membership")


def during(membership, instant):
    """The membership held at `instant` (a column or a value)."""
    return and_(or_(membership.c.started_at.is_(None), membership.c.started_at <= instant),
                or_(membership.c.ended_at.is_(None), membership.c.ended_at > instant))
