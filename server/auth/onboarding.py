"""Staff letting members in: activation slips for a branch, the branch's join QR, reset codes, and the
members' "I forgot my password" requests. Every code issued is audited; a new code of the same kind for
the same member (or branch) ends the older one. Bulk work: a fixed number of statements for any branch."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, insert, select, update

from server.auth.codes import code_url, digest, grouped, masked_phone, new_code
from server.auth.models import AccountCode, Organization, PasswordHelp, User
from server.auth.scope import scope_of
from server.auth.services import UNUSABLE_PASSWORD, normalize_phone
from server.common import audit
from server.common.audit import AuditLog
from server.common.errors import Forbidden, NotFound
from server.common.timeutil import iso_local, utcnow
from server.extensions import db

RESET_HOURS = 24
CHUNK = 900


def _org(actor: User, org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"organization_id": org_id})
    if not scope_of(actor).manages_org(org):
        raise Forbidden(details={"organization_id": org_id})
    return org


def _members_under(org: Organization):
    """Active members of the organization and everything below it."""
    return (select(User, Organization.name).join(Organization, Organization.id == User.branch_id)
            .where(Organization.path.startswith(org.path), User.active.is_(True)))


def _end_open(purpose: str, now: datetime, user_ids: list[int] | None = None, org_id: int | None = None) -> None:
    open_ = (AccountCode.purpose == purpose, AccountCode.used_at.is_(None), AccountCode.ended_at.is_(None))
    if org_id is not None:
        db.session.execute(update(AccountCode).where(*open_, AccountCode.organization_id == org_id)
                           .values(ended_at=now))
    for i in range(0, len(user_ids or []), CHUNK):
        db.session.execute(update(AccountCode).where(*open_, AccountCode.user_id.in_(user_ids[i:i + CHUNK]))
                           .values(ended_at=now))


def issue_slips(actor: User, org_id: int, days: int, member_ids: list[int] | None = None,
                now: datetime | None = None) -> dict:
    """One activation code per member still without a password (or per member named, to reprint a lost
    slip), valid `days`; the codes are in this answer only."""
    now = now or utcnow()
    org = _org(actor, org_id)
    stmt = _members_under(org)
    stmt = stmt.where(User.id.in_(member_ids)) if member_ids else stmt.where(User.password_hash == UNUSABLE_PASSWORD)
    members = db.session.execute(stmt.order_by(Organization.path, User.name, User.id)).all()
    if member_ids and len(members) != len(set(member_ids)):
        raise NotFound(details={"member_ids": sorted(set(member_ids) - {m.id for m, _ in members})})
    expires = now + timedelta(days=days)
    codes = {m.id: new_code() for m, _ in members}
    _end_open("activation", now, list(codes))
    if codes:
        db.session.execute(insert(AccountCode), [
            {"code_hash": digest(code), "purpose": "activation", "user_id": uid, "organization_id": None,
             "issued_by_id": actor.id, "created_at": now, "expires_at": expires} for uid, code in codes.items()])
        db.session.execute(insert(AuditLog), [
            {"actor_id": actor.id, "action": "account.activation.issue", "object_type": "user", "object_id": uid,
             "before": None, "after": {"expires_at": expires.isoformat(), "organization_id": org.id},
             "reason": "", "created_at": now} for uid in codes])
    db.session.commit()
    return {"organization": {"id": org.id, "name": org.name}, "expires_at": iso_local(expires),
            "slips": [{"member_id": m.id, "name": m.name, "masked_phone": masked_phone(m.phone),
                       "branch_name": branch, "code": grouped(codes[m.id]), "url": code_url(codes[m.id])}
                      for m, branch in members]}


def issue_join(actor: User, org_id: int, hours: int, now: datetime | None = None) -> dict:
    """The branch's join QR for a screen: any member of the branch not yet activated confirms phone and
    name and sets a password; a new one ends the old."""
    now = now or utcnow()
    org = _org(actor, org_id)
    code, expires = new_code(), now + timedelta(hours=hours)
    _end_open("join", now, org_id=org.id)
    db.session.add(AccountCode(code_hash=digest(code), purpose="join", organization_id=org.id,
                               issued_by_id=actor.id, created_at=now, expires_at=expires))
    audit.record(actor.id, "account.join.issue", "organization", org.id, None, {"expires_at": expires.isoformat()})
    db.session.commit()
    return {"organization": {"id": org.id, "name": org.name}, "code": grouped(code), "url": code_url(code),
            "expires_at": iso_local(expires)}


def end_join(actor: User, org_id: int, now: datetime | None = None) -> None:
    """Stop the branch's join QR before it expires (the meeting is over)."""
    org = _org(actor, org_id)
    _end_open("join", now or utcnow(), org_id=org.id)
    audit.record(actor.id, "account.join.end", "organization", org.id, None, None)
    db.session.commit()


def _show_to_staff(member: User, code: str) -> dict:
    """This round's sender: the code is shown once to the staff member, who passes it on in person."""
    return {"delivered": False, "code": grouped(code), "url": code_url(code)}


# Where a reset code goes, by RESET_CODE_SENDER. An SMS gateway is one more entry here (a callable that
# sends the code and returns {"delivered": True}); the flow around it does not change.
SENDERS = {"staff": _show_to_staff}


def issue_reset(actor: User, member: User, now: datetime | None = None) -> dict:
    """A one-time reset code for a member the actor manages (checked by the caller), valid 24 h."""
    now = now or utcnow()
    code, expires = new_code(), now + timedelta(hours=RESET_HOURS)
    _end_open("reset", now, [member.id])
    db.session.add(AccountCode(code_hash=digest(code), purpose="reset", user_id=member.id, issued_by_id=actor.id,
                               created_at=now, expires_at=expires))
    db.session.execute(update(PasswordHelp).where(PasswordHelp.user_id == member.id,
                                                  PasswordHelp.handled_at.is_(None)).values(handled_at=now))
    audit.record(actor.id, "account.reset.issue", "user", member.id, None, {"expires_at": expires.isoformat()})
    sent = SENDERS[current_app.config["RESET_CODE_SENDER"]](member, code)
    db.session.commit()
    return {"member_id": member.id, "expires_at": iso_local(expires), **sent}


def ask_help(phone: str, now: datetime | None = None) -> None:
    """A member asks for a reset from the sign-in page; the answer is the same whether or not the phone is
    on the roster, so it reveals nobody."""
    member = db.session.scalar(select(User).where(User.phone == normalize_phone(phone), User.active.is_(True)))
    if member is None or db.session.scalar(select(PasswordHelp.id).where(PasswordHelp.user_id == member.id,
                                                                         PasswordHelp.handled_at.is_(None))):
        db.session.rollback()
        return
    db.session.add(PasswordHelp(user_id=member.id, created_at=now or utcnow()))
    db.session.commit()


def help_requests(actor: User) -> list[dict]:
    """Open "forgot my password" requests of the members the actor manages, oldest first."""
    scope = scope_of(actor)
    if not (scope.admin or scope.org_paths):
        raise Forbidden(details={"hint": "for organizers and admins"})
    rows = db.session.execute(
        select(PasswordHelp, User.name, User.phone, Organization.name)
        .join(User, User.id == PasswordHelp.user_id).outerjoin(Organization, Organization.id == User.branch_id)
        .where(PasswordHelp.handled_at.is_(None), scope.manages_org_clause(User.branch_id))
        .order_by(PasswordHelp.created_at, PasswordHelp.id).limit(200)).all()
    return [{"id": h.id, "member_id": h.user_id, "name": name, "masked_phone": masked_phone(phone),
             "branch_name": branch, "asked_at": iso_local(h.created_at)} for h, name, phone, branch in rows]


def activation_status(actor: User, org_id: int) -> dict:
    """How far a branch is: members, how many have a password, and who has not yet."""
    org = _org(actor, org_id)
    counts = db.session.execute(
        select(func.count(User.id), func.count(case((User.password_hash != UNUSABLE_PASSWORD, 1))))
        .join(Organization, Organization.id == User.branch_id)
        .where(Organization.path.startswith(org.path), User.active.is_(True))).one()
    waiting = db.session.execute(_members_under(org).where(User.password_hash == UNUSABLE_PASSWORD)
                                 .order_by(Organization.path, User.name, User.id).limit(500)).all()
    return {"organization": {"id": org.id, "name": org.name}, "members": counts[0], "activated": counts[1],
            "waiting": [{"member_id": m.id, "name": m.name, "masked_phone": masked_phone(m.phone),
                         "branch_name": branch} for m, branch in waiting]}
