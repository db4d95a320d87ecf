"""The front door: judge one scan and apply it in one short transaction.

Reads (on SQLite in a read transaction of their own, so the write lock is held only for the
writes): the member, the idempotency record, and the event joined with this member's attendance
and the kind's points rule, as plain columns. Writes, as Core statements: the attendance, a payment,
the scan log (and a count first only when the event has a capacity). Races are settled by unique
constraints and the attendance version; the loser rolls back and is judged again.
"""
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import core, lifecycle
from server.attendance.models import Attendance
from server.auth.models import Organization, User
from server.common import geo, qrtoken
from server.common.errors import ApiError
from server.common.i18n import message
from server.common.timeutil import iso_local, utcnow
from server.db_setup import reading
from server.events import audience, tokens
from server.events.brief import event_brief
from server.events.models import Event
from server.extensions import db
from server.points.models import PointsRule
from server.scans.models import Scan

STATUS = {
    "checked_in": 201, "checked_out": 200, "already_checked_in": 200, "already_checked_out": 200,
    "invalid_token": 400, "expired_token": 410, "not_open_yet": 409, "closed": 409, "cancelled": 409,
    "not_eligible": 403, "outside_geofence": 403, "location_required": 422, "not_checked_in": 409,
    "capacity_full": 409, "rate_limited": 429,
}
ONLINE_TOLERANCE_S = 5
SCANS = Scan.__table__


@dataclass
class ScanRequest:
    token: str
    client_scan_id: str
    scanned_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    accuracy: float | None = None


class Member(NamedTuple):
    id: int
    community_id: int | None
    branch_path: str | None


class Rule(NamedTuple):
    checkin_points: int
    late_checkin_points: int
    per_hour_points: int
    cap_per_activity: int | None


class _Refused(Exception):
    def __init__(self, code: str, details: dict | None = None):
        super().__init__(code)
        self.code, self.details = code, details or {}


USERS, ORGS, EVENTS, ATTS, RULES = (m.__table__ for m in (User, Organization, Event, Attendance, PointsRule))
BRANCH, HOST = ORGS.alias("branch"), ORGS.alias("host")
_EVENT_COLS = ("id", "title", "kind", "place_name", "starts_at", "ends_at", "window_opens_at", "window_closes_at",
               "status", "audience", "host_community_id", "capacity", "requires_checkout", "requires_confirmation",
               "late_after_minutes", "qr_mode", "key_version", "geofence_mode", "geofence_radius_m", "lat", "lng")
_ATT_COLS = tuple(f.name for f in fields(core.AttendanceState) if f.name not in ("event_id", "user_id"))
# Every read of a scan in one statement, built once: the member (and their session epoch), the first
# answer to this client_scan_id, and the token's event with this member's attendance and the points
# rule. Plain Core on the tables: nothing for the ORM to compile or load; parameters bound per call.
READ = select(
    USERS.c.active, USERS.c.session_epoch, USERS.c.community_id, BRANCH.c.path.label("branch_path"),
    SCANS.c.response.label("prior_response"), SCANS.c.http_status.label("prior_status"),
    *(EVENTS.c[name] for name in _EVENT_COLS), HOST.c.path.label("host_path"),
    *(ATTS.c[name].label("att_" + name) for name in _ATT_COLS),
    RULES.c.id.label("rule_id"), *(RULES.c[name].label("rule_" + name) for name in Rule._fields),
).select_from(
    USERS.outerjoin(BRANCH, BRANCH.c.id == USERS.c.branch_id)
    .outerjoin(SCANS, and_(SCANS.c.user_id == USERS.c.id, SCANS.c.client_scan_id == bindparam("cid")))
    .outerjoin(EVENTS, EVENTS.c.id == bindparam("event_id"))
    .outerjoin(HOST, HOST.c.id == EVENTS.c.host_org_id)
    .outerjoin(RULES, RULES.c.kind == EVENTS.c.kind)
    .outerjoin(ATTS, and_(ATTS.c.event_id == EVENTS.c.id, ATTS.c.user_id == USERS.c.id))
).where(USERS.c.id == bindparam("uid"))
INSERT_SCAN = insert(SCANS)


def submit(user_id: int, session_epoch, req: ScanRequest, throttled=lambda: False,
           now: datetime | None = None) -> tuple[dict, int]:
    """Answer a scan; the same client_scan_id always gets the first answer back."""
    now = now or utcnow()
    try:
        tok = qrtoken.verify(current_app.config["SECRET_KEY"], req.token, qrtoken.PURPOSE_EVENT)
    except qrtoken.TokenError:
        tok = None
    row = _read(user_id, req.client_scan_id, tok)
    if row is None or not row.active or row.session_epoch != session_epoch:
        raise ApiError(401, "unauthorized")
    if row.prior_status is not None:
        return rendered(row.prior_response), row.prior_status
    who = Member(user_id, row.community_id, row.branch_path)
    _check_clock(req, now)
    limited = throttled()
    for _attempt in range(3):
        try:
            body, status = _judge(who, req, now, limited, tok, row)
            db.session.commit()
            return rendered(body), status
        except (IntegrityError, StaleDataError):  # a racing scan won: judge again on what it wrote
            db.session.rollback()
            row, limited = _read(user_id, req.client_scan_id, tok), False
            if row.prior_status is not None:
                return rendered(row.prior_response), row.prior_status
    raise ApiError(409, "conflict")


def rendered(body: dict) -> dict:
    """A stored answer holds codes only; its words are the language of the request that receives it."""
    if "error" in body:
        error = body["error"]
        return {"error": {"code": error["code"], "message": message(error["code"]), "details": error["details"]}}
    return {"outcome": body["outcome"], "message": message(body["outcome"]),
            **{k: v for k, v in body.items() if k not in ("outcome", "message")}}


def _read(user_id: int, client_scan_id: str, tok):
    with reading(db.session):
        return db.session.connection().execute(READ, {
            "uid": user_id, "cid": client_scan_id, "event_id": tok.object_id if tok else None}).first()


def _check_clock(req: ScanRequest, now: datetime) -> None:
    skew = current_app.config["SCAN_CLOCK_SKEW_SECONDS"]
    if req.scanned_at and req.scanned_at > now + timedelta(seconds=skew):
        raise ApiError(422, "validation_error", {"fields": {"scanned_at": [
            "设备时间晚于服务器时间过多，请校准手机时间 / scanned_at is in the future; check the phone's clock"]}})


def _judge(who: Member, req: ScanRequest, now: datetime, throttled: bool, tok, row) -> tuple[dict, int]:
    cfg = current_app.config
    offline = bool(req.scanned_at and now - req.scanned_at > timedelta(seconds=cfg["SCAN_CLOCK_SKEW_SECONDS"]))
    at = req.scanned_at if offline else now
    scan = {"client_scan_id": req.client_scan_id, "user_id": who.id, "token": req.token[:120],
            "scanned_at": req.scanned_at, "received_at": now, "lat": req.lat, "lng": req.lng,
            "accuracy_m": req.accuracy, "offline": offline, "direction": None, "event_id": None,
            "attendance_id": None, "distance_m": None}
    event = row if row.id is not None else None
    try:
        if throttled:
            raise _Refused("rate_limited")
        if tok is None or event is None:
            raise _Refused("invalid_token")
        scan["direction"], scan["event_id"] = tok.direction, event.id
        body, status = _apply(who, event, tok, req, scan, at, now, offline)
    except _Refused as refusal:
        details = {**refusal.details, "offline": offline}
        if event is not None:
            details["event"] = event_brief(event)
        body = {"error": {"code": refusal.code, "details": details}}
        status = STATUS[refusal.code]
        scan["outcome"] = refusal.code
    scan["http_status"], scan["response"] = status, body
    db.session.connection().execute(INSERT_SCAN, scan)
    return body, status


def _apply(who: Member, event, tok, req, scan: dict, at, now, offline) -> tuple[dict, int]:
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
    if not audience.is_eligible(who, event):
        raise _Refused("not_eligible")
    _check_geofence(event, req, scan)
    method = "offline_qr" if offline else "qr"
    rule = Rule(*(event._mapping["rule_" + f] for f in Rule._fields)) if event.rule_id is not None else None
    att = _attendance(event, who.id)
    paid = 0
    if tok.direction == "in":
        if att is not None:
            if att.state == "annulled":
                raise _Refused("not_eligible", {"reason": "annulled"})
            outcome = "already_checked_in"
        else:
            _check_capacity(event)
            att, paid = core.check_in(event, who.id, at, method, rule=rule)
            outcome = "checked_in"
    else:
        if att is None or att.state == "annulled":
            raise _Refused("not_checked_in")
        if att.state in lifecycle.OPEN:
            att, paid = core.check_out(event, att, at, method, rule=rule)
            outcome = "checked_out"
        else:
            outcome = "already_checked_out"
    scan["outcome"], scan["attendance_id"] = outcome, att.id
    body = {"outcome": outcome, "offline": offline, "points_awarded": paid,
            "event": event_brief(event), "attendance": core.attendance_json(att)}
    return body, STATUS[outcome]


def _attendance(event, user_id: int) -> core.AttendanceState | None:
    if event.att_id is None:
        return None
    return core.AttendanceState(event_id=event.id, user_id=user_id,
                                **{name: event._mapping["att_" + name] for name in _ATT_COLS})


def _check_geofence(event, req: ScanRequest, scan: dict) -> None:
    if event.geofence_mode == "off" or event.lat is None or event.lng is None or not event.geofence_radius_m:
        return
    if req.lat is None or req.lng is None:
        if event.geofence_mode == "enforce":
            raise _Refused("location_required")
        return
    scan["distance_m"] = distance = round(geo.distance_m(event.lat, event.lng, req.lat, req.lng), 1)
    allowed = event.geofence_radius_m + min(req.accuracy or 0, current_app.config["GEOFENCE_ACCURACY_CAP_M"])
    if event.geofence_mode == "enforce" and distance > allowed:
        raise _Refused("outside_geofence", {"distance_m": distance, "allowed_m": allowed})


def _check_capacity(event) -> None:
    if not event.capacity:
        return
    if db.engine.dialect.name == "postgresql":  # serialise the count with other check-ins of this event
        db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    taken = db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.event_id == event.id, Attendance.state != "annulled"))
    if taken >= event.capacity:
        raise _Refused("capacity_full", {"capacity": event.capacity})
