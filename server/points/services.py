"""Reading points: balances, a member's ledger, leaderboards (paying and reversing: points.ledger)."""
from datetime import datetime

from sqlalchemy import func, select

from server.attendance.models import Attendance
from server.auth.models import Organization, User
from server.auth.permissions import can_manage_community, can_manage_org, forbid, is_admin
from server.common.errors import Invalid, NotFound
from server.common.timeutil import iso_local, to_local, to_utc_naive, utcnow
from server.events.models import Event
from server.extensions import db
from server.points.models import PointsEntry

LEADERBOARD_SIZE = 50
def balance(user_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointsEntry.amount), 0))
                                 .where(PointsEntry.user_id == user_id)))


def member_in_view(viewer: User, member_id: int | None) -> User:
    """Whose ledger the viewer may read: their own; admins anyone; organizers their subtree's members."""
    if member_id is None or member_id == viewer.id:
        return viewer
    member = db.session.get(User, member_id)
    if member is None and is_admin(viewer):
        raise NotFound(details={"member_id": member_id})
    if member is None or not can_manage_org(viewer, member.branch):
        forbid({"member_id": member_id, "hint": "members see only their own ledger"})
    return member


def ledger(member: User, page: int, page_size: int) -> dict:
    """Newest first; each entry with its event, so a member sees what paid or reversed it."""
    total = db.session.scalar(select(func.count()).select_from(PointsEntry).where(PointsEntry.user_id == member.id))
    rows = db.session.execute(
        select(PointsEntry, Event.id.label("event_id"), Event.title.label("event_title"))
        .outerjoin(Attendance, PointsEntry.attendance_id == Attendance.id)
        .outerjoin(Event, Attendance.event_id == Event.id)
        .where(PointsEntry.user_id == member.id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
        .limit(page_size).offset((page - 1) * page_size)).all()
    items = [{"id": e.id, "amount": e.amount, "rule_code": e.rule_code, "entry_type": e.entry_type,
              "attendance_id": e.attendance_id, "event_id": event_id, "event_title": event_title,
              "reverses_id": e.reverses_id, "reason": e.reason, "created_at": iso_local(e.created_at)}
             for e, event_id, event_title in rows]
    return {"member_id": member.id, "balance": balance(member.id), "page": page, "page_size": page_size,
            "total": total, "items": items}


def period_start(period: str, now: datetime | None = None) -> datetime | None:
    """Start of the local month or year, as naive UTC; None for all time."""
    if period == "all":
        return None
    local = to_local(now or utcnow())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if period == "year":
        start = start.replace(month=1)
    return to_utc_naive(start)


def leaderboard_scope(viewer: User, org_id: int | None, community_id: int | None) -> tuple:
    """(org, community_id) the viewer may rank; defaults to their own branch."""
    if org_id is not None and community_id is not None:
        raise Invalid({"org_id": "org_or_community_not_both"}, location="query")
    if community_id is not None:
        if not can_manage_community(viewer, community_id):
            forbid({"community_id": community_id, "hint": "liaisons see their own communities"})
        return None, community_id
    if org_id is None:
        if is_admin(viewer):
            return None, None
        if viewer.branch_id is None:
            raise Invalid({"org_id": "community_or_org"}, location="query")
        org_id = viewer.branch_id
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"org_id": org_id})
    if org_id != viewer.branch_id and not can_manage_org(viewer, org):
        forbid({"org_id": org_id, "hint": "members see their own branch; organizers their organizations"})
    return org, None


def leaderboard(viewer: User, org_id: int | None, community_id: int | None, period: str) -> dict:
    """Top 50 members by points in the scope and period: one grouped query."""
    org, community_id = leaderboard_scope(viewer, org_id, community_id)
    since = period_start(period)
    points = func.sum(PointsEntry.amount).label("points")
    stmt = (select(User.id, User.name, Organization.name.label("branch_name"), points)
            .join(User, PointsEntry.user_id == User.id).outerjoin(Organization, User.branch_id == Organization.id)
            .where(User.active.is_(True)).group_by(User.id, User.name, Organization.name)
            .order_by(points.desc(), User.id).limit(LEADERBOARD_SIZE))
    if org is not None:
        stmt = stmt.where(Organization.path.like(org.path + "%"))
    if community_id is not None:
        stmt = stmt.where(User.community_id == community_id)
    if since is not None:
        stmt = stmt.where(PointsEntry.created_at >= since)
    items, rank, last = [], 0, None
    for i, row in enumerate(db.session.execute(stmt), start=1):
        if row.points != last:
            rank, last = i, row.points
        items.append({"rank": rank, "member_id": row.id, "name": row.name, "branch_name": row.branch_name,
                      "points": int(row.points)})
    return {"org_id": org.id if org else None, "community_id": community_id, "period": period,
            "since": iso_local(since), "items": items}
