"""Sign-in rules: slow password hashes, one answer for unknown phone and wrong password."""
import re
import secrets

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from server.auth.models import RevokedSession, RoleGrant, User
from server.common.errors import Forbidden, Unauthorized
from server.extensions import db

_DUMMY_HASH: dict[str, str] = {}
# An imported member's password until they activate: no "$", so werkzeug's check_password_hash refuses it.
UNUSABLE_PASSWORD = "!imported"  # noqa: S105


PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(text: str) -> str:
    """A mainland mobile number as typed or pasted ("+86 139-0000 0000") to its 11 digits."""
    phone = re.sub(r"[\s\-()（）]", "", text)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


def activated(user: User) -> bool:
    """Whether the member has a password of their own (set by activation, a reset or an admin)."""
    return user.password_hash != UNUSABLE_PASSWORD


def _dummy_hash(method: str) -> str:
    """Made once per process: an unknown phone then costs one hash check, like a known one."""
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
    return _DUMMY_HASH[method]


def end_session(user_id: int | None, sid: str | None) -> None:
    """Record the session as signed out; a cookie without an id (older than this rule) has nothing to record."""
    if user_id is None or not sid or db.session.get(RevokedSession, sid) is not None:
        return
    db.session.add(RevokedSession(sid=sid, user_id=user_id))
    try:
        db.session.commit()
    except IntegrityError:  # the same cookie signed out twice at once
        db.session.rollback()


def end_all_sessions(user: User) -> None:
    """Every cookie issued before now stops working (the session epoch is part of each)."""
    user.session_epoch += 1
    db.session.commit()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(phone: str, password: str) -> User:
    """Return the user or raise 401; unknown phones still pay for one hash check."""
    user = db.session.scalar(db.select(User).where(User.phone == phone))
    if user is None or not activated(user):  # neither answers faster than a wrong password
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        raise Unauthorized("bad_credentials")
    if not check_password_hash(user.password_hash, password):
        raise Unauthorized("bad_credentials")
    if not user.active:
        raise Forbidden("inactive_user")
    return user


def create_user(name: str, phone: str, password: str, branch_id: int | None = None,
                community_id: int | None = None, grants: list[tuple[str, int | None, int | None]] = ()) -> User:
    """grants: (role, organization_id, community_id) triples."""
    user = User(name=name, phone=phone, password_hash=hash_password(password),
                branch_id=branch_id, community_id=community_id)
    for role, org_id, comm_id in grants:
        user.grants.append(RoleGrant(role=role, organization_id=org_id, community_id=comm_id))
    db.session.add(user)
    return user


def user_json(user: User) -> dict:
    return {
        "id": user.id, "name": user.name, "phone": user.phone, "roles": user.roles,
        "branch": {"id": user.branch.id, "name": user.branch.name} if user.branch else None,
        "community_id": user.community_id,
        "organizer_of": sorted(g.organization_id for g in user.grants if g.role == "organizer"),
        "liaison_of": sorted(g.community_id for g in user.grants if g.role == "liaison"),
    }
