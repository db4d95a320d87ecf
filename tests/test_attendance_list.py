"""The organizer's attendance list field by field: each item is attendance_json plus the member's fields, in
that key order, with local times and their offset, nulls, and the same compact UTF-8 JSON as jsonify."""
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from server.attendance import core, services
from server.attendance.models import Attendance
from server.attendance.schemas import decode_cursor
from server.auth.models import User
from server.common.timeutil import utcnow
from server.events.models import Event
from server.extensions import db
from tests.test_attendance import REASON, attendance_url, check_in

NOTE = '引号 " 反斜杠 \\ 换行\n'  # escaped in JSON, non-ASCII kept as UTF-8


def expected_items(ctx, eid, since=None):
    """What the list must show, built the slow way: ORM objects through core.attendance_json."""
    with ctx():
        stmt = (select(Attendance, User).join(User, Attendance.user_id == User.id)
                .where(Attendance.event_id == eid).order_by(Attendance.id))
        if since is not None:
            stmt = stmt.where(Attendance.updated_at >= since - services.CURSOR_OVERLAP)
        items = [{**core.attendance_json(att), "member_name": user.name, "member_phone": user.phone,
                  "branch_name": user.branch.name if user.branch else None}
                 for att, user in db.session.execute(stmt)]
        db.session.remove()
        return items


def fields_in_order(items):
    """Keys in order with each value and its type, so that true and 1, or 2.0 and 2, differ."""
    return [[(key, type(value).__name__, value) for key, value in item.items()] for item in items]


@pytest.fixture
def shanghai(app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "Asia/Shanghai")


def test_items_field_by_field(world, make_event, ctx, login, shanghai):
    eid = make_event("party_day", start_in=timedelta(minutes=-30), late_after_minutes=5, audience="open")
    ids = world.ids
    atts = {"a1": check_in(ctx, eid, ids.a1, -5), "a3": check_in(ctx, eid, ids.a3, 20),
            "b1": check_in(ctx, eid, ids.b1, 0), "liaison1": check_in(ctx, eid, ids.liaison1, 1)}  # no branch
    with ctx():
        event = db.session.get(Event, eid)
        starts_at = event.starts_at
        core.check_out(event, db.session.get(Attendance, atts["a1"]),
                       starts_at + timedelta(minutes=50, microseconds=123_456), "manual")
        db.session.execute(update(Attendance).where(Attendance.id == atts["b1"])
                           .values(note=NOTE, checkin_at=starts_at + timedelta(microseconds=999_999)))
        db.session.commit()
    org = login(world.phones.org_a)
    assert org.post(f"{attendance_url(eid)}/{atts['a3']}/annul", json={"reason": "代签，作废"}).status_code == 200
    before = utcnow()
    resp = org.get(attendance_url(eid))
    after = utcnow()
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert list(body) == ["summary", "items", "cursor"]
    assert resp.data == (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert fields_in_order(body["items"]) == fields_in_order(expected_items(ctx, eid))

    by_user = {i["user_id"]: i for i in body["items"]}
    a1, a3, b1, liaison = by_user[ids.a1], by_user[ids.a3], by_user[ids.b1], by_user[ids.liaison1]
    local = starts_at + timedelta(hours=8)
    assert a1["checkin_at"] == (local - timedelta(minutes=5)).isoformat() + "+08:00"
    assert a1["checkout_at"] == (local + timedelta(minutes=50)).isoformat() + "+08:00"  # microseconds dropped
    assert a1["checkout_method"] == "manual" and isinstance(a1["hours_claimed"], float)
    assert b1["checkin_at"] == local.isoformat() + "+08:00" and b1["note"] == NOTE
    assert b1["checkout_at"] is None and b1["checkout_method"] is None and b1["hours_claimed"] is None
    assert a3["state"] == "annulled" and a3["late"] is True and b1["late"] is False
    assert liaison["branch_name"] is None and liaison["member_name"] == "一联络员"
    assert b1["branch_name"] == "第二支部" and b1["member_phone"] == world.phones.b1
    assert before <= decode_cursor(body["cursor"]) <= after


def test_cursor_round_trip_shows_the_manual_checkin_as_posted(world, make_event, ctx, login, shanghai):
    eid = make_event("party_day", audience="open")
    check_in(ctx, eid, world.ids.a1)
    with ctx():
        db.session.execute(update(Attendance).values(updated_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    org = login(world.phones.org_a)
    cursor = org.get(attendance_url(eid)).get_json()["cursor"]
    posted = org.post(attendance_url(eid), json={"member_id": world.ids.a4, "reason": REASON}).get_json()
    later = org.get(attendance_url(eid), query_string={"since": cursor}).get_json()
    assert fields_in_order(later["items"]) == fields_in_order([posted["attendance"]])
    assert fields_in_order(later["items"]) == fields_in_order(expected_items(ctx, eid, decode_cursor(cursor)))


def test_times_in_a_zone_with_daylight_saving(world, make_event, ctx, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "America/New_York")
    eid = make_event("party_day", audience="open")
    atts = [check_in(ctx, eid, uid) for uid in (world.ids.a1, world.ids.a2, world.ids.a3)]
    times = [  # spring forward at 07:00 UTC, fall back at 06:00 UTC (01:30 twice)
        (datetime(2026, 3, 8, 6, 59, 59, 900_000), datetime(2026, 3, 8, 7, 0, 0)),
        (datetime(2026, 11, 1, 5, 30), datetime(2026, 11, 1, 6, 30)),
        (datetime(2026, 7, 1, 12, 0), None)]
    with ctx():
        for att_id, (checkin_at, checkout_at) in zip(atts, times, strict=True):
            db.session.execute(update(Attendance).where(Attendance.id == att_id)
                               .values(checkin_at=checkin_at, checkout_at=checkout_at))
        db.session.commit()
    items = login(world.phones.org_a).get(attendance_url(eid)).get_json()["items"]
    assert [(i["checkin_at"], i["checkout_at"]) for i in items] == [
        ("2026-03-08T01:59:59-05:00", "2026-03-08T03:00:00-04:00"),
        ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
        ("2026-07-01T08:00:00-04:00", None)]
    assert fields_in_order(items) == fields_in_order(expected_items(ctx, eid))
