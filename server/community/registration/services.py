"""Reporting in (报到): the community's registration code, requests, acceptance with a receipt, moving.

A member holds at most one accepted registration (users.community_id mirrors it) and at most one
pending request; both are enforced by partial unique indexes, so racing requests cannot break them.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.auth.models import Community, User
from server.auth.permissions import can_manage_community, forbid
from server.common import audit, qrtoken
from server.common.errors import Conflict, DomainError
from server.common.timeutil import to_local, utcnow
from server.community.access import community_or_404, get_or_404, member_brief, require_liaison
from server.community.models import CommunityRegistration as Reg
from server.community.models import CommunitySettings
from server.extensions import db

OBJ = "community_registration"


# -- the registration code -------------------------------------------------------------------

def key_version(community_id: int) -> int:
    return db.session.scalar(select(CommunitySettings.key_version).where(
        CommunitySettings.community_id == community_id)) or 1


def _token(community_id: int, version: int) -> str:
    tok = qrtoken.Token(qrtoken.PURPOSE_COMMUNITY, community_id, version, 0, "in", True)
    return qrtoken.sign(current_app.config["SECRET_KEY"], tok)


def registration_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{token}"


def registration_code(user: User, community_id: int) -> dict:
    """The static code a liaison prints or shows: {community_id, token, url, key_version}."""
    community_or_404(community_id)
    require_liaison(user, community_id)
    version = key_version(community_id)
    token = _token(community_id, version)
    return {"community_id": community_id, "token": token, "url": registration_url(token), "key_version": version}


def rotate_code(user: User, community_id: int, reason: str = "") -> dict:
    """Bump the key version: every code printed so far stops working."""
    community_or_404(community_id)
    require_liaison(user, community_id)
    for _attempt in range(2):
        settings = db.session.scalar(select(CommunitySettings).where(CommunitySettings.community_id == community_id)
                                     .with_for_update())
        before = settings.key_version if settings else 1
        if settings is None:
            db.session.add(CommunitySettings(community_id=community_id, key_version=before + 1))
        else:
            settings.key_version = before + 1
        audit.record(user.id, "community.code.rotate", "community", community_id,
                     {"key_version": before}, {"key_version": before + 1}, reason)
        try:
            db.session.commit()
            break
        except IntegrityError:  # two first rotations raced to create the settings row
            db.session.rollback()
    return registration_code(user, community_id)


def community_from_token(token: str) -> Community:
    try:
        tok = qrtoken.verify(current_app.config["SECRET_KEY"], token, qrtoken.PURPOSE_COMMUNITY)
    except qrtoken.TokenError:
        raise DomainError("registration_code_invalid") from None
    community = db.session.get(Community, tok.object_id)
    if community is None or not tok.static or tok.window != 0:
        raise DomainError("registration_code_invalid")
    if tok.key_version != key_version(community.id):
        raise DomainError("registration_code_invalid", {"reason": "revoked"})
    return community


def preview(user: User, token: str) -> dict:
    """What the /r/{token} page shows before the member confirms."""
    community = community_from_token(token)
    pending = db.session.scalar(select(Reg).where(Reg.user_id == user.id, Reg.status == "pending"))
    return {"community": community_brief(community), "already_registered": user.community_id == community.id,
            "current_community_id": user.community_id,
            "pending_registration": registration_json(pending) if pending else None}


# -- requests and decisions ------------------------------------------------------------------

def submit(user: User, token: str, note: dict, now: datetime | None = None) -> tuple[dict, int]:
    """File a request with the code's community; the same community again returns the waiting one (200)."""
    community = community_from_token(token)
    if user.community_id == community.id:
        raise Conflict("registration_already_registered", {"community_id": community.id})
    now = now or utcnow()
    for _attempt in range(2):
        pending = db.session.scalar(select(Reg).where(Reg.user_id == user.id, Reg.status == "pending")
                                    .with_for_update(of=Reg))
        if pending is not None and pending.community_id == community.id:
            return registration_json(pending), 200
        if pending is not None:  # a new scan replaces a request still waiting elsewhere
            pending.status, pending.ended_at, pending.end_reason = "ended", now, "superseded"
            db.session.flush()
        reg = Reg(community_id=community.id, user_id=user.id, status="pending", created_at=now,
                  note_address=note.get("address", ""), note_skills=note.get("skills", ""),
                  note_availability=note.get("availability", ""))
        db.session.add(reg)
        try:
            db.session.commit()
            return registration_json(reg), 201
        except IntegrityError:  # a second request of the same member raced this one
            db.session.rollback()
    raise Conflict()


def _mine_or_liaison(user: User, reg: Reg) -> None:
    if reg.user_id != user.id and not can_manage_community(user, reg.community_id):
        forbid({"registration_id": reg.id})


def get(user: User, reg_id: int) -> dict:
    reg = get_or_404(Reg, reg_id)
    _mine_or_liaison(user, reg)
    return registration_json(reg)


def _pending_locked(user: User, reg_id: int) -> Reg:
    reg = get_or_404(Reg, reg_id)
    require_liaison(user, reg.community_id)
    reg = get_or_404(Reg, reg_id, lock=True)
    if reg.status != "pending":
        raise Conflict("registration_not_pending", {"status": reg.status})
    return reg


def accept(user: User, reg_id: int, message: str = "", now: datetime | None = None) -> dict:
    """Register the member here; a current registration elsewhere ends (moving), history kept."""
    now = now or utcnow()
    reg = _pending_locked(user, reg_id)
    member = get_or_404(User, reg.user_id, lock=True)
    before_community = member.community_id
    previous = db.session.scalar(select(Reg).where(Reg.user_id == member.id, Reg.status == "accepted")
                                 .with_for_update(of=Reg))
    if previous is not None:
        previous.status, previous.ended_at, previous.end_reason = "ended", now, "moved"
        db.session.flush()  # the one-accepted index must see the old one end first
    reg.status, reg.decided_at, reg.decided_by_id, reg.decision_note = "accepted", now, user.id, message
    reg.started_at = now
    member.community_id = reg.community_id
    audit.record(user.id, "community.registration.accept", OBJ, reg.id,
                 {"status": "pending", "community_id": before_community},
                 {"status": "accepted", "community_id": reg.community_id}, message)
    if before_community is not None and before_community != reg.community_id:
        audit.record(user.id, "community.member.move", "user", member.id,
                     {"community_id": before_community, "registration_id": previous.id if previous else None},
                     {"community_id": reg.community_id, "registration_id": reg.id}, "moved by registration")
    db.session.commit()
    return registration_json(reg)


def decline(user: User, reg_id: int, reason: str, now: datetime | None = None) -> dict:
    reg = _pending_locked(user, reg_id)
    reg.status, reg.decided_at, reg.decided_by_id, reg.decision_note = "declined", now or utcnow(), user.id, reason
    audit.record(user.id, "community.registration.decline", OBJ, reg.id, {"status": "pending"},
                 {"status": "declined"}, reason)
    db.session.commit()
    return registration_json(reg)


def end(user: User, reg_id: int, reason: str = "", now: datetime | None = None) -> dict:
    """The member leaves (or withdraws a waiting request), or the liaison ends the registration."""
    reg = get_or_404(Reg, reg_id)
    _mine_or_liaison(user, reg)
    reg = get_or_404(Reg, reg_id, lock=True)
    if reg.status not in ("pending", "accepted"):
        raise Conflict("registration_not_active", {"status": reg.status})
    before = reg.status
    reg.status, reg.ended_at, reg.end_reason = "ended", now or utcnow(), reason or "ended"
    member = get_or_404(User, reg.user_id, lock=True)
    before_community = member.community_id
    if before == "accepted" and member.community_id == reg.community_id:
        member.community_id = None
    audit.record(user.id, "community.registration.end", OBJ, reg.id,
                 {"status": before, "community_id": before_community},
                 {"status": "ended", "community_id": member.community_id}, reason)
    db.session.commit()
    return registration_json(reg)


# -- lists and views --------------------------------------------------------------------------

def mine(user: User) -> dict:
    regs = db.session.scalars(select(Reg).where(Reg.user_id == user.id).order_by(Reg.created_at.desc(),
                                                                                 Reg.id.desc())).all()
    current = next((r for r in regs if r.status == "accepted"), None)
    community = db.session.get(Community, user.community_id) if user.community_id else None
    return {"community": community_brief(community) if community else None,
            "current": registration_json(current) if current else None,
            "history": [registration_json(r) for r in regs]}


def for_community(user: User, community_id: int, status: str | None) -> list[dict]:
    community_or_404(community_id)
    require_liaison(user, community_id)
    stmt = select(Reg).where(Reg.community_id == community_id)
    if status:
        stmt = stmt.where(Reg.status == status)
    return [registration_json(r) for r in db.session.scalars(stmt.order_by(Reg.created_at.desc(), Reg.id.desc()))]


def community_brief(community: Community) -> dict:
    return {"id": community.id, "name": community.name, "address": community.address}


def receipt(reg: Reg) -> dict | None:
    """The 回执 a member keeps: issued when the registration was accepted."""
    if reg.started_at is None:
        return None
    day = to_local(reg.started_at)
    branch = reg.user.branch.name if reg.user.branch else ""
    text = (f"{reg.user.name}同志{('（' + branch + '）') if branch else ''}：您已于{day:%Y年%m月%d日}"
            f"到{reg.community.name}报到，特此回执。")
    return {"receipt_no": f"SBD{day:%Y%m%d}{reg.id:06d}", "text": text, "community_name": reg.community.name,
            "member_name": reg.user.name, "branch_name": branch or None, "accepted_at": reg.started_at,
            "accepted_by": reg.decided_by.name if reg.decided_by else None, "message": reg.decision_note}


def registration_json(reg: Reg) -> dict:
    return {
        "id": reg.id, "status": reg.status, "community": community_brief(reg.community),
        "member": member_brief(reg.user),
        "note": {"address": reg.note_address, "skills": reg.note_skills, "availability": reg.note_availability},
        "created_at": reg.created_at, "decided_at": reg.decided_at,
        "decided_by": reg.decided_by.name if reg.decided_by else None, "decision_note": reg.decision_note,
        "started_at": reg.started_at, "ended_at": reg.ended_at, "end_reason": reg.end_reason,
        "receipt": receipt(reg),
    }
