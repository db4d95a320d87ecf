"""The live board for a Party day (a screen in the committee's office): every event of the tree open for
check-in now, with expected, checked-in and excused counts, in four queries whatever the number of events.
A client polls with the cursor it got (the newest attendance change): an unchanged board answers in one."""
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from server.attendance.lifecycle import ATTENDED
from server.attendance.models import Attendance
from server.auth.models import Organization, User
from server.common.timeutil import iso_local, utcnow
from server.evaluation.rating import org_for
from server.events import audience
from server.events.kinds import codes_where
from server.events.models import Event
from server.extensions import db


def board(actor: User, org_id: int | None, since: str | None = None, now: datetime | None = None) -> dict:
    now = now or utcnow()
    org = org_for(actor, org_id)
    host = aliased(Organization)
    events = db.session.execute(
        select(Event.id, Event.title, Event.kind, Event.starts_at, Event.ends_at, host.name.label("host"),
               host.level)
        .join(host, host.id == Event.host_org_id)
        .where(host.path.startswith(org.path), Event.status == "published", Event.window_opens_at <= now,
               Event.window_closes_at > now)).all()  # sorted here: an ORDER BY would walk every event by start
    events.sort(key=lambda e: (e.starts_at, e.id))
    ids = [e.id for e in events]
    counts = {r.event_id: r for r in db.session.execute(
        select(Attendance.event_id, func.count(case((Attendance.state.in_(ATTENDED), 1))).label("checked_in"),
               func.count(case((Attendance.state == "excused", 1))).label("excused"),
               func.max(Attendance.updated_at).label("changed"))
        .where(Attendance.event_id.in_(ids)).group_by(Attendance.event_id))} if ids else {}
    cursor = max((r.changed for r in counts.values() if r.changed), default=None)
    cursor_text = f"{len(ids)}:{cursor.isoformat() if cursor else ''}"
    if since is not None and since == cursor_text:
        return {"unchanged": True, "cursor": cursor_text}
    expected = _expected(ids, [e.id for e in events if e.level != "branch"]) if ids else {}
    rows = [{"event_id": e.id, "title": e.title, "kind": e.kind, "host": e.host, "starts_at": iso_local(e.starts_at),
             "ends_at": iso_local(e.ends_at), "expected": expected.get(e.id),
             "checked_in": counts[e.id].checked_in if e.id in counts else 0,
             "excused": counts[e.id].excused if e.id in counts else 0} for e in events]
    totals = {k: sum(r[k] or 0 for r in rows) for k in ("expected", "checked_in", "excused")}
    return {"unchanged": False, "cursor": cursor_text, "org": {"id": org.id, "name": org.name},
            "at": iso_local(now), "events": rows, "totals": totals}


def _expected(ids: list[int], higher: list[int]) -> dict[int, int]:
    """Each roster event's expected members today: its own branch's by an equality join, and for the few
    hosted higher up every branch below the host (a path join)."""
    host, member_org = aliased(Organization), aliased(Organization)
    roster_kinds = codes_where(expects_roster=True)
    out: dict[int, int] = {}
    for at_branch in (True, False) if higher else (True,):
        stmt = select(Event.id, func.count(User.id)).select_from(Event).join(host, host.id == Event.host_org_id)
        if at_branch:
            stmt = stmt.join(User, and_(User.branch_id == Event.host_org_id, User.active.is_(True),
                                        audience.roster_clause(Event, User))).where(host.level == "branch")
        else:
            stmt = (stmt.join(member_org, member_org.path.startswith(host.path))
                    .join(User, and_(User.branch_id == member_org.id, User.active.is_(True),
                                     audience.roster_clause(Event, User))).where(host.level != "branch"))
        for event_id, n in db.session.execute(stmt.where(Event.id.in_(ids if at_branch else higher),
                                                         Event.kind.in_(roster_kinds))
                                              .group_by(Event.id)):
            out[event_id] = out.get(event_id, 0) + n
    return out
