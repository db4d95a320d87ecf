"""An organization reports to a partner community (单位报到), set by an admin; history kept."""
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from server.auth.models import Organization, User
from server.auth.permissions import forbid, is_admin, liaison_community_ids, organizer_paths, require_admin
from server.common import audit
from server.common.errors import Conflict
from server.common.timeutil import utcnow
from server.community.access import community_or_404, get_or_404
from server.community.models import OrgCommunityPairing as Pairing
from server.extensions import db

OBJ = "org_community_pairing"


def create(user: User, organization_id: int, community_id: int, note: str = "",
           now: datetime | None = None) -> dict:
    """Pair the organization with the community; its current pairing elsewhere ends."""
    require_admin(user)
    now = now or utcnow()
    get_or_404(Organization, organization_id, lock=True)  # serialise pairings of one organization
    community_or_404(community_id)
    current = db.session.scalar(select(Pairing).where(Pairing.organization_id == organization_id,
                                                      Pairing.ended_at.is_(None)))
    if current is not None and current.community_id == community_id:
        raise Conflict("pairing_exists", {"pairing_id": current.id})
    if current is not None:
        current.ended_at, current.ended_by_id = now, user.id
        db.session.flush()
    pairing = Pairing(organization_id=organization_id, community_id=community_id, note=note, started_at=now,
                      created_by_id=user.id)
    db.session.add(pairing)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict()
    audit.record(user.id, "community.pairing.create", OBJ, pairing.id,
                 {"organization_id": organization_id, "community_id": current.community_id if current else None},
                 {"organization_id": organization_id, "community_id": community_id}, note)
    db.session.commit()
    return pairing_json(pairing)


def end(user: User, pairing_id: int, reason: str = "", now: datetime | None = None) -> dict:
    require_admin(user)
    pairing = get_or_404(Pairing, pairing_id, lock=True)
    if pairing.ended_at is not None:
        raise Conflict("pairing_already_ended")
    pairing.ended_at, pairing.ended_by_id = now or utcnow(), user.id
    audit.record(user.id, "community.pairing.end", OBJ, pairing.id,
                 {"organization_id": pairing.organization_id, "community_id": pairing.community_id},
                 {"organization_id": pairing.organization_id, "community_id": None}, reason)
    db.session.commit()
    return pairing_json(pairing)


def listing(user: User, organization_id: int | None = None, community_id: int | None = None,
            include_ended: bool = False) -> list[dict]:
    """Admins see all; organizers their organizations' subtree; liaisons their communities' partners."""
    stmt = select(Pairing).join(Organization, Organization.id == Pairing.organization_id)
    if not is_admin(user):
        paths, communities = organizer_paths(user), liaison_community_ids(user)
        if not paths and not communities:
            forbid()
        scope = [Organization.path.startswith(p) for p in paths]
        if communities:
            scope.append(Pairing.community_id.in_(communities))
        stmt = stmt.where(or_(*scope))
    if organization_id is not None:
        stmt = stmt.where(Pairing.organization_id == organization_id)
    if community_id is not None:
        stmt = stmt.where(Pairing.community_id == community_id)
    if not include_ended:
        stmt = stmt.where(Pairing.ended_at.is_(None))
    rows = db.session.scalars(stmt.order_by(Pairing.started_at.desc(), Pairing.id.desc())).all()
    return [pairing_json(p) for p in rows]


def pairing_json(p: Pairing) -> dict:
    return {"id": p.id, "organization_id": p.organization_id, "organization_name": p.organization.name,
            "community_id": p.community_id, "community_name": p.community.name, "note": p.note,
            "started_at": p.started_at, "ended_at": p.ended_at, "active": p.ended_at is None}
