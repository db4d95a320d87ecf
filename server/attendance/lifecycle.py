"""The attendance lifecycle: its states, the moves allowed between them, and what counts.

Every change of an attendance's state after check-in goes through transition() (or its bulk form
for closing); check-in and check-out are the admission's writes (attendance/core.py). The tables
below are the one definition used by hours review, closing, annulment, history, reports and the
app's labels.
"""
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert, select, update

from server.attendance.models import Attendance
from server.common import audit
from server.common.audit import AuditLog
from server.common.errors import Conflict
from server.extensions import db

STATES = ("checked_in", "checked_out", "pending", "confirmed", "rejected", "no_checkout", "annulled", "excused")
LABELS = {
    "checked_in": ("已签到", "Checked in"),
    "checked_out": ("已签退", "Checked out"),
    "pending": ("待确认", "Awaiting confirmation"),
    "confirmed": ("已确认", "Confirmed"),
    "rejected": ("未通过", "Rejected"),
    "no_checkout": ("未签退", "No check-out"),
    "annulled": ("已作废", "Annulled"),
    "excused": ("已请假", "On leave (excused)"),
}
OPEN = ("checked_in",)                    # a check-out may still come
COUNTED = ("checked_out", "confirmed")    # hours_confirmed of these count toward hours and points
NOT_PRESENT = ("annulled", "excused")    # rows that are no presence: annulled, or approved leave (请假)
ATTENDED = tuple(s for s in STATES if s not in ("annulled", "rejected", "excused"))  # was there, for participation

# action -> (states it may start from, state it ends in; None: kept, or decided by the action)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "check_out": (("checked_in",), None),              # checked_out, or pending when the kind needs confirmation
    "confirm": (("pending",), "confirmed"),
    "adjust": (("pending", "confirmed", "rejected", "checked_out"), "confirmed"),
    "reject": (("pending", "confirmed", "checked_out", "no_checkout"), "rejected"),
    "set": (("no_checkout",), "confirmed"),
    "close": (("checked_in",), "no_checkout"),
    "annul": (tuple(s for s in STATES if s not in ("annulled", "excused")), "annulled"),
    "restore": (("annulled",), None),                  # undo an annulment: back to the state it had
    "excuse": ((), "excused"),  # approved leave: a new row (excuse()), from no attendance at all
    "unexcuse": (("excused",), None),  # leave withdrawn (the member came after all): the row goes (unexcuse())
    "dispute": (("pending", "confirmed", "rejected", "no_checkout", "checked_out"), None),  # the member objects
}


def allowed(action: str, state: str) -> bool:
    return state in TRANSITIONS[action][0]


def state_of(att) -> dict:
    """The audited view of an attendance's state and hours, unless the caller shows more."""
    return {"state": att.state, "hours_claimed": att.hours_claimed, "hours_confirmed": att.hours_confirmed}


def transition(att, action: str, actor_id: int | None, reason: str = "", *, changes: dict | None = None,
               ledger: Callable[[], dict] | None = None, view: Callable = state_of, audit_as: str | None = None,
               refusal: str = "state_conflict", before: dict | None = None) -> dict:
    """Move one attendance by an action of TRANSITIONS: check the table, apply the changes, flush (the
    version check: a racing change loses with StaleDataError), let the ledger pay or reverse, and audit
    before and after with the reason. Returns the ledger's figures. The caller commits."""
    if not allowed(action, att.state):
        raise Conflict(refusal, {"state": att.state, "action": action, "allowed": list(TRANSITIONS[action][0])})
    before = view(att) if before is None else before  # given when the caller changed more beforehand
    target = TRANSITIONS[action][1]
    if target is not None:
        att.state = target
    for name, value in (changes or {}).items():
        setattr(att, name, value)
    db.session.flush()
    money = ledger() if ledger else {}
    audit.record(actor_id, audit_as or f"attendance.{action}", "attendance", att.id, before,
                 {**view(att), **money}, reason)
    return money


def excuse(event_id: int, user_id: int, actor_id: int | None, reason: str, now: datetime) -> Attendance:
    """Approved leave (请假) before the member checked in: the attendance row in state excused, audited; not
    absent, so no absence deduction (points.rules_admin counts it as present). The caller commits."""
    att = Attendance(event_id=event_id, user_id=user_id, state=TRANSITIONS["excuse"][1], note=reason[:500],
                     created_at=now, updated_at=now)
    db.session.add(att)
    db.session.flush()
    audit.record(actor_id, "attendance.excuse", "attendance", att.id, None, state_of(att), reason)
    return att


def unexcuse(att: Attendance, actor_id: int | None, reason: str) -> None:
    """Withdrawn leave: the excused row, which holds no check-in, goes (audited), so the member can check in.
    The caller commits."""
    if not allowed("unexcuse", att.state):
        raise Conflict("state_conflict", {"state": att.state, "action": "unexcuse"})
    before = state_of(att)
    db.session.delete(att)
    db.session.flush()
    audit.record(actor_id, "attendance.unexcuse", "attendance", att.id, before, None, reason)


def transition_all(event_id: int, action: str, actor_id: int | None, reason: str, now: datetime) -> list[int]:
    """The bulk form for one event (closing): every attendance in a from-state moves to the action's state
    in one UPDATE, with one audit row each; a fixed number of statements whatever the event's size."""
    sources, target = TRANSITIONS[action]
    table = Attendance.__table__
    ids = list(db.session.scalars(select(table.c.id).where(table.c.event_id == event_id,
                                                             table.c.state.in_(sources))))
    if not ids:
        return []
    db.session.execute(update(table).where(table.c.id.in_(ids), table.c.state.in_(sources))
                       .values(state=target, version=table.c.version + 1, updated_at=now))
    db.session.execute(insert(AuditLog), [
        {"actor_id": actor_id, "action": f"attendance.{target}", "object_type": "attendance", "object_id": aid,
         "before": {"state": sources[0] if len(sources) == 1 else None}, "after": {"state": target},
         "reason": reason, "created_at": now} for aid in ids])
    return ids
