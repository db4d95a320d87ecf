"""What each indicator counts, for every branch under an organization at once: one grouped query per
indicator whatever the number of branches, each giving (numerator, denominator) per branch.

- attendance_rate: for the sheet's kinds (主题党日), the events of the year that have ended or been closed,
  hosted by the branch or above it: (present + made up) ÷ (expected − excused), expected being who was in the
  branch when the event started (membership over time, so a member who moved counts where they were);
- compliance: periods held ÷ periods required so far, over every required kind (the compliance calendar);
- record_timeliness: the branch's meetings of organizational life held this year whose record was approved
  within the sheet's days, ÷ those whose days have passed or whose record is approved;
- registration / served: today's active members registered with a community / who served at least the
  yearly hours in community duties, ÷ today's active members;
- hours_per_member / points_per_member: the year's confirmed service hours / points earned by today's
  active members, ÷ today's active members.
"""
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select, text
from sqlalchemy.orm import aliased

from server.attendance.lifecycle import COUNTED
from server.attendance.models import Attendance
from server.auth import membership
from server.auth.models import Organization, User
from server.common.sql import unindexed
from server.common.timeutil import LocalMonths
from server.events import audience
from server.events.kinds import codes_where
from server.events.models import STATUSES, Event
from server.extensions import db
from server.hours.common import HOURS_KINDS
from server.orglife import compliance as calendar
from server.orglife.models import MakeUp, MeetingRecord
from server.points.models import PointsEntry
from server.reports.common import month_bounds

HELD = ("published", "closed")
NOT_HELD = tuple(s for s in STATUSES if s not in HELD)
ORG_LIFE = codes_where(org_life=True)
DUTY_KINDS = codes_where(host="community")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return month_bounds(year, 1)[0], month_bounds(year, 12)[1]


def _held(now: datetime):
    # status NOT IN (…) says the same as IN (published, closed) but cannot steer SQLite's planner to the status
    # index, so it finds a branch's events by their host
    return and_(Event.status.not_in(NOT_HELD), or_(Event.status == "closed", Event.ends_at <= now))


def _in(org: Organization):
    """Members' branches under the organization, as ids (so the database starts from the members' branch
    index, not from every event of the year)."""
    if org.level == "branch":
        return User.branch_id == org.id
    return User.branch_id.in_(Organization.ids_under(org.path).scalar_subquery())


def members(org: Organization) -> dict[int, int]:
    """Today's active members per branch under the organization."""
    return dict(db.session.execute(
        select(User.branch_id, func.count(User.id)).join(Organization, Organization.id == User.branch_id)
        .where(_in(org), User.active.is_(True)).group_by(User.branch_id)).all())


def attendance_rate(org, year, now, item, cache=None, **_kw) -> dict[int, tuple[float, float]]:
    months = monthly(org, year, now, item["kinds"], cache)
    return {b: (sum(n for n, _d in per.values()), sum(d for _n, d in per.values())) for b, per in months.items()}


def monthly(org, year, now, kinds, cache=None) -> dict[int, dict[int, tuple[int, int]]]:
    """The rate's (numerator, denominator) per branch and local month (the league table's trend); computed
    once per rating when a cache dict is passed."""
    key = ("monthly", org.id, year, tuple(kinds))
    if cache is not None and key in cache:
        return cache[key]
    out: dict[int, dict[int, list[int]]] = {}
    month_of = LocalMonths(year)
    for r in _attendance_rows(org, year, now, kinds, by="branch_event"):
        tally = out.setdefault(r.branch_id, {}).setdefault(month_of(r.starts_at), [0, 0])
        tally[0] += r.attended + r.made_up
        tally[1] += r.expected - r.excused
    result = {b: {m: (n, d) for m, (n, d) in months.items()} for b, months in out.items()}
    if cache is not None:
        cache[key] = result
    return result


def _attendance_rows(org, year, now, kinds, by: str, branch_id: int | None = None) -> list:
    """Expected, attended, excused and made up, grouped by "branch", "event" or "branch_event". Events hosted
    by a branch expect its own members (an equality join); the few hosted higher up expect every branch below
    their host (a path join), so the city's tens of thousands of branch meetings never meet the path join.
    Three plain aggregates (the roster; its attendance; its confirmed make-ups without attendance), merged
    here: one query outer-joining all three made PostgreSQL walk the attendance index once per member."""
    start, end = year_bounds(year)
    host, member_org = aliased(Organization), aliased(Organization)
    one = branch_id if branch_id is not None else (org.id if org.level == "branch" else None)
    tree = None if one is not None or org.parent_id is None else \
        Organization.ids_under(org.path).scalar_subquery()
    m = membership.at_times(one, tree)  # an organ's members only; the whole city needs no filter
    excused = Attendance.state == "excused"
    keys = {"branch": [m.c.branch_id], "event": [Event.id, Event.title, Event.starts_at],
            "branch_event": [m.c.branch_id, Event.id, Event.starts_at]}[by]
    higher = list(db.session.scalars(
        select(Event.id).join(host, host.id == Event.host_org_id)
        .where(host.level != "branch", or_(host.path.startswith(org.path), literal(org.path).startswith(host.path)),
               Event.kind.in_(kinds), _held(now), Event.starts_at >= start, Event.starts_at < end)))

    def roster(cols, at_branch: bool):
        stmt = select(*keys, *cols).select_from(Event).join(host, host.id == Event.host_org_id)
        if at_branch:  # the host is the member's branch: one equality, and the host's path says the tree
            stmt = (stmt.join(m, and_(m.c.branch_id == Event.host_org_id, membership.during(m, Event.starts_at)))
                    .where(host.level == "branch", host.path.startswith(org.path)))
        else:  # only the events found hosted higher up: the path join never meets the branches' own meetings
            stmt = (stmt.join(member_org, member_org.path.startswith(host.path))
                    .join(m, and_(m.c.branch_id == member_org.id, membership.during(m, Event.starts_at)))
                    .where(Event.id.in_(higher), member_org.path.startswith(org.path)))
        return (stmt.join(User, and_(User.id == m.c.user_id, audience.roster_clause(Event, User)))
                .where(Event.kind.in_(kinds), _held(now), Event.starts_at >= start, Event.starts_at < end,
                       *([m.c.branch_id == branch_id] if branch_id is not None else [])))

    present = and_(Attendance.event_id == Event.id, Attendance.user_id == User.id, Attendance.state != "annulled")
    queries = {
        "expected": lambda at: roster([func.count(User.id).label("n")], at),
        "attended": lambda at: roster([func.count(case((~excused, 1))).label("n"),
                                       func.count(case((excused, 1))).label("x")], at).join(Attendance, present),
        "made_up": lambda at: roster([func.count(MakeUp.id).label("n")], at)
        .join(MakeUp, and_(MakeUp.event_id == Event.id, MakeUp.user_id == User.id, MakeUp.confirmed_at.is_not(None)))
        .outerjoin(Attendance, present).where(Attendance.id.is_(None)),
    }
    if db.engine.dialect.name == "postgresql":  # a city's roster sorts in memory, not in temp files (this
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))  # transaction only)
    merged: dict[tuple, dict] = {}
    for name, build in queries.items():
        for at_branch in (True, False) if higher else (True,):
            for r in db.session.execute(build(at_branch).group_by(*keys)):
                key = tuple(r[:len(keys)])
                row = merged.setdefault(key, {"expected": 0, "attended": 0, "excused": 0, "made_up": 0})
                row[name] += r.n
                if name == "attended":
                    row["excused"] += r.x
    names = [k.key if k.key != "id" else "id" for k in keys]
    rows = [SimpleNamespace(**dict(zip(names, key, strict=True)), **counts) for key, counts in merged.items()]
    return sorted(rows, key=lambda r: (r.starts_at, r.id)) if by == "event" else rows


def compliance(org, year, now, item, actor=None, **_kw) -> dict[int, tuple[float, float]]:
    return calendar.held_of_due(actor, org.id, year, now)


def _meetings(org, year, now, branch_id: int | None = None, light: bool = False):
    start, end = year_bounds(year)
    cols = [Event.host_org_id, Event.starts_at, MeetingRecord.approved_at] if light else [
        Event.id, Event.title, Event.host_org_id, Event.starts_at, MeetingRecord.status, MeetingRecord.approved_at]
    starts = unindexed(Event.starts_at)  # found by host, not by date (common/sql.py)
    stmt = (select(*cols).outerjoin(MeetingRecord, MeetingRecord.event_id == Event.id)
            .where(Event.kind.in_(ORG_LIFE), Event.status.in_(HELD), starts <= now, starts >= start, starts < end,
                   Event.host_org_id.in_(Organization.ids_under(org.path)),
                   *([Event.host_org_id == branch_id] if branch_id is not None else [])))
    return db.session.execute(stmt if light else stmt.order_by(Event.starts_at, Event.id)).all()


def on_time(row, days: int, now: datetime) -> bool | None:
    """True approved in time, False late (or the days passed without approval), None not due yet."""
    due = row.starts_at + timedelta(days=days)
    if row.approved_at is not None:
        return row.approved_at <= due
    return False if now > due else None


def record_timeliness(org, year, now, item, **_kw) -> dict[int, tuple[float, float]]:
    out: dict[int, list[float]] = {}
    days = item.get("days", 7)
    for row in _meetings(org, year, now, light=True):
        verdict = on_time(row, days, now)
        if verdict is not None:
            tally = out.setdefault(row.host_org_id, [0, 0])
            tally[0] += verdict
            tally[1] += 1
    return {k: (a, b) for k, (a, b) in out.items()}


def _per_member(org, value_col, joins, where, group_users: bool = False):
    """Sum of value_col per active member's current branch (or per member, for the evidence)."""
    keys = [User.id, User.name, User.branch_id] if group_users else [User.branch_id]
    stmt = select(*keys, func.coalesce(func.sum(value_col), 0).label("total")).select_from(User)
    for target, on in joins:
        stmt = stmt.join(target, on)
    stmt = (stmt.join(Organization, Organization.id == User.branch_id)
            .where(_in(org), User.active.is_(True), *where).group_by(*keys))
    return db.session.execute(stmt).all()


def _hours(org, year, kinds, group_users=False, branch_id=None):
    start, end = year_bounds(year)
    return _per_member(org, Attendance.hours_confirmed,
                       [(Attendance, Attendance.user_id == User.id), (Event, Event.id == Attendance.event_id)],
                       [Attendance.state.in_(COUNTED), Event.kind.in_(kinds), Event.starts_at >= start,
                        Event.starts_at < end, *([User.branch_id == branch_id] if branch_id else [])], group_users)


def registration(org, year, now, item, **_kw) -> dict[int, tuple[float, float]]:
    counts = db.session.execute(
        select(User.branch_id, func.count(User.community_id), func.count(User.id))
        .join(Organization, Organization.id == User.branch_id)
        .where(_in(org), User.active.is_(True)).group_by(User.branch_id)).all()
    return {b: (n, d) for b, n, d in counts}


def served_threshold(item) -> float:
    return float(item.get("min_hours") or current_app.config["COMMUNITY_MIN_HOURS_PER_YEAR"])


def served(org, year, now, item, **_kw) -> dict[int, tuple[float, float]]:
    threshold, count = served_threshold(item), members(org)
    out = {b: [0, n] for b, n in count.items()}
    for _uid, _name, total, branch in _served_rows(org, year):
        if float(total) >= threshold:
            out[branch][0] += 1
    return {b: (a, d) for b, (a, d) in out.items()}


def _served_rows(org, year, branch_id=None):
    return [(r.id, r.name, r.total, r.branch_id)
            for r in _hours(org, year, DUTY_KINDS, group_users=True, branch_id=branch_id)]


def hours_per_member(org, year, now, item, **_kw) -> dict[int, tuple[float, float]]:
    count = members(org)
    totals = {r.branch_id: float(r.total) for r in _hours(org, year, HOURS_KINDS)}
    return {b: (totals.get(b, 0.0), n) for b, n in count.items()}


def _points(org, year, group_users=False, branch_id=None):
    start, end = year_bounds(year)
    return _per_member(org, PointsEntry.amount, [(PointsEntry, PointsEntry.user_id == User.id)],
                       [PointsEntry.created_at >= start, PointsEntry.created_at < end,
                        *([User.branch_id == branch_id] if branch_id else [])], group_users)


def points_per_member(org, year, now, item, **_kw) -> dict[int, tuple[float, float]]:
    count = members(org)
    totals = {r.branch_id: float(r.total) for r in _points(org, year)}
    return {b: (totals.get(b, 0.0), n) for b, n in count.items()}


COMPUTE = {"attendance_rate": attendance_rate, "compliance": compliance, "record_timeliness": record_timeliness,
           "registration": registration, "served": served, "hours_per_member": hours_per_member,
           "points_per_member": points_per_member}
