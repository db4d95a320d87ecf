"""Check-in by hand (a member without a phone, or by their card): the same admission rules as a scan,
through the staff channels, with the staff override recorded in the audit entry."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import admission, core
from server.attendance.admission import Refused
from server.attendance.models import Attendance
from server.auth import cards
from server.auth.models import User
from server.auth.scope import scope_of
from server.common import audit, qrtoken
from server.common.errors import Invalid, NotFound
from server.common.timeutil import utcnow
from server.events.lookup import event_for
from server.extensions import db


def _member(member_id: int | None, card_token: str | None) -> tuple[User, str]:
    """The member named by id ("manual") or by a scanned card ("card")."""
    method, card = "manual", None
    if card_token is not None:
        try:
            card = cards.read_card(card_token)
        except qrtoken.TokenError:
            raise Invalid({"card_token": "card_token_invalid"})
        member_id, method = card.member_id, "card"
    member = db.session.get(User, member_id)
    if member is None:
        raise NotFound(details={"member_id": member_id})
    if card is not None:
        cards.check_current(member, card)  # a reissued card's predecessor checks nobody in
    return member, method


def existing(event_id: int, user_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.event_id == event_id,
                                                      Attendance.user_id == user_id))


def member_fields(member: User) -> dict:
    return {"member_name": member.name, "member_phone": member.phone,
            "branch_name": member.branch.name if member.branch else None}


def _refused(code: str, att: Attendance | None, member: User) -> Refused:
    """A refusal that shows what stands, so the organizer sees who and when."""
    details = {"member_id": member.id}
    if att is not None:
        details["attendance"] = {**core.attendance_json(att), **member_fields(member)}
    refusal = Refused(code, details)
    refusal.status = 409 if code.startswith("already_") else refusal.status
    return refusal


def manual_checkin(actor: User, event_id: int, reason: str, member_id: int | None = None,
                   card_token: str | None = None, direction: str = "in") -> dict:
    """Check a member in (or out) by hand, paying points exactly as a scan would, audited."""
    event = event_for(scope_of(actor), event_id, "manage")
    member, method = _member(member_id, card_token)
    reason, now = reason.strip(), utcnow()
    att = existing(event.id, member.id)
    facts = admission.Facts(method, direction, now, event, member, att,
                            accuracy_cap_m=current_app.config["GEOFENCE_ACCURACY_CAP_M"],
                            skip=admission.STAFF_OVERRIDE)
    try:
        outcome = admission.judge(facts)
    except Refused as refusal:
        raise _refused(refusal.code, att, member) from None
    if outcome.startswith("already_"):
        raise _refused(outcome, att, member)
    try:
        before = None if att is None else core.attendance_json(att)
        if outcome == "checked_in":
            att, paid = core.check_in(event, member.id, now, method, actor_id=actor.id, note=reason)
        else:
            att, paid = core.check_out(event, att, now, method, actor_id=actor.id)
        after = core.attendance_json(att)
        audit.record(actor.id, f"attendance.manual_check{direction}", "attendance", att.id, before,
                     {**after, "points_awarded": paid, "skipped_rules": sorted(facts.skip)}, reason)
        db.session.commit()
    except (IntegrityError, StaleDataError):  # a racing scan or organizer won; show what stands
        db.session.rollback()
        raise _refused("already_checked_in" if direction == "in" else "already_checked_out",
                       existing(event.id, member.id), member) from None
    return {"outcome": outcome, "points_awarded": paid, "attendance": {**after, **member_fields(member)}}
