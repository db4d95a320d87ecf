"""Organizer attendance rules (live list, roster, manual check-in, annulment), kept out of the routes."""
# Reads are a fixed number of queries whatever the event size: the summary is one aggregate (the
# roster size a scalar subquery inside it), the items one joined select of columns, no ORM loads.
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import core, lifecycle, manual
from server.attendance.models import Attendance
from server.auth import cards
from server.auth.models import Organization, User
from server.auth.permissions import is_admin
from server.auth.scope import scope_of
from server.common import audit
from server.common.audit import AuditLog
from server.common.errors import Conflict, Forbidden, NotFound
from server.common.timeutil import IsoLocal, iso_local, local_zone, utcnow
from server.events import audience
from server.events.kinds import KINDS
from server.events.lookup import event_for
from server.events.models import Event
from server.extensions import db
from server.points import ledger as points

CURSOR_OVERLAP = timedelta(seconds=5)  # rows committed out of order near the cursor are sent again
# Only what the list shows, in item order (attendance_json's fields, then the member's).
ITEM_COLUMNS = (Attendance.id, Attendance.event_id, Attendance.user_id, Attendance.state, Attendance.checkin_at,
                Attendance.checkin_method, Attendance.checkout_at, Attendance.checkout_method, Attendance.late,
                Attendance.hours_claimed, Attendance.hours_confirmed, Attendance.note, User.name, User.phone,
                Organization.name)


def managed_event(user: User, event_id: int) -> Event:
    return event_for(scope_of(user), event_id, "manage")


def roster_condition(event: Event):
    """Who is expected: the host organization's subtree, or the host community's registered members."""
    if event.host_org is not None and (KINDS[event.kind].expects_roster or event.audience == "organization"):
        narrow = audience.roster_of(event, User)
        return and_(User.active.is_(True), Organization.path.like(event.host_org.path + "%"),
                    *([] if narrow is None else [narrow]))
    if event.host_community_id is not None and event.audience == "community":
        return and_(User.active.is_(True), User.community_id == event.host_community_id)
    return None


def _items(stmt) -> list[dict]:
    """Rows of ITEM_COLUMNS as core.attendance_json plus manual.member_fields show them, in one pass (a hot path)."""
    # Core rows unpacked straight into one dict each, times through IsoLocal. Rows are consumed as
    # they come, not gathered with .all(): 10,000 live Row objects made the collector run full passes.
    local = IsoLocal(local_zone())
    return [{"id": att_id, "event_id": event_id, "user_id": user_id, "state": state,
             "checkin_at": local(checkin_at), "checkin_method": checkin_method,
             "checkout_at": local(checkout_at), "checkout_method": checkout_method, "late": late,
             "hours_claimed": hours_claimed, "hours_confirmed": hours_confirmed, "note": note,
             "member_name": name, "member_phone": phone, "branch_name": branch_name}
            for (att_id, event_id, user_id, state, checkin_at, checkin_method, checkout_at, checkout_method, late,
                 hours_claimed, hours_confirmed, note, name, phone, branch_name)
            in db.session.connection().execute(stmt)]


def _items_query(event_id: int):
    return (select(*ITEM_COLUMNS).join(User, Attendance.user_id == User.id)
            .outerjoin(Organization, User.branch_id == Organization.id).where(Attendance.event_id == event_id))


def _search(stmt, q: str | None):
    if not q:
        return stmt
    return stmt.where(or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))


def summary(event: Event) -> dict:
    """All counts in one aggregate query; expected/absent/excused only for a roster kind. Excused (approved
    leave) is neither present nor absent; the rate's base is expected minus excused."""
    live = Attendance.state.not_in(lifecycle.NOT_PRESENT)
    excused = Attendance.state == "excused"
    roster = roster_condition(event) if KINDS[event.kind].expects_roster else None
    cols = [
        func.count(case((live, 1))), func.count(case((and_(live, Attendance.checkout_at.is_not(None)), 1))),
        func.count(case((and_(live, Attendance.late.is_(True)), 1))),
        func.count(case((Attendance.state == "pending", 1))), func.count(case((Attendance.state == "annulled", 1))),
        func.count(case((excused, 1))),
    ]
    if roster is not None:
        cols.append(func.count(case((and_(live, roster), 1))))
        cols.append(func.count(case((and_(excused, roster), 1))))
        cols.append(select(func.count()).select_from(User).outerjoin(Organization, User.branch_id == Organization.id)
                    .where(roster).correlate(None).scalar_subquery())
    row = db.session.execute(
        select(*cols).select_from(Attendance).join(User, Attendance.user_id == User.id)
        .outerjoin(Organization, User.branch_id == Organization.id).where(Attendance.event_id == event.id)).one()
    checked_in, checked_out, late, pending, annulled, on_leave = (int(n or 0) for n in row[:6])
    expected = absent = base = rate = None
    if roster is not None:
        roster_in, roster_excused, expected = int(row[6] or 0), int(row[7] or 0), int(row[8] or 0)
        absent = max(expected - roster_in - roster_excused, 0)
        base = expected - roster_excused
        rate = round(roster_in / base, 4) if base else None
    return {"expected": expected, "checked_in": checked_in, "checked_out": checked_out, "late": late,
            "absent": absent, "pending": pending, "annulled": annulled, "excused": on_leave,
            "rate_base": base, "attendance_rate": rate}


def list_attendance(user: User, event_id: int, since: datetime | None = None, q: str | None = None) -> dict:
    """Summary always complete; items only those changed since the cursor (clients merge by id)."""
    event = managed_event(user, event_id)
    read_at = utcnow()  # taken before reading, so nothing committed after this is skipped next time
    stmt = _search(_items_query(event.id), q)
    if since is not None:
        stmt = stmt.where(Attendance.updated_at >= since - CURSOR_OVERLAP)
    items = _items(stmt.order_by(Attendance.id))
    return {"summary": summary(event), "items": items, "cursor": read_at}


def roster(user: User, event_id: int, q: str | None = None) -> list[dict]:
    """Expected members with their attendance (or null), to check in by name those without a phone."""
    event = managed_event(user, event_id)
    cond = roster_condition(event)
    if cond is None:
        raise Conflict(details={"reason": "no_roster", "hint": "open events have no roster; "
                                         "check members in by member_id or by their card"})
    stmt = _search(
        select(User.id, User.name, User.phone, Organization.name.label("branch_name"),
               Attendance.id.label("attendance_id"), Attendance.state, Attendance.checkin_at, Attendance.late)
        .select_from(User).outerjoin(Organization, User.branch_id == Organization.id)
        .outerjoin(Attendance, and_(Attendance.event_id == event.id, Attendance.user_id == User.id))
        .where(cond), q).order_by(Organization.name, User.name, User.id)
    return [{"member_id": r.id, "name": r.name, "phone": r.phone, "branch_name": r.branch_name,
             "attendance": None if r.attendance_id is None else {
                 "id": r.attendance_id, "state": r.state, "checkin_at": iso_local(r.checkin_at),
                 "late": r.late}} for r in db.session.execute(stmt)]


def annul(actor: User, event_id: int, attendance_id: int, reason: str) -> dict:
    """Any state → annulled through the lifecycle, reversing every unreversed points entry."""
    event = managed_event(actor, event_id)
    att = db.session.get(Attendance, attendance_id)
    if att is None or att.event_id != event.id:
        raise NotFound(details={"attendance_id": attendance_id, "event_id": event.id})
    if att.state == "annulled":
        raise Conflict("already_annulled", {"attendance": core.attendance_json(att)})
    reason = reason.strip()
    try:
        money = lifecycle.transition(
            att, "annul", actor.id, reason, view=core.attendance_json, refusal="already_annulled",
            ledger=lambda: {"points_reversed": points.reverse_for_attendance(att.id, actor.id, reason)})
        after = core.attendance_json(att)
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        current = db.session.get(Attendance, attendance_id)
        if current is not None and current.state == "annulled":
            raise Conflict("already_annulled", {"attendance": core.attendance_json(current)}) from None
        raise Conflict(details={"reason": "changed_concurrently"}) from None
    member = db.session.get(User, att.user_id)
    return {"points_reversed": money["points_reversed"], "attendance": {**after, **manual.member_fields(member)}}


def restore(actor: User, event_id: int, attendance_id: int, reason: str) -> dict:
    """Undo an annulment: back to the state before it (from its audit entry), its points paid again."""
    event = managed_event(actor, event_id)
    att = db.session.get(Attendance, attendance_id)
    if att is None or att.event_id != event.id:
        raise NotFound(details={"attendance_id": attendance_id, "event_id": event.id})
    annulled = db.session.scalar(select(AuditLog.before).where(
        AuditLog.object_type == "attendance", AuditLog.object_id == att.id, AuditLog.action == "attendance.annul")
        .order_by(AuditLog.id.desc()).limit(1))
    previous = (annulled or {}).get("state") or ("checked_out" if att.checkout_at else "checked_in")
    reason = reason.strip()
    try:
        money = lifecycle.transition(
            att, "restore", actor.id, reason, changes={"state": previous}, view=core.attendance_json,
            refusal="not_annulled",
            ledger=lambda: {"points_restored": points.restore_for_attendance(att.id, actor.id, reason)})
        after = core.attendance_json(att)
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Conflict("not_annulled", {"reason": "changed_concurrently"}) from None
    member = db.session.get(User, att.user_id)
    return {"points_restored": money["points_restored"], "attendance": {**after, **manual.member_fields(member)}}


def _card_holder(viewer: User, member_id: int) -> User:
    """The member whose card the viewer may see or reissue (the member, admins, organizers over them)."""
    member = db.session.get(User, member_id)
    if member is None and is_admin(viewer):
        raise NotFound(details={"member_id": member_id})
    if member is None or not cards.can_view_card(viewer, member):
        raise Forbidden(details={"member_id": member_id})
    return member


def card_png(viewer: User, member_id: int) -> bytes:
    """The member's printable card, for the member, admins and organizers over their branch."""
    member = _card_holder(viewer, member_id)
    return cards.card_png(member)


def reissue_card(viewer: User, member_id: int, reason: str) -> dict:
    """A new card for a lost one: the version goes up and the old card is refused from now on (audited)."""
    member = _card_holder(viewer, member_id)
    before = member.card_version
    member.card_version = before + 1
    audit.record(viewer.id, "card.reissue", "user", member.id, {"card_version": before},
                 {"card_version": member.card_version}, reason.strip())
    db.session.commit()
    return {"member_id": member.id, "card_version": member.card_version, "card_url": cards.card_url(member.id)}
