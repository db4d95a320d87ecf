"""The front door: judge one scan and apply it in one short transaction.

Reads: the idempotency record, then the event joined with this member's attendance and the
kind's points rule (and a count only when the event has a capacity). Writes: the attendance, a payment, the scan log.
Races are settled by unique constraints and the attendance version; the loser is judged again.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import core
from server.attendance.models import Attendance
from server.auth.models import User
from server.common import qrtoken
from server.common.errors import ApiError
from server.common.i18n import message
from server.common.timeutil import iso_local, utcnow
from server.events import tokens
from server.events.models import Event
from server.extensions import db
from server.points.models import PointsRule
from server.scans import eligibility, geo
from server.scans.models import Scan

STATUS = {
    "checked_in": 201, "checked_out": 200, "already_checked_in": 200, "already_checked_out": 200,
    "invalid_token": 400, "expired_token": 410, "not_open_yet": 409, "closed": 409, "cancelled": 409,
    "not_eligible": 403, "outside_geofence": 403, "location_required": 422, "not_checked_in": 409,
    "capacity_full": 409, "rate_limited": 429,
}
ONLINE_TOLERANCE_S = 5


@dataclass
class ScanRequest:
    token: str
    client_scan_id: str
    scanned_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    accuracy: float | None = None


class _Refused(Exception):
    def __init__(self, code: str, details: dict | None = None):
        super().__init__(code)
        self.code, self.details = code, details or {}


def submit(user: User, req: ScanRequest, throttled=lambda: False, now: datetime | None = None) -> tuple[dict, int]:
    """Answer a scan; the same client_scan_id always gets the first answer back."""
    prior = _prior(user.id, req.client_scan_id)
    if prior:
        return prior
    now = now or utcnow()
    _check_clock(req, now)
    for attempt in range(3):
        try:
            body, status = _judge(user, req, now, throttled() if attempt == 0 else False)
            db.session.commit()
            return body, status
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            prior = _prior(user.id, req.client_scan_id)
            if prior:
                return prior
    raise ApiError(409, "conflict")


def _prior(user_id: int, client_scan_id: str) -> tuple[dict, int] | None:
    row = db.session.execute(select(Scan.response, Scan.http_status).where(
        Scan.user_id == user_id, Scan.client_scan_id == client_scan_id)).first()
    return (row[0], row[1]) if row else None


def _check_clock(req: ScanRequest, now: datetime) -> None:
    skew = current_app.config["SCAN_CLOCK_SKEW_SECONDS"]
    if req.scanned_at and req.scanned_at > now + timedelta(seconds=skew):
        raise ApiError(422, "validation_error", {"fields": {"scanned_at": [
            "设备时间晚于服务器时间过多，请校准手机时间 / scanned_at is in the future; check the phone's clock"]}})


def _judge(user: User, req: ScanRequest, now: datetime, throttled: bool) -> tuple[dict, int]:
    cfg = current_app.config
    skew = cfg["SCAN_CLOCK_SKEW_SECONDS"]
    offline = bool(req.scanned_at and now - req.scanned_at > timedelta(seconds=skew))
    at = req.scanned_at if offline else now
    scan = Scan(client_scan_id=req.client_scan_id, user_id=user.id, token=req.token[:120], scanned_at=req.scanned_at,
                received_at=now, lat=req.lat, lng=req.lng, accuracy_m=req.accuracy, offline=offline)
    event = None
    try:
        if throttled:
            raise _Refused("rate_limited")
        try:
            tok = qrtoken.verify(cfg["SECRET_KEY"], req.token, qrtoken.PURPOSE_EVENT)
        except qrtoken.TokenError:
            raise _Refused("invalid_token") from None
        scan.direction = tok.direction
        row = db.session.execute(
            select(Event, Attendance, PointsRule)
            .outerjoin(Attendance, and_(Attendance.event_id == Event.id, Attendance.user_id == user.id))
            .outerjoin(PointsRule, PointsRule.kind == Event.kind)
            .where(Event.id == tok.object_id)).first()
        if row is None:
            raise _Refused("invalid_token")
        event, att, rule = row
        scan.event_id = event.id
        body, status = _apply(user, event, att, rule, tok, req, scan, at, now, offline)
    except _Refused as refusal:
        details = {**refusal.details, "offline": offline}
        if event is not None:
            details["event"] = event_brief(event)
        body = {"error": {"code": refusal.code, "message": message(refusal.code), "details": details}}
        status = STATUS[refusal.code]
        scan.outcome = refusal.code
    scan.http_status, scan.response = status, body
    db.session.add(scan)
    db.session.flush()
    return body, status


def _apply(user, event, att, rule, tok, req, scan, at, now, offline) -> tuple[dict, int]:
    cfg = current_app.config
    if tok.key_version != event.key_version or tok.static != (event.qr_mode == "static"):
        raise _Refused("invalid_token", {"reason": "revoked"})
    if tok.direction == "out" and not event.requires_checkout:
        raise _Refused("invalid_token", {"reason": "no_checkout_for_event"})
    if offline and now - at > timedelta(seconds=cfg["SCAN_MAX_OFFLINE_DELAY_SECONDS"]):
        raise _Refused("expired_token", {"reason": "offline_too_old"})
    tolerance = cfg["SCAN_CLOCK_SKEW_SECONDS"] if offline else ONLINE_TOLERANCE_S
    if not tokens.window_ok(tok, at, tolerance):
        raise _Refused("expired_token")
    if event.status == "cancelled":
        raise _Refused("cancelled")
    if event.status == "draft" or at < event.window_opens_at:
        raise _Refused("not_open_yet", {"opens_at": iso_local(event.window_opens_at)})
    if event.status == "closed" or at > event.window_closes_at:
        raise _Refused("closed")
    if not eligibility.is_eligible(user, event):
        raise _Refused("not_eligible")
    _check_geofence(event, req, scan)
    method = "offline_qr" if offline else "qr"
    paid = 0
    if tok.direction == "in":
        if att is not None:
            if att.state == "annulled":
                raise _Refused("not_eligible", {"reason": "annulled"})
            outcome = "already_checked_in"
        else:
            _check_capacity(event)
            att, paid = core.check_in(event, user.id, at, method, rule=rule)
            outcome = "checked_in"
    else:
        if att is None or att.state == "annulled":
            raise _Refused("not_checked_in")
        if att.state in core.OPEN_STATES:
            paid = core.check_out(event, att, at, method, rule=rule)
            outcome = "checked_out"
        else:
            outcome = "already_checked_out"
    scan.outcome, scan.attendance_id = outcome, att.id
    body = {"outcome": outcome, "message": message(outcome), "offline": offline, "points_awarded": paid,
            "event": event_brief(event), "attendance": core.attendance_json(att)}
    return body, STATUS[outcome]


def _check_geofence(event: Event, req: ScanRequest, scan: Scan) -> None:
    if event.geofence_mode == "off" or event.lat is None or event.lng is None or not event.geofence_radius_m:
        return
    if req.lat is None or req.lng is None:
        if event.geofence_mode == "enforce":
            raise _Refused("location_required")
        return
    scan.distance_m = round(geo.distance_m(event.lat, event.lng, req.lat, req.lng), 1)
    allowed = event.geofence_radius_m + min(req.accuracy or 0, current_app.config["GEOFENCE_ACCURACY_CAP_M"])
    if event.geofence_mode == "enforce" and scan.distance_m > allowed:
        raise _Refused("outside_geofence", {"distance_m": scan.distance_m, "allowed_m": allowed})


def _check_capacity(event: Event) -> None:
    if not event.capacity:
        return
    if db.engine.dialect.name == "postgresql":  # serialise the count with other check-ins of this event
        db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    taken = db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.event_id == event.id, Attendance.state != "annulled"))
    if taken >= event.capacity:
        raise _Refused("capacity_full", {"capacity": event.capacity})


def event_brief(event: Event) -> dict:
    return {"id": event.id, "title": event.title, "kind": event.kind, "place_name": event.place_name,
            "starts_at": iso_local(event.starts_at), "ends_at": iso_local(event.ends_at)}
