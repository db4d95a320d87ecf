"""Directory look-ups for the staff screens: which organizations and communities I manage, whom I may
check in by name, and whose card this is. Each answer is limited to the caller's scope."""
from sqlalchemy import or_, select

from server.auth import cards
from server.auth.models import Community, Organization, User
from server.auth.permissions import forbid, is_admin, liaison_community_ids, organizer_paths
from server.common.errors import Invalid, NotFound
from server.common.qrtoken import TokenError
from server.extensions import db

LIMIT = 20


def organizations(user: User, managed: bool) -> list[dict]:
    """Managed: admin all, organizer their subtrees; otherwise the member's own branch line."""
    stmt = select(Organization).order_by(Organization.path)
    if not is_admin(user):
        if managed:
            paths = organizer_paths(user)
            if not paths:
                return []
            stmt = stmt.where(or_(*[Organization.path.like(p + "%") for p in paths]))
        else:
            if user.branch is None:
                return []
            ids = [int(i) for i in user.branch.path.strip("/").split("/")]
            stmt = stmt.where(Organization.id.in_(ids))
    return [{"id": o.id, "name": o.name, "level": o.level, "parent_id": o.parent_id} for o in db.session.scalars(stmt)]


def communities(user: User, managed: bool) -> list[dict]:
    """Managed: admin all, liaison theirs; otherwise every community (for choosing where one lives)."""
    stmt = select(Community).order_by(Community.name)
    if managed and not is_admin(user):
        ids = liaison_community_ids(user)
        if not ids:
            return []
        stmt = stmt.where(Community.id.in_(ids))
    return [{"id": c.id, "name": c.name, "address": c.address} for c in db.session.scalars(stmt)]


def search_members(user: User, q: str) -> list[dict]:
    """Members an organizer (subtree) or liaison (registered members) could check in by hand."""
    stmt = (select(User, Organization.name).outerjoin(Organization, User.branch_id == Organization.id)
            .where(User.active.is_(True), or_(User.name.contains(q, autoescape=True),
                                              User.phone.contains(q, autoescape=True))))
    if not is_admin(user):
        paths, communities_ = organizer_paths(user), liaison_community_ids(user)
        if not paths and not communities_:
            forbid({"reason": "only organizers, liaisons and admins search members"})
        scope = [Organization.path.like(p + "%") for p in paths]
        if communities_:
            scope.append(User.community_id.in_(communities_))
        stmt = stmt.where(or_(*scope))
    rows = db.session.execute(stmt.order_by(User.name, User.id).limit(LIMIT)).all()
    return [{"id": u.id, "name": u.name, "phone": u.phone, "branch_name": branch, "community_id": u.community_id}
            for u, branch in rows]


def card_holder(user: User, token: str) -> dict:
    """Whose card this is, for the organizer about to check them in; members may read only their own."""
    try:
        card = cards.read_card(token)
    except TokenError:
        raise Invalid({"token": "card_token_invalid"}, location="query")
    member = db.session.get(User, card.member_id)
    if member is None:
        raise NotFound()
    if not (cards.can_view_card(user, member) or member.community_id in liaison_community_ids(user)):
        forbid()
    cards.check_current(member, card)
    return {"id": member.id, "name": member.name, "branch_name": member.branch.name if member.branch else None,
            "active": member.active}
