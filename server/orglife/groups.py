"""Party groups (党小组) and committee members (支委): whom a group or committee meeting expects.

Organizers manage the groups and members of their organizations' trees, admins everywhere; every
change is audited with before and after."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import server.orglife.messages  # noqa: F401  (registers the message codes)
from server.auth.models import Organization, PartyGroup, User
from server.auth.scope import Scope
from server.common import audit
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.extensions import db


def group_json(g: PartyGroup, members: int = 0) -> dict:
    return {"id": g.id, "branch_id": g.branch_id, "name": g.name, "members": members}


def _managed_org(scope: Scope, org_id: int, field: str = "branch_id") -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None:
        raise Invalid({field: "orglife_no_such_branch"})
    if not scope.manages_org(org):
        raise Forbidden(details={field: org_id})
    return org


def list_groups(scope: Scope, org_id: int) -> list[dict]:
    """The groups of an organization's tree with their member counts, in one query."""
    org = _managed_org(scope, org_id, "org_id")
    counts = (select(User.party_group_id, db.func.count(User.id).label("n")).where(User.active.is_(True))
              .group_by(User.party_group_id).subquery())
    rows = db.session.execute(
        select(PartyGroup, counts.c.n).join(Organization, Organization.id == PartyGroup.branch_id)
        .outerjoin(counts, counts.c.party_group_id == PartyGroup.id)
        .where(Organization.path.startswith(org.path)).order_by(PartyGroup.branch_id, PartyGroup.name))
    return [group_json(g, n or 0) for g, n in rows]


def create_group(scope: Scope, branch_id: int, name: str) -> dict:
    _managed_org(scope, branch_id)
    group = PartyGroup(branch_id=branch_id, name=name)
    db.session.add(group)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("orglife_group_name_taken", {"branch_id": branch_id, "name": name}) from None
    audit.record(scope.user.id, "orglife.group.create", "party_group", group.id, None, group_json(group))
    db.session.commit()
    return group_json(group)


def _member_view(u: User) -> dict:
    return {"member_id": u.id, "name": u.name, "branch_id": u.branch_id, "is_committee": u.is_committee,
            "party_group_id": u.party_group_id,
            "joined_party_on": u.joined_party_on.isoformat() if u.joined_party_on else None}


def set_member(scope: Scope, member_id: int, changes: dict, reason: str = "") -> dict:
    """Mark a member as a committee member (支委), put them in a Party group of their own branch, or set the
    day they joined the Party (入党时间)."""
    member = db.session.get(User, member_id)
    if member is None or member.branch is None or not scope.manages_org(member.branch):
        raise NotFound(details={"member_id": member_id})
    if "party_group_id" in changes and changes["party_group_id"] is not None:
        group = db.session.get(PartyGroup, changes["party_group_id"])
        if group is None:
            raise Invalid({"party_group_id": "orglife_no_such_group"})
        if group.branch_id != member.branch_id:
            raise Invalid({"party_group_id": "orglife_group_other_branch"})
    before = _member_view(member)
    for name in ("is_committee", "party_group_id", "joined_party_on"):
        if name in changes:
            setattr(member, name, changes[name])
    after = _member_view(member)
    if after != before:
        audit.record(scope.user.id, "orglife.member.set", "user", member.id, before, after, reason)
    db.session.commit()
    return after
