"""Who may act on what: roles and their scopes, checked by services for every object."""
from functools import wraps

from flask import g, session

from server.auth.models import Organization, User
from server.common.errors import ApiError
from server.extensions import db


def current_user() -> User | None:
    """The signed-in user, loaded once per request; a stale session epoch signs out."""
    if "user" not in g:
        user = None
        uid = session.get("uid")
        if uid is not None:
            user = db.session.get(User, uid)
            if user is None or not user.active or user.session_epoch != session.get("epoch"):
                user = None
        g.user = user
    return g.user


def require_user() -> User:
    user = current_user()
    if user is None:
        raise ApiError(401, "unauthorized")
    return user


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)
    return wrapper


def forbid(details: dict | None = None):
    raise ApiError(403, "forbidden", details)


def is_admin(user: User) -> bool:
    return user.has_role("admin")


def organizer_org_ids(user: User) -> set[int]:
    return {g_.organization_id for g_ in user.grants if g_.role == "organizer" and g_.organization_id}


def liaison_community_ids(user: User) -> set[int]:
    return {g_.community_id for g_ in user.grants if g_.role == "liaison" and g_.community_id}


def organizer_paths(user: User) -> list[str]:
    ids = organizer_org_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(db.select(Organization.path).where(Organization.id.in_(ids))))


def can_manage_org(user: User, org: Organization | None) -> bool:
    """Admins everywhere; an organizer over their organizations and everything below them."""
    if is_admin(user):
        return True
    if org is None:
        return False
    return any(org.path.startswith(p) for p in organizer_paths(user))


def can_manage_community(user: User, community_id: int | None) -> bool:
    return is_admin(user) or (community_id is not None and community_id in liaison_community_ids(user))


def can_manage_event(user: User, event) -> bool:
    if is_admin(user):
        return True
    if event.host_org_id and can_manage_org(user, event.host_org):
        return True
    return bool(event.host_community_id and event.host_community_id in liaison_community_ids(user))


def require_event_manager(user: User, event) -> None:
    if not can_manage_event(user, event):
        forbid({"event_id": event.id})


def require_admin(user: User) -> None:
    if not is_admin(user):
        forbid()
