"""Delayed scans held for the organizer: accepted at the moment they were made, through the same
admission rules and writes as a scan (points only then), or refused with a reason; once each, audited."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import admission, core
from server.attendance.manual import existing, member_fields
from server.auth.models import Organization, User
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Conflict, Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.events.lookup import event_for
from server.extensions import db
from server.scans.models import Scan, ScanReview
from server.scans.services import capacity_taken

HELD = "pending_review"


def held_scans(actor: User, event_id: int) -> list[dict]:
    """The event's held scans, waiting ones first, each with its delay, distance and any decision."""
    event = event_for(scope_of(actor), event_id, "manage")
    rows = db.session.execute(
        select(Scan, User.name, User.phone, Organization.name, ScanReview)
        .join(User, User.id == Scan.user_id)
        .outerjoin(Organization, Organization.id == User.branch_id)
        .outerjoin(ScanReview, ScanReview.scan_id == Scan.id)
        .where(Scan.event_id == event.id, Scan.outcome == HELD)
        .order_by(Scan.scanned_at, Scan.id)).all()
    items = [_item(scan, name, phone, branch, review) for scan, name, phone, branch, review in rows]
    return sorted(items, key=lambda i: i["decision"] is not None)


def _item(scan: Scan, name: str, phone: str, branch: str | None, review: ScanReview | None) -> dict:
    review_info = (scan.response or {}).get("review", {})
    return {
        "scan_id": scan.id, "member_id": scan.user_id, "member_name": name, "member_phone": phone,
        "branch_name": branch, "direction": scan.direction, "scanned_at": iso_local(scan.scanned_at),
        "received_at": iso_local(scan.received_at), "delay_s": review_info.get("delay_s"),
        "held_because": review_info.get("reason"), "has_location": scan.lat is not None,
        "distance_m": scan.distance_m, "accuracy_m": scan.accuracy_m,
        "decision": review.decision if review else None, "outcome": review.outcome if review else None,
        "reason": review.reason if review else None, "decided_at": iso_local(review.decided_at) if review else None,
    }


def decide(actor: User, event_id: int, scan_id: int, decision: str, reason: str) -> dict:
    """Accept (check in or out as of the scan's moment, paying points) or refuse one held scan."""
    event = event_for(scope_of(actor), event_id, "manage")
    scan = db.session.get(Scan, scan_id)
    if scan is None or scan.event_id != event.id or scan.outcome != HELD:
        raise NotFound(details={"scan_id": scan_id})
    reason = reason.strip()
    if decision == "refuse" and not reason:
        raise Invalid({"reason": "review_reason_required"})
    member = db.session.get(User, scan.user_id)
    att, outcome, paid = existing(event.id, member.id), "refused", 0
    if decision == "accept":
        facts = admission.Facts("offline_qr", scan.direction, scan.scanned_at, event, member, att,
                                skip=admission.REVIEW_OVERRIDE,
                                capacity_taken=lambda: capacity_taken(event.id))
        outcome = admission.judge(facts)  # a refusal (cancelled, closed, not eligible...) is the answer
    try:
        if outcome == "checked_in":
            att, paid = core.check_in(event, member.id, scan.scanned_at, "offline_qr", actor_id=actor.id,
                                      note=reason)
        elif outcome == "checked_out":
            att, paid = core.check_out(event, att, scan.scanned_at, "offline_qr", actor_id=actor.id)
        db.session.add(ScanReview(scan_id=scan.id, event_id=event.id, decision=decision, outcome=outcome,
                                  attendance_id=att.id if att is not None else None, actor_id=actor.id,
                                  reason=reason, decided_at=utcnow()))
        db.session.flush()
        after = {"scan_id": scan.id, "decision": decision, "outcome": outcome, "points_awarded": paid,
                 "scanned_at": iso_local(scan.scanned_at), "delay_s": (scan.response or {}).get("review", {})
                 .get("delay_s")}
        audit.record(actor.id, f"scan.review.{decision}", "scan", scan.id, None, after, reason)
        db.session.commit()
    except (IntegrityError, StaleDataError):  # decided meanwhile by another organizer, or a racing scan
        db.session.rollback()
        raise Conflict("already_reviewed", {"scan_id": scan.id}) from None
    attendance = None
    if att is not None:
        attendance = {**core.attendance_json(att), **member_fields(member)}
    return {"scan_id": scan.id, "decision": decision, "outcome": outcome, "points_awarded": paid,
            "attendance": attendance}
