"""Who may act on what: roles and their scopes, checked by services for every object."""
from functools import wraps

from flask import g, session
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from server.auth.models import Organization, RevokedSession, User
from server.auth.scope import scope_of
from server.common.errors import Forbidden, NotFound, Unauthorized
from server.extensions import db


def current_user() -> User | None:
    """The signed-in user, loaded once per request; a stale session epoch signs out."""
    if "user" not in g:
        user = None
        uid = session.get("uid")
        if uid is not None:
            # one query: the user, the grants the request's Scope reads, and whether this session was signed out
            row = db.session.execute(
                select(User, RevokedSession.sid).options(joinedload(User.grants))
                .outerjoin(RevokedSession, RevokedSession.sid == (session.get("sid") or ""))
                .where(User.id == uid)).unique().first()
            user = row[0] if row is not None and row[1] is None else None
            if user is not None and (not user.active or user.session_epoch != session.get("epoch")):
                user = None
        g.user = user
    return g.user


def require_user() -> User:
    user = current_user()
    if user is None:
        raise Unauthorized()
    return user


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)
    return wrapper


def forbid(details: dict | None = None):
    raise Forbidden(details=details)


# The questions below are asked of the request's one Scope (server.auth.scope); these names stay
# for the services that ask about a user rather than a scope.

def is_admin(user: User) -> bool:
    return scope_of(user).admin


def organizer_org_ids(user: User) -> set[int]:
    return set(scope_of(user).org_ids)


def liaison_community_ids(user: User) -> set[int]:
    return set(scope_of(user).community_ids)


def organizer_paths(user: User) -> list[str]:
    return list(scope_of(user).org_paths)


def can_manage_org(user: User, org: Organization | None) -> bool:
    """Admins everywhere; an organizer over their organizations and everything below them."""
    return scope_of(user).manages_org(org)


def can_manage_community(user: User, community_id: int | None) -> bool:
    return scope_of(user).manages_community(community_id)


def can_manage_event(user: User, event) -> bool:
    return scope_of(user).manages_host(event.host_path, event.host_community_id)


def require_admin(user: User) -> None:
    if not scope_of(user).admin:
        forbid()


def managed_member(actor: User, member_id: int) -> User:
    """The member, if the actor manages them (an admin, or an organizer over the member's branch)."""
    member = db.session.get(User, member_id)
    if member is None:
        raise NotFound(details={"member_id": member_id})
    if not (is_admin(actor) or (member.branch is not None and can_manage_org(actor, member.branch))):
        raise Forbidden(details={"member_id": member_id})
    return member
