"""Admission: may this member check in (or out) of this event now? Rules read top to bottom.

Like pretix's perform_checkin, each rule looks at the check-in's facts and either passes or refuses
with one code of the one vocabulary that scans and manual check-in share. A channel (qr,
offline_qr, manual, card) says which rules apply to it; a staff override names the rules it skips,
and the caller writes that into the audit entry. The token's own checks (signature, key version,
window of a rotating code, idempotency, throttle) belong to the scan, not here.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from server.attendance import lifecycle
from server.common.errors import DomainError
from server.common.geo import distance_m
from server.common.timeutil import iso_local
from server.events import audience

# One vocabulary: every outcome and refusal of a check-in, with its HTTP status.
STATUS = {
    "checked_in": 201, "checked_out": 200, "already_checked_in": 200, "already_checked_out": 200,
    "invalid_token": 400, "expired_token": 410, "not_open_yet": 409, "closed": 409, "cancelled": 409,
    "not_eligible": 403, "inactive_member": 403, "annulled": 409, "on_leave": 409, "outside_geofence": 403,
    "location_required": 422, "not_checked_in": 409, "no_checkout_for_event": 409, "capacity_full": 409,
    "confirm_checkout": 409, "pending_review": 202,
    "rate_limited": 429,
}
SCAN_CHANNELS = frozenset({"qr", "offline_qr"})
STAFF_CHANNELS = frozenset({"manual", "card"})
ALL_CHANNELS = SCAN_CHANNELS | STAFF_CHANNELS
# What a staff member checking someone in by hand skips unless told otherwise: the organizer corrects the
# record after the fact (the window) and decides about room at the door (capacity).
STAFF_OVERRIDE = frozenset({"window", "capacity"})
# What an organizer accepting a delayed scan skips: they have seen its distance (or its missing location)
# and its delay; the scan is judged at the moment it was made.
REVIEW_OVERRIDE = frozenset({"geofence", "not_too_soon"})


class Refused(DomainError):
    """A check-in refused by a rule; the status comes from the one vocabulary."""

    def __init__(self, code: str, details: dict | None = None, **params):
        super().__init__(code, details, **params)
        self.status = STATUS[code]


@dataclass
class Facts:
    """What the rules look at, built once: from the scan's single read, or from loaded objects."""

    channel: str
    direction: str                  # "in" or "out"
    at: datetime                    # the moment judged (a delayed scan's scanned_at)
    event: object                   # an Event, or the scan's joined row with the same attribute names
    member: object                  # id, active, branch_path, community_id
    attendance: object | None       # lifecycle state of this member's attendance, if any
    lat: float | None = None
    lng: float | None = None
    accuracy: float | None = None
    accuracy_cap_m: float = 0
    capacity_taken: Callable[[], int] = lambda: 0  # counted only when a rule needs it
    skip: frozenset = frozenset()
    early_checkout_s: int = 0       # a check-out this soon after the check-in must be confirmed
    confirmed: bool = False         # the member confirmed an early check-out
    distance_m: float | None = field(default=None, init=False)  # filled by the geofence rule


def cancelled(f: Facts) -> None:
    if f.event.status == "cancelled":
        raise Refused("cancelled")


def window(f: Facts) -> None:
    if f.event.status == "draft" or f.at < f.event.window_opens_at:
        raise Refused("not_open_yet", {"opens_at": iso_local(f.event.window_opens_at)})
    if f.event.status == "closed" or f.at > f.event.window_closes_at:
        raise Refused("closed")


def active_member(f: Facts) -> None:
    if not f.member.active:
        raise Refused("inactive_member", {"member_id": f.member.id})


def eligible(f: Facts) -> None:
    if not audience.is_eligible(f.member, f.event):
        raise Refused("not_eligible", {"member_id": f.member.id})


def checkout_exists(f: Facts) -> None:
    if f.direction == "out" and not f.event.requires_checkout:
        raise Refused("no_checkout_for_event")


def has_geofence(event) -> bool:
    return event.geofence_mode != "off" and event.lat is not None and event.lng is not None \
        and bool(event.geofence_radius_m)


def geofence(f: Facts) -> None:
    e = f.event
    if not has_geofence(e):
        return
    if f.lat is None or f.lng is None:
        if e.geofence_mode == "enforce":
            raise Refused("location_required")
        return
    f.distance_m = distance = round(distance_m(e.lat, e.lng, f.lat, f.lng), 1)
    allowed = e.geofence_radius_m + min(f.accuracy or 0, f.accuracy_cap_m)
    if e.geofence_mode == "enforce" and distance > allowed:
        raise Refused("outside_geofence", {"distance_m": distance, "allowed_m": allowed})


def not_annulled(f: Facts) -> None:
    if f.direction == "in" and f.attendance is not None and f.attendance.state == "annulled":
        raise Refused("annulled")


def not_on_leave(f: Facts) -> None:
    """Approved leave (excused) is no presence: the secretary withdraws the leave before a check-in."""
    if f.attendance is not None and f.attendance.state == "excused":
        raise Refused("on_leave")


def checked_in_first(f: Facts) -> None:
    if f.direction == "out" and (f.attendance is None or f.attendance.state == "annulled"):
        raise Refused("not_checked_in")


def not_too_soon(f: Facts) -> None:
    """A check-out minutes after the check-in is usually a mistaken scan: the member confirms it first."""
    att = f.attendance
    if f.direction != "out" or f.confirmed or att is None or att.state not in lifecycle.OPEN or not att.checkin_at:
        return
    served = (f.at - att.checkin_at).total_seconds()
    if served < f.early_checkout_s:
        raise Refused("confirm_checkout", {"minutes": max(int(served // 60), 0),
                                           "checkin_at": iso_local(att.checkin_at)})


def capacity(f: Facts) -> None:
    if f.direction == "in" and f.attendance is None and f.event.capacity:
        if f.capacity_taken() >= f.event.capacity:
            raise Refused("capacity_full", {"capacity": f.event.capacity})


RULES: tuple[tuple[str, Callable[[Facts], None], frozenset], ...] = (
    ("cancelled", cancelled, ALL_CHANNELS),
    ("window", window, ALL_CHANNELS),
    ("active_member", active_member, ALL_CHANNELS),
    ("eligible", eligible, ALL_CHANNELS),
    ("checkout_exists", checkout_exists, ALL_CHANNELS),
    ("geofence", geofence, SCAN_CHANNELS),
    ("not_annulled", not_annulled, ALL_CHANNELS),
    ("not_on_leave", not_on_leave, ALL_CHANNELS),
    ("checked_in_first", checked_in_first, ALL_CHANNELS),
    ("not_too_soon", not_too_soon, SCAN_CHANNELS),
    ("capacity", capacity, ALL_CHANNELS),
)


def judge(f: Facts) -> str:
    """The outcome: checked_in / checked_out to perform, or already_checked_in / already_checked_out;
    raises Refused at the first rule that refuses."""
    for name, rule, channels in RULES:
        if f.channel in channels and name not in f.skip:
            rule(f)
    if f.direction == "in":
        return "checked_in" if f.attendance is None else "already_checked_in"
    return "checked_out" if f.attendance.state in lifecycle.OPEN else "already_checked_out"
