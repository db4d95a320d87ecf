"""Calendar feeds, parsed by a real iCalendar parser (icalendar): a member's coming meetings, Party days,
claimed duty slots and volunteer events with two alarms each, in the configured zone, stable UIDs; a
cancelled meeting disappears on the next fetch; a revoked or forged token answers 404."""
from datetime import timedelta

import icalendar
from sqlalchemy import select

from server.auth.models import PartyGroup, User
from server.community.models import Duty, DutySlot
from server.extensions import db
from tests import objects


def events_of(resp) -> dict[str, icalendar.Event]:
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(resp.data)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_member_feed_events_alarms_zone_uids_and_cancellation(world, ctx, make_event, login, anon):
    assembly = make_event("branch_assembly", start_in=timedelta(days=3), title="第三季度支部党员大会；学习",
                          place_name="党员活动室, 三楼")
    party = make_event("party_day", start_in=timedelta(days=10), title="主题党日")
    make_event("committee_meeting", start_in=timedelta(days=4), title="支委会")  # a1 is no 支委: not his
    make_event("party_day", start_in=timedelta(days=2), host_org_id=world.branch_b_id, title="二支部党日")
    make_event("volunteer_service", start_in=timedelta(days=5), title="社区志愿服务")
    with ctx():
        duty_title = db.session.get(Duty, objects.duty(world, hours_ahead=24 * 6)[0]).title
        objects.claim(db.session.scalar(select(DutySlot.id).order_by(DutySlot.id.desc())), world.ids.a1)
    a1 = login(world.phones.a1)
    made = a1.post("/api/v1/orglife/feeds", json={})
    assert made.status_code == 201
    url = made.get_json()["url"].split("qd.example.cn", 1)[1]
    assert made.get_json()["webcal"].startswith("webcal://qd.example.cn/")
    first = events_of(anon.get(url))
    assert set(first) == {"第三季度支部党员大会；学习", "主题党日", "社区志愿服务", duty_title}
    meeting = first["第三季度支部党员大会；学习"]
    assert str(meeting["LOCATION"]) == "党员活动室, 三楼"  # Chinese text and escaped commas intact
    start = meeting.decoded("DTSTART")
    assert str(start.tzinfo) == "Asia/Shanghai" and meeting["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start.utcoffset() == timedelta(hours=8)
    triggers = sorted(a.decoded("TRIGGER") for a in meeting.walk("VALARM"))
    assert triggers == [timedelta(days=-1), timedelta(hours=-1)]
    assert str(meeting["UID"]) == f"event-{assembly}@qd.example.cn"
    again = events_of(anon.get(url))
    assert {k: str(v["UID"]) for k, v in again.items()} == {k: str(v["UID"]) for k, v in first.items()}

    org = login(world.phones.org_a)
    assert org.post(f"/api/v1/events/{party}/cancel", json={"reason": "改期"}).status_code == 200
    assert "主题党日" not in events_of(anon.get(url))

    feed_id = made.get_json()["id"]
    assert login(world.phones.a2).post(f"/api/v1/orglife/feeds/{feed_id}/revoke").status_code == 404
    assert a1.post(f"/api/v1/orglife/feeds/{feed_id}/revoke").status_code == 200
    gone = anon.get(url)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "orglife_feed_unknown"
    token = made.get_json()["token"]
    forged = anon.get(f"/api/v1/orglife/feeds/{feed_id}.{token.split('.', 1)[1][:-1]}x.ics")
    assert forged.status_code == 404
    assert anon.get("/api/v1/orglife/feeds/nonsense.ics").status_code == 404


def test_a_new_url_replaces_the_old_and_branch_feeds_are_the_secretarys(world, ctx, make_event, login, anon):
    with ctx():
        group = PartyGroup(branch_id=world.branch_a_id, name="一组")
        db.session.add(group)
        db.session.flush()
        db.session.get(User, world.ids.a1).party_group_id = group.id
        db.session.commit()
        gid = group.id
    make_event("group_meeting", start_in=timedelta(days=2), party_group_id=gid, title="一组党小组会")
    make_event("committee_meeting", start_in=timedelta(days=3), title="支委会")
    a1 = login(world.phones.a1)
    old = a1.post("/api/v1/orglife/feeds", json={}).get_json()
    new = a1.post("/api/v1/orglife/feeds", json={}).get_json()
    path = lambda f: f["url"].split("qd.example.cn", 1)[1]  # noqa: E731
    assert anon.get(path(old)).status_code == 404
    assert set(events_of(anon.get(path(new)))) == {"一组党小组会"}
    assert [f["revoked"] for f in a1.get("/api/v1/orglife/feeds").get_json()] == [False, True]
    assert a1.post("/api/v1/orglife/feeds", json={"scope": "branch", "org_id": world.branch_a_id}).status_code \
        == 403
    branch = login(world.phones.org_a).post("/api/v1/orglife/feeds",
                                            json={"scope": "branch", "org_id": world.branch_a_id}).get_json()
    assert set(events_of(anon.get(path(branch)))) == {"一组党小组会", "支委会"}
