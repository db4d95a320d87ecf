"""Participation of an organization's tree in one month: party-day attendance rate, absentees and late
arrivals, volunteer hours, and double-registration coverage, per direct sub-organization, with a
January-to-month trend. Chart-ready series are included; the CSV and XLSX carry the same numbers.

Definitions (members = active users whose branch is in the tree):
- expected: for each roster kind's event (the party day) starting in the month that has ended or been
  closed, the members who were in the host organization's tree when it started (membership over time,
  server.auth.membership: a later move or deactivation leaves the month as it was; a general branch's
  counts for its branches); events still open or coming count for nothing yet and are listed apart;
- attended: those of them with a check-in that is not annulled; late: attended and late;
  absent = expected - attended; attendance_rate = attended / expected;
- hours: hours_confirmed of attendances in state confirmed or checked_out, of volunteer_service and
  community_duty events starting in the month, by members then in the tree (whoever hosted);
- registered: members with a registered community (users.community_id);
- served this year: members with a community_duty attendance (not annulled or rejected) at their own
  registered community, at an event starting from 1 January up to the end of the month.
A fixed number of grouped queries, whatever the size of the tree.
"""
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, literal, or_, select
from sqlalchemy.orm import aliased

from server.attendance.lifecycle import COUNTED
from server.attendance.models import Attendance
from server.auth import membership
from server.auth.models import Community, Organization, User
from server.auth.permissions import can_manage_org, forbid, is_admin, organizer_org_ids
from server.common.errors import Invalid, NotFound
from server.common.timeutil import iso_local, to_local, utcnow
from server.events import audience
from server.events.kinds import codes_where
from server.events.models import Event
from server.extensions import db
from server.hours.common import HOURS_KINDS
from server.reports.common import (
    KIND_LABELS,
    month_bounds,
    parse_month,
)

PARTY_STATUSES = ("published", "closed")


def _org_for(viewer: User, org_id: int | None) -> Organization:
    if org_id is None:
        ids = organizer_org_ids(viewer)
        if not ids:
            if not is_admin(viewer):
                forbid({"hint": "reports are for organizers and admins"})
            raise Invalid({"org_id": "org_required"}, location="query")
        orgs = db.session.scalars(select(Organization).where(Organization.id.in_(ids))).all()
        return min(orgs, key=lambda o: (len(o.path), o.id))
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"org_id": org_id})
    if not can_manage_org(viewer, org):
        forbid({"org_id": org_id})
    return org


def _ids(path: str) -> list[int]:
    return [int(p) for p in path.split("/") if p]


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


HOURS_KEYS = tuple(f"{code}_hours" for code in HOURS_KINDS)  # one column of hours per kind that records them
ROSTER_KINDS = codes_where(expects_roster=True)  # kinds whose expected attendees are the host's roster
DUTY_KINDS = codes_where(host="community")  # kinds served in the member's own community
ROW_HEADER = ["组织", "党员人数", "应到人次", "实到人次", "出勤率", "缺席人次", "迟到人次", "请假人次",
              *(f"{KIND_LABELS[code]}时长（小时）" for code in HOURS_KINDS), "服务时长合计（小时）", "已报到社区人数",
              "报到率", "本年到社区服务人数", "社区服务率"]


def _blank() -> dict:
    return {"members": 0, "registered": 0, "served": 0, "expected": 0, "attended": 0, "late": 0, "excused": 0,
            **dict.fromkeys(HOURS_KEYS, 0.0)}


def _finish(s: dict) -> dict:
    s["absent"] = s["expected"] - s["attended"] - s["excused"]
    s["attendance_rate"] = _rate(s["attended"], s["expected"] - s["excused"])  # approved leave is not in the base
    for key in HOURS_KEYS:
        s[key] = round(s[key], 2)
    s["hours"] = round(sum(s[key] for key in HOURS_KEYS), 2)
    s["registered_share"] = _rate(s["registered"], s["members"])
    s["served_share"] = _rate(s["served"], s["members"])
    return s


def participation(viewer: User, org_id: int | None, month: str | None, now: datetime | None = None,
                  with_detail: bool = False) -> dict:
    now = now or utcnow()
    org = _org_for(viewer, org_id)
    year, mon = parse_month(month, now)
    m_start, m_end = month_bounds(year, mon)
    y_start, _ = month_bounds(year, 1)

    tree = db.session.execute(select(Organization.id, Organization.name, Organization.path, Organization.parent_id)
                              .where(Organization.path.startswith(org.path))).all()
    children = sorted((o for o in tree if o.parent_id == org.id), key=lambda o: (o.name, o.id))
    unit_of = {}
    for o in tree:
        ids = _ids(o.path)
        at = ids.index(org.id)
        unit_of[o.id] = ids[at + 1] if len(ids) > at + 1 else org.id
    names = {org.id: f"{org.name}（本级）" if children else org.name, **{c.id: c.name for c in children}}
    stats = {uid: _blank() for uid in [org.id] + [c.id for c in children]}

    MemberOrg, HostOrg = aliased(Organization), aliased(Organization)
    in_tree = MemberOrg.path.startswith(org.path)

    for branch_id, members, registered in db.session.execute(
            select(User.branch_id, func.count(User.id), func.count(User.community_id))
            .join(MemberOrg, MemberOrg.id == User.branch_id).where(in_tree, User.active.is_(True))
            .group_by(User.branch_id)):
        s = stats[unit_of[branch_id]]
        s["members"] += members
        s["registered"] += registered

    for branch_id, served in db.session.execute(
            select(User.branch_id, func.count(distinct(User.id))).select_from(Attendance)
            .join(Event, Event.id == Attendance.event_id).join(User, User.id == Attendance.user_id)
            .join(MemberOrg, MemberOrg.id == User.branch_id)
            .where(in_tree, User.branch_id.in_(Organization.ids_under(org.path)),
                   User.active.is_(True), Event.kind.in_(DUTY_KINDS),
                   Event.host_community_id == User.community_id, Attendance.state.not_in(("annulled", "rejected")),
                   Event.starts_at >= y_start, Event.starts_at < m_end)
            .group_by(User.branch_id)):
        stats[unit_of[branch_id]]["served"] += served

    # party days: the expected members of the tree, with their live check-ins, per event and branch
    live = and_(Attendance.event_id == Event.id, Attendance.user_id == User.id, Attendance.state != "annulled")
    excused = Attendance.state == "excused"  # approved leave: joined (never an absentee), counted apart
    held = or_(Event.status == "closed", Event.ends_at <= now)  # open and coming events are no absences yet
    # hosted in the tree or above it: said on the host too, so a city's other events are never read
    host_near = or_(HostOrg.path.startswith(org.path), literal(org.path).startswith(HostOrg.path))
    roster_where = [Event.kind.in_(ROSTER_KINDS), Event.status.in_(PARTY_STATUSES), in_tree, host_near,
                    Event.starts_at >= y_start, Event.starts_at < m_end, held]

    # Who was in the branch when the event started (membership over time): a later move or deactivation
    # leaves a past month's figures as they were.
    M = membership.at_times()

    def roster(*cols):
        return (select(*cols).select_from(Event).join(HostOrg, HostOrg.id == Event.host_org_id)
                .join(MemberOrg, MemberOrg.path.startswith(HostOrg.path))
                .join(M, and_(M.c.branch_id == MemberOrg.id, membership.during(M, Event.starts_at)))
                .join(User, and_(User.id == M.c.user_id, audience.roster_clause(Event, User))))

    trend = {m: {"expected": 0, "attended": 0, "excused": 0, "hours": 0.0} for m in range(1, mon + 1)}
    party_days: dict[int, dict] = {}
    for r in db.session.execute(
            roster(Event.id, Event.title, Event.starts_at, HostOrg.name.label("host"), M.c.branch_id,
                   func.count(User.id).label("expected"),
                   func.count(case((~excused, Attendance.id))).label("attended"),
                   func.count(case((excused, Attendance.id))).label("excused"),
                   func.count(case((Attendance.late.is_(True), Attendance.id))).label("late"))
            .outerjoin(Attendance, live).where(*roster_where)
            .group_by(Event.id, Event.title, Event.starts_at, HostOrg.name, M.c.branch_id)):
        trend[to_local(r.starts_at).month]["expected"] += r.expected
        trend[to_local(r.starts_at).month]["attended"] += r.attended
        trend[to_local(r.starts_at).month]["excused"] += r.excused
        if r.starts_at < m_start:
            continue
        s = stats[unit_of[r.branch_id]]
        s["expected"] += r.expected
        s["attended"] += r.attended
        s["late"] += r.late
        s["excused"] += r.excused
        p = party_days.setdefault(r.id, {"event_id": r.id, "title": r.title, "starts_at": iso_local(r.starts_at),
                                         "host_org_name": r.host, "expected": 0, "attended": 0, "late": 0,
                                         "excused": 0})
        p["expected"] += r.expected
        p["attended"] += r.attended
        p["late"] += r.late
        p["excused"] += r.excused

    month_roster = [*roster_where, Event.starts_at >= m_start]
    not_yet = [{"event_id": r.id, "title": r.title, "starts_at": iso_local(r.starts_at), "open": r.starts_at <= now,
                "expected": r.expected, "checked_in": r.checked_in}
               for r in db.session.execute(
                   roster(Event.id, Event.title, Event.starts_at, func.count(User.id).label("expected"),
                          func.count(Attendance.id).label("checked_in"))
                   .outerjoin(Attendance, live).where(*roster_where[:-1], ~held, Event.starts_at >= m_start)
                   .group_by(Event.id, Event.title, Event.starts_at).order_by(Event.starts_at, Event.id))]
    absentees = [{"event_id": r.id, "member_id": r.uid, "name": r.name, "branch_name": r.branch}
                 for r in db.session.execute(
                     roster(Event.id, User.id.label("uid"), User.name, MemberOrg.name.label("branch"))
                     .outerjoin(Attendance, live).where(*month_roster, Attendance.id.is_(None))  # excused: joined
                     .order_by(Event.starts_at, Event.id, MemberOrg.name, User.name, User.id))]
    late_arrivals = [{"event_id": r.id, "member_id": r.uid, "name": r.name, "branch_name": r.branch,
                      "checkin_at": iso_local(r.checkin_at)}
                     for r in db.session.execute(
                         roster(Event.id, User.id.label("uid"), User.name, MemberOrg.name.label("branch"),
                                Attendance.checkin_at)
                         .join(Attendance, live).where(*month_roster, Attendance.late.is_(True))
                         .order_by(Event.starts_at, Event.id, Attendance.checkin_at, User.id))]

    # hours earned by the tree's members of the time: only their memberships are read (the roster queries
    # above plan better on every membership; SQLite's planner turns either way at the city's size)
    T = membership.at_times(branch_ids=Organization.ids_under(org.path))
    for r in db.session.execute(
            select(Event.starts_at, Event.kind, T.c.branch_id, func.sum(Attendance.hours_confirmed).label("hours"))
            .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
            .join(T, and_(T.c.user_id == Attendance.user_id, membership.during(T, Event.starts_at)))
            .join(MemberOrg, MemberOrg.id == T.c.branch_id)
            .where(in_tree, Attendance.state.in_(COUNTED), Event.kind.in_(HOURS_KINDS),
                   Event.starts_at >= y_start, Event.starts_at < m_end)
            .group_by(Event.id, Event.starts_at, Event.kind, T.c.branch_id)):
        hours = float(r.hours or 0)
        trend[to_local(r.starts_at).month]["hours"] += hours
        if r.starts_at >= m_start:
            stats[unit_of[r.branch_id]][f"{r.kind}_hours"] += hours

    shown = [c.id for c in children]
    if not children or stats[org.id]["members"] or stats[org.id]["expected"]:
        shown.insert(0, org.id)
    rows = [{"org_id": uid, "name": names[uid], **_finish(stats[uid])} for uid in shown]
    total = _blank()
    for uid in stats:
        for k in total:
            total[k] += stats[uid][k]
    totals = {"org_id": org.id, "name": "合计", **_finish(total), "party_days": len(party_days)}
    for p in party_days.values():
        p["absent"] = p["expected"] - p["attended"] - p["excused"]
        p["attendance_rate"] = _rate(p["attended"], p["expected"] - p["excused"])
    trend_rows = [{"month": f"{year}-{m:02d}", "expected": t["expected"], "attended": t["attended"],
                   "excused": t["excused"], "attendance_rate": _rate(t["attended"], t["expected"] - t["excused"]),
                   "volunteer_hours": round(t["hours"], 2)}
                  for m, t in trend.items()]
    titles = {p["event_id"]: p["title"] for p in party_days.values()}
    for item in absentees + late_arrivals:
        item["event_title"] = titles.get(item["event_id"])
    report = {
        "org": {"id": org.id, "name": org.name}, "month": f"{year}-{mon:02d}",
        "period": {"from": iso_local(m_start), "to": iso_local(m_end)},
        "totals": totals, "rows": rows,
        "party_days": sorted(party_days.values(), key=lambda p: (p["starts_at"], p["event_id"])),
        "party_days_not_yet_held": not_yet,
        "absentees": absentees, "late_arrivals": late_arrivals, "trend": trend_rows,
        "charts": {
            "attendance_rate": [{"label": r["name"], "value": r["attendance_rate"]} for r in rows],
            "hours": [{"label": r["name"], **{code: r[f"{code}_hours"] for code in HOURS_KINDS}} for r in rows],
            "coverage": [{"label": r["name"], "registered_share": r["registered_share"],
                          "served_share": r["served_share"]} for r in rows],
            "trend": {"labels": [t["month"] for t in trend_rows],
                      "attendance_rate": [t["attendance_rate"] for t in trend_rows],
                      "volunteer_hours": [t["volunteer_hours"] for t in trend_rows]},
        },
        "generated_at": iso_local(now),
    }
    if with_detail:
        report["detail"] = _detail_rows(org, m_start, m_end)
    return report


def _detail_rows(org: Organization, start: datetime, end: datetime) -> list[dict]:
    """Every attendance of the month at events hosted in the tree, or by members of the tree. One query."""
    MemberOrg, HostOrg = aliased(Organization), aliased(Organization)
    rows = db.session.execute(
        select(Event.title, Event.kind, Event.starts_at, HostOrg.name.label("host_org"),
               Community.name.label("host_community"), User.name, MemberOrg.name.label("branch"), Attendance)
        .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
        .join(User, User.id == Attendance.user_id).outerjoin(MemberOrg, MemberOrg.id == User.branch_id)
        .outerjoin(HostOrg, HostOrg.id == Event.host_org_id)
        .outerjoin(Community, Community.id == Event.host_community_id)
        .where(Event.starts_at >= start, Event.starts_at < end,
               or_(HostOrg.path.startswith(org.path), MemberOrg.path.startswith(org.path)))
        .order_by(Event.starts_at, Event.id, Attendance.checkin_at, Attendance.id)).all()
    return [{"event": r.title, "kind": r.kind, "starts_at": r.starts_at, "host": r.host_org or r.host_community or "",
             "name": r.name, "branch": r.branch or "", "att": r.Attendance} for r in rows]
