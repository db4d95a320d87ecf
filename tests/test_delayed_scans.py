"""The delayed-scan rule: a scan sent after it was made is judged at the moment it was made; within the
grace it counts at once (flagged offline), later it waits for the organizer's review, and nothing is
refused for lateness alone. A photographed code sent hours later therefore earns nothing by itself."""
from datetime import timedelta

import pytest

from server.common.timeutil import utcnow
from tests.support import instant, iso

PLACE = {"lat": 39.9042, "lng": 116.4074}


def delayed(scan, who, token_for, eid, seconds, **body):
    taken = utcnow() - timedelta(seconds=seconds)
    return scan(who, token_for(eid, at=taken), scanned_at=iso(taken), **body), taken


@pytest.mark.parametrize("seconds", [30, 70, 110])
def test_within_the_grace_counts_at_the_moment_of_the_scan(seconds, world, make_event, token_for, scan, q):
    eid = make_event("party_day", start_in=timedelta(minutes=-3))  # not late at any of these moments
    resp, taken = delayed(scan, world.phones.a1, token_for, eid, seconds)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["outcome"] == "checked_in" and body["offline"] is True and body["points_awarded"] == 5
    assert body["attendance"]["checkin_method"] == "offline_qr"
    assert abs((instant(body["attendance"]["checkin_at"]) - taken).total_seconds()) < 1
    assert q("select count(*) from attendance")[0][0] == 1


@pytest.mark.parametrize("seconds", [600, 48 * 3600])
def test_beyond_the_grace_waits_for_the_organizer(seconds, world, make_event, token_for, scan, login, q):
    # scanned a minute after the start (not late), sent `seconds` later
    eid = make_event("party_day", start_in=timedelta(seconds=-seconds - 60), hours=seconds / 3600 + 2)
    member = login(world.phones.a1)
    resp, taken = delayed(scan, member, token_for, eid, seconds)
    assert resp.status_code == 202, resp.get_json()
    body = resp.get_json()
    assert body["outcome"] == "pending_review" and body["points_awarded"] == 0
    assert body["review"] == {"reason": "late", "delay_s": pytest.approx(seconds, abs=2)}
    assert body["message"] == "已收到您的扫码，等待组织者确认"
    assert q("select count(*) from attendance")[0][0] == 0
    assert q("select count(*) from points_ledger")[0][0] == 0

    org = login(world.phones.org_a)
    held = org.get(f"/api/v1/events/{eid}/held-scans").get_json()["items"]
    assert [(i["member_id"], i["decision"], i["held_because"]) for i in held] == [(world.ids.a1, None, "late")]
    assert held[0]["delay_s"] == pytest.approx(seconds, abs=2) and held[0]["has_location"] is False
    answer = org.post(f"/api/v1/events/{eid}/held-scans/{held[0]['scan_id']}", json={"decision": "accept"})
    assert answer.status_code == 200, answer.get_json()
    got = answer.get_json()
    assert got["outcome"] == "checked_in" and got["points_awarded"] == 5
    assert abs((instant(got["attendance"]["checkin_at"]) - taken).total_seconds()) < 1
    assert q("select checkin_method from attendance") == [("offline_qr",)]
    assert q("select sum(amount) from points_ledger")[0][0] == 5
    assert q("select action, reason from audit_log where object_type = 'scan'") == [("scan.review.accept", "")]
    # decided once: a second decision (another organizer, a double tap) changes nothing
    again = org.post(f"/api/v1/events/{eid}/held-scans/{held[0]['scan_id']}", json={"decision": "refuse",
                                                                                 "reason": "重复"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_reviewed"
    assert q("select sum(amount) from points_ledger")[0][0] == 5
    # the member's phone resending the scan gets its first answer, not a second check-in
    resent = member.post("/api/v1/scans", json={"token": token_for(eid, at=taken), "scanned_at": iso(taken),
                                                "client_scan_id": q("select client_scan_id from scans")[0][0]})
    assert resent.status_code == 202
    assert org.get(f"/api/v1/events/{eid}/held-scans").get_json()["items"][0]["decision"] == "accept"


def test_a_photographed_code_sent_hours_later_earns_nothing_until_refused_or_accepted(world, make_event, token_for,
                                                                                     scan, login, q):
    eid = make_event("party_day", start_in=timedelta(hours=-5), hours=8)
    resp, _taken = delayed(scan, world.phones.a2, token_for, eid, 4 * 3600)
    assert resp.status_code == 202
    org = login(world.phones.org_a)
    scan_id = org.get(f"/api/v1/events/{eid}/held-scans").get_json()["items"][0]["scan_id"]
    no_reason = org.post(f"/api/v1/events/{eid}/held-scans/{scan_id}", json={"decision": "refuse"})
    assert no_reason.status_code == 422 and no_reason.get_json()["error"]["details"]["codes"]["reason"] == \
        "review_reason_required"
    refused = org.post(f"/api/v1/events/{eid}/held-scans/{scan_id}", json={"decision": "refuse",
                                                                             "reason": "本人未到场"})
    assert refused.status_code == 200 and refused.get_json()["outcome"] == "refused"
    assert q("select count(*) from attendance")[0][0] == 0 and q("select count(*) from points_ledger")[0][0] == 0
    assert q("select action, reason from audit_log where object_type = 'scan'") == [("scan.review.refuse",
                                                                                       "本人未到场")]


def test_a_code_that_was_not_valid_when_scanned_is_still_refused(world, make_event, token_for, scan, app):
    eid = make_event("party_day", start_in=timedelta(minutes=-30), hours=2)
    taken = utcnow() - timedelta(seconds=70)
    stale = token_for(eid, at=taken - timedelta(seconds=app.config["SCAN_CLOCK_SKEW_SECONDS"] + 120))
    resp = scan(world.phones.a1, stale, scanned_at=iso(taken))
    assert resp.status_code == 410 and resp.get_json()["error"]["code"] == "expired_token"


def test_geofenced_event_never_accepts_an_offline_scan_without_location(world, make_event, token_for, scan, q):
    eid = make_event("volunteer_service", lat=PLACE["lat"], lng=PLACE["lng"], geofence_radius_m=200,
                     geofence_mode="enforce")
    resp, _ = delayed(scan, world.phones.a1, token_for, eid, 60)
    assert resp.status_code == 202 and resp.get_json()["review"]["reason"] == "no_location"
    here = {"lat": PLACE["lat"] + 0.0005, "lng": PLACE["lng"], "accuracy": 20}
    resp, _ = delayed(scan, world.phones.a2, token_for, eid, 60, location=here)
    assert resp.status_code == 201 and resp.get_json()["offline"] is True
    far = {"lat": PLACE["lat"] + 0.05, "lng": PLACE["lng"], "accuracy": 20}
    resp, _ = delayed(scan, world.phones.a3, token_for, eid, 60, location=far)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "outside_geofence"
    # online, the rule is as before: location first
    now = scan(world.phones.a4, token_for(eid))
    assert now.status_code == 422 and now.get_json()["error"]["code"] == "location_required"
    assert q("select count(*) from attendance")[0][0] == 1


def test_accepting_after_the_member_checked_in_anyway_pays_nothing_twice(world, make_event, token_for, scan,
                                                                        login, q):
    eid = make_event("party_day", start_in=timedelta(hours=-1), hours=3, late_after_minutes=120)
    resp, _ = delayed(scan, world.phones.a1, token_for, eid, 1800)
    assert resp.status_code == 202
    assert scan(world.phones.a1, token_for(eid)).status_code == 201  # came back online and scanned again
    org = login(world.phones.org_a)
    scan_id = org.get(f"/api/v1/events/{eid}/held-scans").get_json()["items"][0]["scan_id"]
    got = org.post(f"/api/v1/events/{eid}/held-scans/{scan_id}", json={"decision": "accept"}).get_json()
    assert got["outcome"] == "already_checked_in" and got["points_awarded"] == 0
    assert q("select count(*) from attendance")[0][0] == 1
    assert q("select sum(amount) from points_ledger")[0][0] == 5


def test_held_scans_are_the_event_managers_business(world, make_event, token_for, scan, login):
    eid = make_event("party_day", start_in=timedelta(hours=-1), hours=3)
    delayed(scan, world.phones.a1, token_for, eid, 1800)
    other = make_event("party_day", start_in=timedelta(hours=-1), hours=3)
    org = login(world.phones.org_a)
    scan_id = org.get(f"/api/v1/events/{eid}/held-scans").get_json()["items"][0]["scan_id"]
    # the scan belongs to another event than the one named: not found, nothing decided
    assert org.post(f"/api/v1/events/{other}/held-scans/{scan_id}", json={"decision": "accept"}).status_code == 404
    member = login(world.phones.a1)
    assert member.get(f"/api/v1/events/{eid}/held-scans").status_code == 403
    assert member.post(f"/api/v1/events/{eid}/held-scans/{scan_id}", json={"decision": "accept"}).status_code == 403
