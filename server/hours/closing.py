"""Closing events whose check-in window has ended (run by `flask --app wsgi close-events`, e.g. from cron).

Per event, in one transaction: published → closed by a conditional UPDATE (two racing runs close it once);
checked_in → no_checkout for events that need a check-out (no hours; a reviewer may set them by hand);
for a party_day, the absence deduction for roster members who never checked in (paid once: the
absence_deductions unique key). Each attendance moved and each deduction is audited. A fixed number
of statements per event, whatever its size.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.attendance import lifecycle
from server.common import audit
from server.common.timeutil import utcnow
from server.events.kinds import KINDS
from server.events.models import Event
from server.extensions import db
from server.points import rules_admin


def grace() -> timedelta:
    """How long after the window closes an event stays open for late offline scans (config, default 0)."""
    return timedelta(minutes=int(current_app.config.get("CLOSE_EVENTS_GRACE_MINUTES", 0)))


def due_events(now: datetime, after: timedelta) -> list[int]:
    return list(db.session.scalars(select(Event.id).where(Event.status == "published",
                                                          Event.window_closes_at < now - after)
                                   .order_by(Event.window_closes_at, Event.id)))


def close_event(event_id: int, now: datetime | None = None, actor_id: int | None = None) -> dict | None:
    """Close one event if it is still published and its window has ended; None when there was nothing to do."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Event).where(Event.id == event_id, Event.status == "published", Event.window_closes_at < now)
        .values(status="closed", updated_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        return None
    event = db.session.get(Event, event_id, populate_existing=True)
    result = {"event_id": event.id, "kind": event.kind, "no_checkout": 0, "absent": 0, "absence_points": 0}
    if event.requires_checkout:
        moved = lifecycle.transition_all(event.id, "close", actor_id,
                                         "签到时段结束仍未签退 / check-in window closed without a check-out", now)
        result["no_checkout"] = len(moved)
    if KINDS[event.kind].deducts_absence:
        deducted = rules_admin.deduct_absentees(event, actor_id, now)
        result["absent"], result["absence_points"] = deducted["absent"], deducted["points"]
    audit.record(actor_id, "event.close", "event", event.id, {"status": "published"},
                 {"status": "closed", **{k: result[k] for k in ("no_checkout", "absent", "absence_points")}},
                 "签到时段已结束 / check-in window ended")
    try:
        db.session.commit()
    except IntegrityError:  # a racing closer already paid these deductions
        db.session.rollback()
        return None
    return result


def close_ended_events(now: datetime | None = None, after: timedelta | None = None) -> dict:
    """Close every published event whose window ended before now - grace; each in its own transaction."""
    now = now or utcnow()
    after = grace() if after is None else after
    closed = [r for r in (close_event(eid, now) for eid in due_events(now, after)) if r is not None]
    return {"closed": len(closed), "no_checkout": sum(r["no_checkout"] for r in closed),
            "absent": sum(r["absent"] for r in closed), "events": closed}
