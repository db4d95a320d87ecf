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
from limits import parse as parse_limit
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.attendance import admission, core, lifecycle
from server.attendance.admission import STATUS, Refused
from server.attendance.models import Attendance
from server.auth.models import Organization, RevokedSession, User
from server.common import qrtoken
from server.common.errors import Conflict, Invalid, Unauthorized
from server.common.i18n import message
from server.common.timeutil import utcnow
from server.db_setup import reading
from server.events import tokens
from server.events.brief import event_brief
from server.events.models import Event
from server.extensions import db
from server.points.models import PointsRule
from server.scans.models import Scan

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
    confirm_checkout: bool = False


class Member(NamedTuple):
    id: int
    active: bool
    community_id: int | None
    branch_path: str | None
    is_committee: bool = False
    party_group_id: int | None = None


class Rule(NamedTuple):
    checkin_points: int
    late_checkin_points: int
    per_hour_points: int
    cap_per_activity: int | None


USERS, ORGS, EVENTS, ATTS, RULES, REVOKED = (m.__table__ for m in (User, Organization, Event, Attendance, PointsRule,
                                                                   RevokedSession))
BRANCH, HOST = ORGS.alias("branch"), ORGS.alias("host")
# The throttle is the scan log itself: this member's scans received in the limit's window, counted in
# the same read on the one database every worker and instance shares (no per-worker counters).
EARLIER = SCANS.alias("earlier")
RECENT = select(func.count()).select_from(EARLIER).where(
    EARLIER.c.user_id == bindparam("uid"), EARLIER.c.received_at > bindparam("since")).scalar_subquery()
_EVENT_COLS = ("id", "title", "kind", "place_name", "starts_at", "ends_at", "window_opens_at", "window_closes_at",
               "status", "audience", "party_group_id", "host_community_id", "capacity", "requires_checkout",
               "requires_confirmation",
               "late_after_minutes", "qr_mode", "key_version", "geofence_mode", "geofence_radius_m", "lat", "lng")
_ATT_COLS = tuple(f.name for f in fields(core.AttendanceState) if f.name not in ("event_id", "user_id"))
# Every read of a scan in one statement, built once: the member (their session epoch, and whether this
# session was signed out), the first answer to this client_scan_id, and the token's event with this
# member's attendance and the points rule. Plain Core on the tables: nothing for the ORM to compile or
# load; parameters bound per call.
READ = select(
    USERS.c.active, USERS.c.session_epoch, USERS.c.community_id, BRANCH.c.path.label("branch_path"),
    USERS.c.is_committee, USERS.c.party_group_id.label("member_party_group_id"),
    SCANS.c.response.label("prior_response"), SCANS.c.http_status.label("prior_status"),
    *(EVENTS.c[name] for name in _EVENT_COLS), HOST.c.path.label("host_path"),
    *(ATTS.c[name].label("att_" + name) for name in _ATT_COLS),
    REVOKED.c.sid.label("revoked_sid"), RECENT.label("recent_scans"),
    RULES.c.id.label("rule_id"), *(RULES.c[name].label("rule_" + name) for name in Rule._fields),
).select_from(
    USERS.outerjoin(BRANCH, BRANCH.c.id == USERS.c.branch_id)
    .outerjoin(SCANS, and_(SCANS.c.user_id == USERS.c.id, SCANS.c.client_scan_id == bindparam("cid")))
    .outerjoin(EVENTS, EVENTS.c.id == bindparam("event_id"))
    .outerjoin(HOST, HOST.c.id == EVENTS.c.host_org_id)
    .outerjoin(RULES, RULES.c.kind == EVENTS.c.kind)
    .outerjoin(ATTS, and_(ATTS.c.event_id == EVENTS.c.id, ATTS.c.user_id == USERS.c.id))
    .outerjoin(REVOKED, REVOKED.c.sid == bindparam("sid"))
).where(USERS.c.id == bindparam("uid"))
INSERT_SCAN = insert(SCANS)


def submit(user_id: int, session_epoch, req: ScanRequest, now: datetime | None = None,
           session_id: str | None = None) -> tuple[dict, int]:
    """Answer a scan; the same client_scan_id always gets the first answer back."""
    now = now or utcnow()
    limit = parse_limit(current_app.config["SCAN_RATE_LIMIT"])
    try:
        tok = qrtoken.verify(current_app.config["SECRET_KEY"], req.token, qrtoken.PURPOSE_EVENT)
    except qrtoken.TokenError:
        tok = None
    since = now - timedelta(seconds=limit.get_expiry())
    row = _read(user_id, req.client_scan_id, tok, session_id, since)
    if row is None or not row.active or row.session_epoch != session_epoch or row.revoked_sid is not None:
        raise Unauthorized()
    if row.prior_status is not None:
        return rendered(row.prior_response), row.prior_status
    who = Member(user_id, row.active, row.community_id, row.branch_path, bool(row.is_committee),
                 row.member_party_group_id)
    _check_clock(req, now)
    limited = row.recent_scans >= limit.amount
    for _attempt in range(3):
        try:
            body, status = _judge(who, req, now, limited, tok, row)
            db.session.commit()
            return rendered(body), status
        except (IntegrityError, StaleDataError):  # a racing scan won: judge again on what it wrote
            db.session.rollback()
            row, limited = _read(user_id, req.client_scan_id, tok, session_id, since), False
            if row.prior_status is not None:
                return rendered(row.prior_response), row.prior_status
    raise Conflict()


def rendered(body: dict) -> dict:
    """A stored answer holds codes only; its words are the language of the request that receives it."""
    if "error" in body:
        error = body["error"]
        params = {k: v for k, v in error["details"].items() if isinstance(v, (str, int, float))}
        return {"error": {"code": error["code"], "message": message(error["code"], **params),
                          "details": error["details"]}}
    return {"outcome": body["outcome"], "message": message(body["outcome"]),
            **{k: v for k, v in body.items() if k not in ("outcome", "message")}}


def _read(user_id: int, client_scan_id: str, tok, session_id: str | None, since: datetime):
    with reading(db.session):
        return db.session.connection().execute(READ, {
            "uid": user_id, "cid": client_scan_id, "event_id": tok.object_id if tok else None,
            "sid": session_id, "since": since}).first()


def _check_clock(req: ScanRequest, now: datetime) -> None:
    skew = current_app.config["SCAN_CLOCK_SKEW_SECONDS"]
    if req.scanned_at and req.scanned_at > now + timedelta(seconds=skew):
        raise Invalid({"scanned_at": "scanned_at_future"})


def _delay(req: ScanRequest, now: datetime) -> float:
    """Seconds between the scan and its arrival; 0 for a scan judged as it arrives."""
    if req.scanned_at is None:
        return 0
    delay = (now - req.scanned_at).total_seconds()
    return delay if delay > ONLINE_TOLERANCE_S else 0


def _judge(who: Member, req: ScanRequest, now: datetime, throttled: bool, tok, row) -> tuple[dict, int]:
    delay = _delay(req, now)
    offline = delay > 0
    at = req.scanned_at if offline else now
    scan = {"client_scan_id": req.client_scan_id, "user_id": who.id, "token": req.token[:120],
            "scanned_at": req.scanned_at, "received_at": now, "lat": req.lat, "lng": req.lng,
            "accuracy_m": req.accuracy, "offline": offline, "direction": None, "event_id": None,
            "attendance_id": None, "distance_m": None}
    event = row if row.id is not None else None
    try:
        if throttled:
            raise Refused("rate_limited")
        if tok is None or event is None:
            raise Refused("invalid_token")
        scan["direction"], scan["event_id"] = tok.direction, event.id
        body, status = _apply(who, event, tok, req, scan, at, delay)
    except Refused as refusal:
        details = {**refusal.details, "offline": offline}
        if event is not None:
            details["event"] = event_brief(event)
        body = {"error": {"code": refusal.code, "details": details}}
        status = refusal.status
        scan["outcome"] = refusal.code
    scan["http_status"], scan["response"] = status, body
    db.session.connection().execute(INSERT_SCAN, scan)
    return body, status


def _hold_reason(event, req: ScanRequest, delay: float) -> str | None:
    """Why a delayed scan waits for the organizer instead of counting at once (None: it counts)."""
    if not delay:
        return None
    if delay > current_app.config["SCAN_OFFLINE_GRACE_SECONDS"]:
        return "late"
    if admission.has_geofence(event) and req.lat is None:
        return "no_location"
    return None


def _review_skip(hold: str | None, req: ScanRequest) -> frozenset:
    """A held scan is judged as the organizer will judge it; a location it has is still checked."""
    if not hold:
        return frozenset()
    return admission.REVIEW_OVERRIDE if req.lat is None else admission.REVIEW_OVERRIDE - {"geofence"}


def _apply(who: Member, event, tok, req, scan: dict, at, delay: float) -> tuple[dict, int]:
    """The token's own checks, admission at the moment of the scan, then the write or the hold."""
    cfg = current_app.config
    if tok.key_version != event.key_version or tok.static != (event.qr_mode == "static"):
        raise Refused("invalid_token", {"reason": "revoked"})
    if tok.direction == "out" and not event.requires_checkout:
        raise Refused("invalid_token", {"reason": "no_checkout_for_event"})
    offline = bool(delay)
    if not tokens.window_ok(tok, at, cfg["SCAN_CLOCK_SKEW_SECONDS"] if offline else ONLINE_TOLERANCE_S):
        raise Refused("expired_token")
    method = "offline_qr" if offline else "qr"
    hold = _hold_reason(event, req, delay)
    att = _attendance(event, who.id)
    facts = admission.Facts(method, tok.direction, at, event, who, att, req.lat, req.lng, req.accuracy,
                            cfg["GEOFENCE_ACCURACY_CAP_M"], capacity_taken=lambda: capacity_taken(event.id),
                            early_checkout_s=cfg["EARLY_CHECKOUT_MINUTES"] * 60, confirmed=req.confirm_checkout,
                            skip=_review_skip(hold, req))
    try:
        outcome = admission.judge(facts)
    finally:
        scan["distance_m"] = facts.distance_m
    if hold and outcome in ("checked_in", "checked_out"):
        scan["outcome"] = "pending_review"
        return {"outcome": "pending_review", "offline": True, "points_awarded": 0, "event": event_brief(event),
                "review": {"reason": hold, "delay_s": int(delay)}}, STATUS["pending_review"]
    rule = Rule(*(event._mapping["rule_" + f] for f in Rule._fields)) if event.rule_id is not None else None
    paid = 0
    if outcome == "checked_in":
        att, paid = core.check_in(event, who.id, at, method, rule=rule)
    elif outcome == "checked_out":
        att, paid = core.check_out(event, att, at, method, rule=rule)
    scan["outcome"], scan["attendance_id"] = outcome, att.id
    body = {"outcome": outcome, "offline": offline, "points_awarded": paid,
            "event": event_brief(event), "attendance": core.attendance_json(att)}
    return body, STATUS[outcome]


def _attendance(event, user_id: int) -> core.AttendanceState | None:
    if event.att_id is None:
        return None
    return core.AttendanceState(event_id=event.id, user_id=user_id,
                                **{name: event._mapping["att_" + name] for name in _ATT_COLS})


def capacity_taken(event_id: int) -> int:
    """Check-ins that hold a place, counted under a lock on PostgreSQL so two last places are not both given."""
    if db.engine.dialect.name == "postgresql":  # serialise the count with other check-ins of this event
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    return db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.event_id == event_id, Attendance.state.not_in(lifecycle.NOT_PRESENT)))
