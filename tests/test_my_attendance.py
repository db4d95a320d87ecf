"""A member's own records: only their own, with the year's confirmed and pending hours."""
from datetime import timedelta

from server.common.timeutil import utcnow
from tests.support import iso


def test_my_attendance_lists_only_mine_with_year_totals(world, make_event, token_for, scan, login, long_grace):
    member = login(world.phones.a1)
    vol = make_event("volunteer_service", start_in=timedelta(hours=-2), hours=3, title="志愿A")
    arrived = utcnow() - timedelta(hours=2)
    scan(member, token_for(vol, at=arrived), scanned_at=iso(arrived))
    assert scan(member, token_for(vol, "out")).get_json()["attendance"]["hours_claimed"] == 2.0
    duty = make_event("community_duty", start_in=timedelta(hours=-1), hours=2, title="值守B")
    arrived = utcnow() - timedelta(hours=1)
    scan(member, token_for(duty, at=arrived), scanned_at=iso(arrived))
    assert scan(member, token_for(duty, "out")).get_json()["attendance"]["state"] == "pending"
    other = make_event("volunteer_service", title="别人的")
    scan(world.phones.a2, token_for(other))

    body = member.get("/api/v1/me/attendance").get_json()
    assert [i["event"]["title"] for i in body["items"]] == ["值守B", "志愿A"]
    assert body["summary"]["hours_confirmed"] == 2.0 and body["summary"]["hours_pending"] == 1.0
    assert body["summary"]["pending"] == 1 and body["total"] == 2
    last_year = member.get(f"/api/v1/me/attendance?year={utcnow().year - 1}").get_json()
    assert last_year["items"] == [] and last_year["summary"]["hours_confirmed"] == 0


def test_my_attendance_needs_sign_in_and_valid_year(anon, world, login):
    assert anon.get("/api/v1/me/attendance").status_code == 401
    resp = login(world.phones.a1).get("/api/v1/me/attendance?year=1800")
    assert resp.status_code == 422 and "year" in resp.get_json()["error"]["details"]["fields"]["query"]
