"""One-time account codes: what a code is, and redeeming one to set a password (activation slip, reset code,
branch join QR). Codes are random (10 letters and digits without look-alikes, about 50 bits), kept only as an
HMAC keyed by the app's secret, and found by that hash: a guessed code finds nothing, and the throttle at the
edge bounds the guessing. Redeeming reads as the ordered refusals below; the first one is the answer."""
import hashlib
import hmac
import re
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

import server.auth.messages  # noqa: F401  (registers the message codes)
from server.auth.models import AccountCode, Organization, PasswordHelp, User
from server.auth.services import UNUSABLE_PASSWORD, activated, hash_password, normalize_phone
from server.common import audit
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.db_setup import reading
from server.extensions import db

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off paper without doubt
LENGTH = 10
CODE_PATH = "/a/"
_CLEAN = re.compile(r"[\s\-_.·]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """The code in a typed text or a scanned URL (any case, grouped with spaces or dashes); None if not one."""
    text = text.strip()
    if CODE_PATH in text:
        text = text.rsplit(CODE_PATH, 1)[1].split("?", 1)[0].strip("/")
    code = _CLEAN.sub("", text).upper()
    return code if len(code) == LENGTH and all(c in ALPHABET for c in code) else None


def digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"account-code:" + code.encode(), hashlib.sha256).hexdigest()


def grouped(code: str) -> str:
    """How a code is printed: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def code_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{CODE_PATH}{code}"


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def same_name(a: str, b: str) -> bool:
    """Names as on the roster, spaces (also full-width) and case aside."""
    return re.sub(r"\s", "", a).casefold() == re.sub(r"\s", "", b).casefold()


# ---------------------------------------------------------------- reading a code

def _find(text: str) -> AccountCode:
    code = normalize(text)
    row = db.session.scalar(select(AccountCode).where(AccountCode.code_hash == digest(code))) if code else None
    if row is None:
        raise NotFound("code_unknown")
    return row


def _usable(row: AccountCode, now: datetime) -> None:
    if row.ended_at is not None:
        raise Conflict("code_replaced", {"purpose": row.purpose})
    if row.used_at is not None:
        raise Conflict("code_spent", {"purpose": row.purpose})
    if row.expires_at <= now:
        raise Conflict("code_expired", {"purpose": row.purpose, "expired_at": iso_local(row.expires_at)})


def describe(text: str, now: datetime | None = None) -> dict:
    """What a code is for, before the member types anything: the purpose, the branch, until when, and for a
    member's own code the masked phone printed on the slip. Never who else is on the roster."""
    row = _find(text)
    _usable(row, now or utcnow())
    member = db.session.get(User, row.user_id) if row.user_id else None
    org_id = row.organization_id or (member.branch_id if member else None)
    org = db.session.get(Organization, org_id) if org_id else None
    return {"purpose": row.purpose, "branch_name": org.name if org else None,
            "expires_at": iso_local(row.expires_at),
            "masked_phone": masked_phone(member.phone) if member else None}


# ---------------------------------------------------------------- redeeming

def _holder(row: AccountCode, phone: str, name: str) -> User:
    """The member this code lets in, if phone and name match the roster; one answer for every mismatch."""
    phone = normalize_phone(phone)
    if row.purpose == "join":
        member = db.session.scalar(select(User).where(User.phone == phone, User.branch_id == row.organization_id,
                                                      User.active.is_(True)))
    else:
        member = db.session.get(User, row.user_id)
        member = member if member is not None and member.phone == phone else None
    if member is None or not same_name(member.name, name):
        raise Invalid({"phone": "code_holder_mismatch", "name": "code_holder_mismatch"},
                      code="code_holder_mismatch")
    return member


def redeem(text: str, phone: str, name: str, password: str, now: datetime | None = None) -> User:
    """Set the member's password with a code: every other session of theirs ends, the code is spent (a
    join code stays for the next member), and the use is audited. The checks only read (on SQLite the write
    lock is not held while the slow password hash runs); the writes are conditional, so races settle there."""
    now = now or utcnow()
    with reading(db.session):
        row = _find(text)
        _usable(row, now)
        member = _holder(row, phone, name)
        if not member.active:
            raise Forbidden("inactive_user")
        if row.purpose == "join" and activated(member):
            raise Conflict("account_already_active")
        code_id, purpose, member_id = row.id, row.purpose, member.id
    new_hash = hash_password(password)
    if purpose == "join":  # the first of two racing claims wins
        won = db.session.execute(update(User).where(User.id == member_id, User.password_hash == UNUSABLE_PASSWORD)
                                 .values(password_hash=new_hash, session_epoch=User.session_epoch + 1)).rowcount
        if not won:
            db.session.rollback()
            raise Conflict("account_already_active")
    else:
        spent = db.session.execute(update(AccountCode).where(AccountCode.id == code_id, AccountCode.used_at.is_(None),
                                                             AccountCode.ended_at.is_(None))
                                   .values(used_at=now)).rowcount
        if not spent:
            db.session.rollback()
            raise Conflict("code_spent", {"purpose": purpose})
        db.session.execute(update(User).where(User.id == member_id).values(
            password_hash=new_hash, session_epoch=User.session_epoch + 1))
    # A member who is in has no use for the other codes printed or issued for them.
    db.session.execute(update(AccountCode).where(AccountCode.user_id == member_id, AccountCode.id != code_id,
                                                 AccountCode.used_at.is_(None), AccountCode.ended_at.is_(None))
                       .values(ended_at=now))
    db.session.execute(update(PasswordHelp).where(PasswordHelp.user_id == member_id,
                                                  PasswordHelp.handled_at.is_(None)).values(handled_at=now))
    audit.record(member_id, f"account.{purpose}.use", "user", member_id, None, {"code_id": code_id})
    db.session.commit()
    return db.session.get(User, member_id, populate_existing=True)
