"""A member's own account: what the app shows about them, changing the password (every other session
ends) and the phone (only with the password). Both changes are audited."""
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

import server.auth.messages  # noqa: F401  (registers the message codes)
from server.auth.models import Community, User
from server.auth.services import PHONE_RE, activated, hash_password, normalize_phone
from server.common import audit
from server.common.errors import Conflict, Invalid
from server.extensions import db


def account(user: User) -> dict:
    community = db.session.get(Community, user.community_id) if user.community_id else None
    return {"id": user.id, "name": user.name, "phone": user.phone,
            "branch": {"id": user.branch.id, "name": user.branch.name} if user.branch else None,
            "community": {"id": community.id, "name": community.name} if community else None,
            "card_version": user.card_version, "roles": user.roles}


def _check_password(user: User, password: str, field: str) -> None:
    if not (activated(user) and check_password_hash(user.password_hash, password)):
        raise Invalid({field: "current_password_wrong"}, code="current_password_wrong")


def change_password(user: User, current: str, new: str) -> User:
    """The caller signs this device in again with the new epoch; every other device is signed out."""
    _check_password(user, current, "current_password")
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    audit.record(user.id, "account.password.change", "user", user.id, None, None)
    db.session.commit()
    return user


def change_phone(user: User, password: str, phone: str) -> dict:
    _check_password(user, password, "password")
    phone = normalize_phone(phone)
    if not PHONE_RE.match(phone):
        raise Invalid({"phone": "phone_invalid"})
    if phone == user.phone:
        return account(user)
    before = {"phone": user.phone}
    user.phone = phone
    audit.record(user.id, "account.phone.change", "user", user.id, before, {"phone": phone})
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("phone_taken")
    return account(user)
