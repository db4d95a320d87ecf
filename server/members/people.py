"""Staff managing people: one member's record, deactivation and reactivation, and moves between branches
and communities. History stays where it was earned: a move changes where the member belongs from now on,
withdraws their open claims on future duty slots of the community they leave (the liaison sees why), and
ends their registration there; past attendance, hours, registrations and reports are untouched."""
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

import server.members.messages  # noqa: F401  (registers the message codes)
from server.attendance.models import Attendance
from server.auth import membership
from server.auth.models import Community, Organization, RoleGrant, User
from server.auth.permissions import can_manage_org, managed_member, require_admin
from server.auth.scope import scope_of
from server.auth.services import UNUSABLE_PASSWORD, activated
from server.common import audit
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.community.models import CommunityRegistration, DutyClaim, DutySlot
from server.events.models import Event
from server.extensions import db

RECENT = 10
PER_PAGE = 50
STATUSES = ("active", "waiting", "inactive", "all")  # waiting: active, not yet activated (no password)


def find(actor: User, q: str = "", branch_id: int | None = None, status: str = "active", page: int = 1) -> dict:
    """Members of the actor's organizations (admins: all), by name or phone, branch (and below) and status;
    a page of 50 with the total, in one count and one page query."""
    scope = scope_of(actor)
    if not (scope.admin or scope.org_paths):
        raise Forbidden(details={"hint": "for organizers and admins"})
    where = [scope.manages_org_clause(User.branch_id)]
    if q:
        where.append(or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))
    if branch_id is not None:
        branch = db.session.get(Organization, branch_id)
        if branch is None:
            raise Invalid({"branch_id": "member_no_such_branch"}, location="query")
        where.append(Organization.path.startswith(branch.path))
    if status != "all":
        where.append(User.active.is_(status != "inactive"))
    if status == "waiting":
        where.append(User.password_hash == UNUSABLE_PASSWORD)
    base = select(User.id).join(Organization, Organization.id == User.branch_id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        select(User.id, User.name, User.phone, User.active, User.password_hash, Organization.name.label("branch"),
               Community.name.label("community"))
        .join(Organization, Organization.id == User.branch_id).outerjoin(Community, Community.id == User.community_id)
        .where(*where).order_by(Organization.path, User.name, User.id)
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return {"total": total, "page": page, "per_page": PER_PAGE,
            "members": [{"id": r.id, "name": r.name, "phone": r.phone, "branch_name": r.branch,
                         "community_name": r.community, "active": r.active,
                         "activated": r.password_hash != UNUSABLE_PASSWORD} for r in rows]}


_managed = managed_member


def _where(member: User) -> dict:
    return {"active": member.active, "branch_id": member.branch_id, "community_id": member.community_id}


def record(actor: User, member_id: int) -> dict:
    """One member for staff: roles, branch, community, card, and the latest attendances."""
    member = _managed(actor, member_id)
    community = db.session.get(Community, member.community_id) if member.community_id else None
    recent = db.session.execute(select(Attendance, Event.title, Event.kind, Event.starts_at)
                                .join(Event, Event.id == Attendance.event_id)
                                .where(Attendance.user_id == member.id)
                                .order_by(Event.starts_at.desc(), Attendance.id.desc()).limit(RECENT)).all()
    return {"id": member.id, "name": member.name, "phone": member.phone, "active": member.active,
            "roles": member.roles, "branch": {"id": member.branch.id, "name": member.branch.name}
            if member.branch else None,
            "community": {"id": community.id, "name": community.name} if community else None,
            "card_version": member.card_version, "activated": activated(member),
            "grants": [{"id": g.id, "role": g.role, "organization_id": g.organization_id,
                        "community_id": g.community_id} for g in member.grants],
            "recent_attendance": [{"event_id": a.event_id, "title": title, "kind": kind,
                                   "starts_at": iso_local(starts_at), "state": a.state}
                                  for a, title, kind, starts_at in recent]}


def set_active(actor: User, member_id: int, active: bool, reason: str) -> dict:
    """Deactivate (their sessions end at once; nothing they did is deleted) or reactivate, audited."""
    member = _managed(actor, member_id)
    if member.id == actor.id:
        raise Forbidden("member_self", {"member_id": member.id})
    before = _where(member)
    if not active:
        membership.leave_branch(member, utcnow(), "deactivate")  # past reports still count them where they were
        member.session_epoch += 1  # every cookie of theirs stops working
    elif not member.active:
        member.branch_since = utcnow()
    member.active = active
    audit.record(actor.id, "member.activate" if active else "member.deactivate", "user", member.id, before,
                 _where(member), reason.strip())
    db.session.commit()
    return record(actor, member.id)


def move(actor: User, member_id: int, reason: str, branch_id: int | None = None,
         community_id: int | None = None, now: datetime | None = None) -> dict:
    """Move to another branch (the actor manages both) and/or community; audited with before and after."""
    now = now or utcnow()
    member = _managed(actor, member_id)
    before = _where(member)
    withdrawn: list[int] = []
    if branch_id is not None and branch_id != member.branch_id:
        branch = db.session.get(Organization, branch_id)
        if branch is None:
            raise Invalid({"branch_id": "member_no_such_branch"})
        if not can_manage_org(actor, branch):
            raise Forbidden("member_branch_out_of_scope", {"branch_id": branch_id})
        membership.leave_branch(member, now, "move")
        member.branch_id, member.branch_since = branch.id, now
    if community_id is not None and community_id != member.community_id:
        if db.session.get(Community, community_id) is None:
            raise Invalid({"community_id": "member_no_such_community"})
        if member.community_id is not None:
            withdrawn = _leave_community(member, member.community_id, now)
            db.session.flush()  # the old registration ends before the new one starts (one accepted each)
        member.community_id = community_id
        db.session.add(CommunityRegistration(community_id=community_id, user_id=member.id, status="accepted",
                                             created_at=now, decided_at=now, decided_by_id=actor.id,
                                             started_at=now, decision_note="随人员调动登记"))
    audit.record(actor.id, "member.move", "user", member.id, before,
                 {**_where(member), "claims_withdrawn": withdrawn}, reason.strip())
    db.session.commit()
    db.session.refresh(member)
    return {**record(actor, member.id), "claims_withdrawn": withdrawn}


def _leave_community(member: User, community_id: int, now: datetime) -> list[int]:
    """Withdraw the member's open claims on the community's future slots and end their registration there."""
    claims = db.session.scalars(select(DutyClaim).join(DutySlot, DutySlot.id == DutyClaim.slot_id)
                                .join(Event, Event.id == DutySlot.event_id)
                                .where(DutyClaim.user_id == member.id, DutyClaim.status == "active",
                                       Event.host_community_id == community_id, Event.starts_at > now)).all()
    for claim in claims:
        claim.status, claim.withdrawn_at, claim.withdraw_reason = "withdrawn", now, "成员已迁出本社区（人员调动）"
    registration = db.session.scalar(select(CommunityRegistration).where(
        CommunityRegistration.user_id == member.id, CommunityRegistration.community_id == community_id,
        CommunityRegistration.status == "accepted"))
    if registration is not None:
        registration.status, registration.ended_at, registration.end_reason = "ended", now, "moved"
    return [c.id for c in claims]


def _grant_json(g: RoleGrant) -> dict:
    return {"id": g.id, "role": g.role, "organization_id": g.organization_id, "community_id": g.community_id}


def grant(admin: User, member_id: int, role: str, reason: str, organization_id: int | None = None,
          community_id: int | None = None) -> dict:
    """Admins grant a role with its scope: organizer → an organization, liaison → a community, admin → none."""
    require_admin(admin)
    member = _managed(admin, member_id)
    errors = {}
    if role == "organizer" and (organization_id is None or db.session.get(Organization, organization_id) is None):
        errors["organization_id"] = "member_no_such_branch"
    if role == "liaison" and (community_id is None or db.session.get(Community, community_id) is None):
        errors["community_id"] = "member_no_such_community"
    if errors:
        raise Invalid(errors)
    row = RoleGrant(user_id=member.id, role=role, organization_id=organization_id if role == "organizer" else None,
                    community_id=community_id if role == "liaison" else None)
    # the table's unique key has NULL scopes (distinct in SQL), so the same grant is looked for first
    if any((g.role, g.organization_id, g.community_id) == (row.role, row.organization_id, row.community_id)
           for g in member.grants):
        raise Conflict("member_role_exists", {"role": role})
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("member_role_exists", {"role": role}) from None
    audit.record(admin.id, "member.grant", "user", member.id, None, _grant_json(row), reason.strip())
    db.session.commit()
    return record(admin, member.id)


def revoke(admin: User, member_id: int, grant_id: int, reason: str) -> dict:
    """Admins remove a role; the member's next request sees it gone (roles are read per request)."""
    require_admin(admin)
    member = _managed(admin, member_id)
    row = db.session.get(RoleGrant, grant_id)
    if row is None or row.user_id != member.id:
        raise NotFound(details={"grant_id": grant_id})
    if member.id == admin.id and row.role == "admin":
        raise Forbidden("member_self", {"grant_id": grant_id})
    before = _grant_json(row)
    db.session.delete(row)
    audit.record(admin.id, "member.revoke", "user", member.id, before, None, reason.strip())
    db.session.commit()
    db.session.expire(member)
    return record(admin, member.id)
