"""Event rules: kind defaults, the check-in window, who may see, create and change what."""
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

import server.events.messages  # noqa: F401  (registers the message codes)
from server.attendance.models import Attendance
from server.auth.models import Community, Organization, PartyGroup
from server.auth.permissions import forbid
from server.auth.scope import Scope
from server.common import audit, qrtoken
from server.common.errors import Conflict, Invalid
from server.common.i18n import lang
from server.common.timeutil import iso_local
from server.events import lookup, tokens
from server.events.kinds import KINDS
from server.events.models import Event
from server.extensions import db

MAX_DURATION = timedelta(days=31)
STATIC_REFRESH_S = 60  # a static screen still notices a rotated key within a minute
FIELD_DEFAULTS = {"description": "", "place_name": "", "lat": None, "lng": None, "geofence_radius_m": None,
                  "geofence_mode": "off", "capacity": None, "late_after_minutes": 5, "qr_mode": "rotating",
                  "host_org_id": None, "host_community_id": None, "party_group_id": None}
COLUMNS = ("title", "description", "host_org_id", "host_community_id", "starts_at", "ends_at", "place_name",
           "lat", "lng", "geofence_radius_m", "geofence_mode", "capacity", "audience", "requires_confirmation",
           "late_after_minutes", "qr_mode", "status", "party_group_id")


def new_event(kind, title, starts_at, ends_at, host_org_id=None, host_community_id=None,
              opens_before=timedelta(minutes=30), closes_after=timedelta(minutes=30), **fields) -> Event:
    """An event with its kind's defaults; fields override them."""
    behaviour = KINDS[kind]
    values = {"requires_checkout": behaviour.records_hours, "requires_confirmation": behaviour.needs_confirmation,
              "audience": behaviour.audience, **fields}
    return Event(kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, host_org_id=host_org_id,
                 host_community_id=host_community_id, window_opens_at=starts_at - opens_before,
                 window_closes_at=ends_at + closes_after, **values)


def list_events(scope: Scope, filters: dict, page: int, page_size: int, now: datetime) -> dict:
    """One count and one page query, whatever the page size."""
    where = [lookup.sees_clause(scope)]
    for key in ("kind", "status", "host_org_id", "host_community_id"):
        if filters.get(key) is not None:
            where.append(getattr(Event, key) == filters[key])
    if filters.get("from_") is not None:
        where.append(Event.ends_at >= filters["from_"])
    if filters.get("to") is not None:
        where.append(Event.starts_at < filters["to"])
    if filters.get("open_now"):
        where += [Event.status == "published", Event.window_opens_at <= now, Event.window_closes_at >= now]
    total = db.session.scalar(select(func.count()).select_from(Event).where(*where))
    rows = db.session.scalars(select(Event).where(*where).order_by(Event.starts_at, Event.id)
                              .limit(page_size).offset((page - 1) * page_size)).all()
    mine = my_attendance(scope.user.id, [e.id for e in rows])
    return {"items": [event_view(e, scope, mine.get(e.id)) for e in rows], "total": total, "page": page,
            "page_size": page_size}


def my_attendance(user_id: int, event_ids: list[int]) -> dict[int, dict]:
    """The caller's own attendance at each listed event, in one query, so the app can say "you're done"."""
    if not event_ids:
        return {}
    rows = db.session.execute(select(Attendance.event_id, Attendance.state, Attendance.checkin_at,
                                     Attendance.checkout_at)
                              .where(Attendance.user_id == user_id, Attendance.event_id.in_(event_ids)))
    return {r.event_id: {"state": r.state, "checkin_at": iso_local(r.checkin_at),
                         "checkout_at": iso_local(r.checkout_at)} for r in rows}


def visible_event(scope: Scope, event_id: int) -> Event:
    return lookup.event_for(scope, event_id, "see")


def managed_event(scope: Scope, event_id: int) -> Event:
    return lookup.event_for(scope, event_id, "manage")


def values_of(event: Event) -> dict:
    return {"kind": event.kind, **{c: getattr(event, c) for c in COLUMNS},
            "opens_before_minutes": int((event.starts_at - event.window_opens_at).total_seconds()) // 60,
            "closes_after_minutes": int((event.window_closes_at - event.ends_at).total_seconds()) // 60}


def event_view(event: Event, scope: Scope, mine: dict | None = None) -> dict:
    return {**values_of(event), "id": event.id, "window_opens_at": event.window_opens_at,
            "window_closes_at": event.window_closes_at, "scheduled_hours": round(event.scheduled_hours, 2),
            "host_org_name": event.host_org.name if event.host_org else None,
            "host_community_name": event.host_community.name if event.host_community else None,
            "requires_checkout": event.requires_checkout, "key_version": event.key_version,
            "created_by_id": event.created_by_id, "created_at": event.created_at, "updated_at": event.updated_at,
            "can_manage": lookup.manages(scope, event), "my_attendance": mine,
            # a rotating code stays valid for its window and the next one (scans accept the previous window)
            "qr_valid_seconds": 2 * tokens.rotate_seconds() if event.qr_mode == "rotating" else None}


def _check(v: dict) -> tuple[dict, Organization | None]:
    """Rules across fields, on the full values after a create or a change; returns (errors, host org)."""
    errors: dict[str, str | tuple[str, dict]] = {}
    kind, org = KINDS[v["kind"]], None
    named = {"kind": kind.label(lang())}
    if not v["title"]:
        errors["title"] = "event_title_required"
    if v["ends_at"] <= v["starts_at"]:
        errors["ends_at"] = "event_ends_before_start"
    elif v["ends_at"] - v["starts_at"] > MAX_DURATION:
        errors["ends_at"] = ("event_too_long", {"days": MAX_DURATION.days})
    if kind.host == "community":
        if v["host_community_id"] is None:
            errors["host_community_id"] = ("event_needs_community", named)
        elif db.session.get(Community, v["host_community_id"]) is None:
            errors["host_community_id"] = "event_no_such_community"
        if v["host_org_id"] is not None:
            errors["host_org_id"] = ("event_hosted_by_community", named)
    else:
        if v["host_org_id"] is None:
            errors["host_org_id"] = ("event_needs_org", named)
        elif (org := db.session.get(Organization, v["host_org_id"])) is None:
            errors["host_org_id"] = "event_no_such_org"
        if v["host_community_id"] is not None:
            errors["host_community_id"] = ("event_hosted_by_org", named)
    if v["audience"] == "organization" and kind.host == "community":
        errors["audience"] = ("event_audience_not_org", named)
    if v["audience"] == "community" and kind.host != "community":
        errors["audience"] = "event_audience_community"
    errors.update(_check_audience(v, kind, org, named))
    if v["requires_confirmation"] and not kind.records_hours:
        errors["requires_confirmation"] = ("event_no_hours_to_confirm", named)
    if kind.needs_confirmation and not v["requires_confirmation"]:
        errors["requires_confirmation"] = ("event_hours_always_confirmed", named)
    if v["geofence_mode"] != "off":
        missing = [k for k in ("lat", "lng", "geofence_radius_m") if v[k] is None]
        if missing:
            errors["geofence_mode"] = ("event_geofence_needs", {"missing": ", ".join(missing)})
    return errors, org


def _check_audience(v: dict, kind, org: Organization | None, named: dict) -> dict:
    """A committee or Party group audience narrows an organization's roster; a group is one of the host's."""
    if v["audience"] in ("committee", "group") and kind.host == "community":
        return {"audience": ("event_audience_not_org", named)}
    if v["audience"] != "group":
        return {"party_group_id": "event_group_without_audience"} if v.get("party_group_id") is not None else {}
    if v.get("party_group_id") is None:
        return {"party_group_id": "event_group_required"}
    group = db.session.get(PartyGroup, v["party_group_id"])
    branch = group and db.session.get(Organization, group.branch_id)
    if branch is None or org is None or not branch.path.startswith(org.path):
        return {"party_group_id": "event_group_not_host"}
    return {}


def _require_host(scope: Scope, v: dict, org: Organization | None) -> None:
    if v["host_org_id"] is not None and not scope.manages_org(org):
        forbid({"host_org_id": v["host_org_id"]})
    if v["host_community_id"] is not None and not (scope.admin or v["host_community_id"] in scope.community_ids):
        forbid({"host_community_id": v["host_community_id"]})


def create_event(scope: Scope, data: dict) -> Event:
    """Admins anywhere; organizers for their organizations and below; liaisons for their communities."""
    if not (scope.admin or scope.org_paths or scope.community_ids):
        forbid()
    kind = KINDS[data["kind"]]
    kind_defaults = {"audience": kind.audience, "requires_confirmation": kind.needs_confirmation}
    v = {**FIELD_DEFAULTS, **kind_defaults, **data}
    errors, org = _check(v)
    if errors:
        raise Invalid(errors)
    _require_host(scope, v, org)
    named = ("title", "starts_at", "ends_at", "host_org_id", "host_community_id")
    fields = {k: v[k] for k in COLUMNS if k not in named}
    event = new_event(v["kind"], v["title"], v["starts_at"], v["ends_at"], v["host_org_id"], v["host_community_id"],
                      timedelta(minutes=v["opens_before_minutes"]), timedelta(minutes=v["closes_after_minutes"]),
                      created_by_id=scope.user.id, **fields)
    db.session.add(event)
    db.session.commit()
    return event


def _json_safe(values: dict) -> dict:
    return {k: iso_local(x) if isinstance(x, datetime) else x for k, x in values.items()}


def update_event(scope: Scope, event_id: int, data: dict) -> Event:
    """Change what the body names; the same rules as creation; the window follows the times."""
    event = managed_event(scope, event_id)
    if event.status == "cancelled":
        raise Conflict(details={"status": event.status, "reason": "event is cancelled"})
    before = values_of(event)
    v = {**before, **data, "kind": event.kind}
    errors, org = _check(v)
    if data.get("kind", event.kind) != event.kind:
        errors["kind"] = "event_kind_fixed"
    if errors:
        raise Invalid(errors)
    changed = {k for k in v if v[k] != before[k]}
    if event.audience == "claimers" and changed & {"starts_at", "ends_at", "status"}:
        raise Conflict(details={"reason": "a duty slot's event: change the slot instead"})
    if changed & {"host_org_id", "host_community_id"}:
        _require_host(scope, v, org)
    if "status" in changed:
        _check_status_change(event, v["status"])
    for key in changed & set(COLUMNS):
        setattr(event, key, v[key])
    event.window_opens_at = v["starts_at"] - timedelta(minutes=v["opens_before_minutes"])
    event.window_closes_at = v["ends_at"] + timedelta(minutes=v["closes_after_minutes"])
    if changed:
        audit.record(scope.user.id, "event.update", "event", event.id, _json_safe({k: before[k] for k in changed}),
                     _json_safe({k: v[k] for k in changed}))
    db.session.commit()
    return event


def _check_status_change(event: Event, new: str) -> None:
    if event.status == "closed" or (new == "draft" and db.session.scalar(
            select(func.count()).select_from(Attendance).where(Attendance.event_id == event.id))):
        raise Conflict(details={"status": event.status, "reason": "closed, or members already checked in"})


def cancel_event(scope: Scope, event_id: int, reason: str) -> Event:
    """One conditional UPDATE, so two racing cancels give one change and one 409."""
    event = managed_event(scope, event_id)
    before = event.status
    done = db.session.execute(update(Event).where(Event.id == event.id, Event.status.in_(("draft", "published")))
                              .values(status="cancelled")).rowcount
    if not done:
        raise Conflict(details={"status": before})
    db.session.refresh(event)
    audit.record(scope.user.id, "event.cancel", "event", event.id, {"status": before}, {"status": "cancelled"},
                 reason.strip())
    db.session.commit()
    return event


def rotate_key(scope: Scope, event_id: int, reason: str = "") -> Event:
    """Bump key_version in SQL, so racing rotations each count; every earlier code stops working."""
    event = managed_event(scope, event_id)
    before = event.key_version
    db.session.execute(update(Event).where(Event.id == event.id).values(key_version=Event.key_version + 1))
    db.session.refresh(event)
    audit.record(scope.user.id, "event.rotate_key", "event", event.id, {"key_version": before},
                 {"key_version": event.key_version}, reason.strip())
    db.session.commit()
    return event


def current_code(scope: Scope, event_id: int, direction: str, now: datetime) -> dict:
    """The code a manager's screen shows now: {token, url, expires_at, refresh_in_seconds}."""
    event = managed_event(scope, event_id)
    if event.status in ("draft", "cancelled"):
        raise Conflict(details={"status": event.status, "reason": f"no code for a {event.status} event"})
    if direction == "out" and not event.requires_checkout:
        raise Invalid({"direction": "event_no_checkout_code"}, location="query")
    token, url, expires = tokens.issue(event, direction, now)
    period = tokens.rotate_seconds()
    refresh = STATIC_REFRESH_S if event.qr_mode == "static" else period - tokens.epoch(now) % period
    return {"token": token, "url": url, "expires_at": expires, "refresh_in_seconds": refresh}


def image_url(scope: Scope, event_id: int, direction: str, now: datetime, wanted: str | None = None) -> str:
    """The code a screen draws: the token it was given if that is this window's or the last one's, so a
    token fetched just before a window turned is not drawn as the next window's code; else the current."""
    code = current_code(scope, event_id, direction, now)
    if not wanted or wanted == code["token"]:
        return code["url"]
    secret = current_app.config["SECRET_KEY"]
    current = qrtoken.verify(secret, code["token"], qrtoken.PURPOSE_EVENT)
    try:
        tok = qrtoken.verify(secret, wanted, qrtoken.PURPOSE_EVENT)
    except qrtoken.TokenError:
        return code["url"]
    if tok.window == current.window - 1 and replace(tok, window=current.window) == current:
        return tokens.url_for_token(wanted)
    return code["url"]
