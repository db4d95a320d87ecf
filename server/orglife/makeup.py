"""Make-up (补课): a member who missed a meeting records what they studied and when; the branch's secretary
(an organizer managing the event) or an admin confirms it, and the member shows as made up."""
from datetime import datetime

from sqlalchemy import select

import server.orglife.messages  # noqa: F401  (registers the message codes)
from server.attendance import lifecycle
from server.attendance.models import Attendance
from server.auth.models import User
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.events import audience
from server.events.kinds import KINDS
from server.events.lookup import event_for
from server.events.models import Event
from server.extensions import db
from server.orglife.models import MakeUp


def makeup_json(m: MakeUp, name: str | None = None, title: str | None = None) -> dict:
    return {"id": m.id, "event_id": m.event_id, "member_id": m.user_id, "member_name": name, "event_title": title,
            "content": m.content, "studied_at": iso_local(m.studied_at), "confirmed": m.confirmed_at is not None,
            "confirmed_by_id": m.confirmed_by_id,
            "confirmed_at": iso_local(m.confirmed_at) if m.confirmed_at else None,
            "created_at": iso_local(m.created_at)}


def record(user: User, event_id: int, content: str, studied_at: datetime, now: datetime | None = None) -> dict:
    """By a member the ended meeting expected and who was not there (absent, not excused)."""
    now = now or utcnow()
    event = event_for(scope_of(user), event_id, "see")
    if not KINDS[event.kind].org_life or event.status == "cancelled":
        raise Conflict("orglife_makeup_not_meeting", {"event_id": event_id})
    if event.ends_at > now:
        raise Conflict("orglife_makeup_not_yet", {"event_id": event_id, "ends_at": iso_local(event.ends_at)})
    if not audience.is_eligible(user, event):
        raise Forbidden("orglife_leave_not_expected", {"event_id": event_id})
    if studied_at < event.starts_at or studied_at > now:
        raise Invalid({"studied_at": "orglife_makeup_bad_time"})
    state = db.session.scalar(select(Attendance.state).where(Attendance.event_id == event_id,
                                                             Attendance.user_id == user.id))
    if state is not None and state not in lifecycle.NOT_PRESENT:
        raise Conflict("orglife_makeup_was_there", {"event_id": event_id, "state": state})
    if db.session.scalar(select(MakeUp.id).where(MakeUp.event_id == event_id, MakeUp.user_id == user.id)):
        raise Conflict("orglife_makeup_exists", {"event_id": event_id})
    m = MakeUp(event_id=event_id, user_id=user.id, content=content, studied_at=studied_at, created_at=now)
    db.session.add(m)
    db.session.flush()
    audit.record(user.id, "orglife.makeup.record", "makeup", m.id, None,
                 {"event_id": event_id, "studied_at": iso_local(studied_at), "confirmed": False})
    db.session.commit()
    return makeup_json(m, user.name, event.title)


def confirm(actor: User, makeup_id: int, now: datetime | None = None) -> dict:
    now = now or utcnow()
    m = db.session.get(MakeUp, makeup_id)
    if m is None:
        raise NotFound(details={"makeup_id": makeup_id})
    try:
        event = event_for(scope_of(actor), m.event_id, "manage")
    except NotFound:
        raise NotFound(details={"makeup_id": makeup_id}) from None
    if m.confirmed_at is not None:
        raise Conflict("orglife_makeup_confirmed", {"makeup_id": makeup_id})
    m.confirmed_by_id, m.confirmed_at = actor.id, now
    audit.record(actor.id, "orglife.makeup.confirm", "makeup", m.id, {"confirmed": False}, {"confirmed": True})
    db.session.commit()
    return makeup_json(m, db.session.scalar(select(User.name).where(User.id == m.user_id)), event.title)


def mine(user: User) -> list[dict]:
    rows = db.session.execute(select(MakeUp, Event.title).join(Event, Event.id == MakeUp.event_id)
                              .where(MakeUp.user_id == user.id).order_by(MakeUp.id.desc()))
    return [makeup_json(m, user.name, title) for m, title in rows]


def for_event(actor: User, event_id: int) -> list[dict]:
    event = event_for(scope_of(actor), event_id, "manage")
    rows = db.session.execute(select(MakeUp, User.name).join(User, User.id == MakeUp.user_id)
                              .where(MakeUp.event_id == event_id).order_by(MakeUp.id))
    return [makeup_json(m, name, event.title) for m, name in rows]


def unconfirmed(actor: User) -> list[dict]:
    """Make-ups waiting for the secretary's confirmation, of the events the actor manages."""
    from server.events.lookup import manages_clause
    rows = db.session.execute(select(MakeUp, User.name, Event.title).join(User, User.id == MakeUp.user_id)
                              .join(Event, Event.id == MakeUp.event_id)
                              .where(MakeUp.confirmed_at.is_(None), manages_clause(scope_of(actor)))
                              .order_by(MakeUp.id).limit(200))
    return [makeup_json(m, name, title) for m, name, title in rows]
