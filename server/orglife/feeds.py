"""Calendar feeds: a private, revocable .ics URL per member (their coming meetings, Party days, claimed duty
slots and volunteer events) and per branch for its secretary (the branch tree's coming meetings). The token
is `<id>.<random>`; only a SHA-256 of the random part is stored, compared in constant time. A cancelled event
is simply absent from the next fetch; UIDs are stable, so phones replace or drop their entries."""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, select

import server.orglife.messages  # noqa: F401  (registers the message codes)
from server.auth.models import Organization, User
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Forbidden, Invalid, NotFound
from server.common.timeutil import local_zone, utcnow
from server.community.models import DutyClaim, DutySlot
from server.events import audience
from server.events.kinds import KINDS, codes_where
from server.events.models import Event
from server.extensions import db
from server.orglife import ics
from server.orglife.models import FeedToken

HORIZON = timedelta(days=180)   # how far ahead a feed looks
RECENT = timedelta(days=1)      # and how far back (a meeting of today stays in view)
MEETING_KINDS = codes_where(org_life=True)
VOLUNTEER_KINDS = codes_where(records_hours=True, host="organization")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_json(f: FeedToken, token: str | None = None) -> dict:
    base = current_app.config["PUBLIC_BASE_URL"]
    return {"id": f.id, "scope": f.scope, "org_id": f.org_id, "revoked": f.revoked_at is not None,
            "created_at": f.created_at.isoformat(), "token": token,
            "url": f"{base}/api/v1/orglife/feeds/{token}.ics" if token else None,
            "webcal": "webcal://" + urlsplit(base).netloc + f"/api/v1/orglife/feeds/{token}.ics" if token else None}


def create(user: User, scope: str, org_id: int | None) -> dict:
    """A new URL for the member (or a branch they manage); the previous one of the same scope is revoked."""
    if scope == "branch":
        org = db.session.get(Organization, org_id) if org_id else None
        if org is None:
            raise Invalid({"org_id": "orglife_no_such_branch"})
        if not scope_of(user).manages_org(org):
            raise Forbidden(details={"org_id": org_id})
    else:
        org_id = None
    now = utcnow()
    for old in db.session.scalars(select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.scope == scope,
                                                          FeedToken.org_id.is_(org_id) if org_id is None
                                                          else FeedToken.org_id == org_id,
                                                          FeedToken.revoked_at.is_(None))):
        old.revoked_at = now
        audit.record(user.id, "orglife.feed.revoke", "feed", old.id, {"revoked": False}, {"revoked": True},
                     "replaced by a new URL")
    secret = secrets.token_urlsafe(24)
    feed = FeedToken(user_id=user.id, scope=scope, org_id=org_id, secret_hash=_digest(secret), created_at=now)
    db.session.add(feed)
    db.session.flush()
    audit.record(user.id, "orglife.feed.create", "feed", feed.id, None, {"scope": scope, "org_id": org_id})
    db.session.commit()
    return feed_json(feed, f"{feed.id}.{secret}")


def mine(user: User) -> list[dict]:
    return [feed_json(f) for f in db.session.scalars(select(FeedToken).where(FeedToken.user_id == user.id)
                                                     .order_by(FeedToken.id.desc()))]


def revoke(user: User, feed_id: int) -> dict:
    feed = db.session.get(FeedToken, feed_id)
    if feed is None or feed.user_id != user.id:
        raise NotFound(details={"feed_id": feed_id})
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        audit.record(user.id, "orglife.feed.revoke", "feed", feed.id, {"revoked": False}, {"revoked": True})
        db.session.commit()
    return feed_json(feed)


def _feed_for(token: str) -> FeedToken:
    """The live feed of a token, or 404 whatever is wrong (unknown, malformed, revoked): nothing leaks."""
    head, _, secret = token.partition(".")
    feed = db.session.get(FeedToken, int(head)) if head.isascii() and head.isdigit() and len(head) < 10 else None
    ok = feed is not None and hmac.compare_digest(feed.secret_hash, _digest(secret))
    if not ok or feed.revoked_at is not None:
        raise NotFound("orglife_feed_unknown")
    return feed


def _item(e: Event, host: str, extra: str = "") -> dict:
    kind = KINDS[e.kind]
    return {"uid": f"event-{e.id}@{host}", "title": e.title, "starts_at": e.starts_at, "ends_at": e.ends_at,
            "location": e.place_name or "", "updated_at": e.updated_at,
            "description": f"{kind.label_zh} / {kind.label_en}{extra}"}


def _member_events(user: User, now: datetime) -> list[Event]:
    window = and_(Event.status == "published", Event.ends_at >= now - RECENT, Event.starts_at <= now + HORIZON)
    path = user.branch_path
    org_events = []
    if path:
        hosts = [int(p) for p in path.split("/") if p]  # the member's branch and the organizations above it
        org_events = [e for e in db.session.scalars(select(Event).where(
            window, Event.host_org_id.in_(hosts), Event.kind.in_(MEETING_KINDS + VOLUNTEER_KINDS)))
            if (KINDS[e.kind].org_life and audience.is_eligible(user, e)) or e.kind in VOLUNTEER_KINDS]
    claimed = list(db.session.scalars(select(Event).join(DutySlot, DutySlot.event_id == Event.id)
                                      .join(DutyClaim, DutyClaim.slot_id == DutySlot.id)
                                      .where(window, DutyClaim.user_id == user.id, DutyClaim.status == "active")))
    return sorted({e.id: e for e in org_events + claimed}.values(), key=lambda e: (e.starts_at, e.id))


def _branch_events(org: Organization, now: datetime) -> list[Event]:
    return list(db.session.scalars(select(Event).join(Organization, Organization.id == Event.host_org_id).where(
        Event.status == "published", Event.ends_at >= now - RECENT, Event.starts_at <= now + HORIZON,
        Event.kind.in_(MEETING_KINDS), Organization.path.startswith(org.path))
        .order_by(Event.starts_at, Event.id)))


def render(token: str, now: datetime | None = None) -> bytes:
    now = now or utcnow()
    feed = _feed_for(token)
    user = db.session.get(User, feed.user_id)
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc or "qiandao"
    if feed.scope == "branch":
        org = db.session.get(Organization, feed.org_id)
        if org is None or not user.active or not scope_of(user).manages_org(org):
            raise NotFound("orglife_feed_unknown")  # no longer the secretary: the feed stops
        events, name = _branch_events(org, now), f"{org.name} 组织生活"
    else:
        if not user.active:
            raise NotFound("orglife_feed_unknown")
        events, name = _member_events(user, now), f"{user.name} 的日程"
    return ics.calendar(name, local_zone(), [_item(e, host) for e in events], now)
