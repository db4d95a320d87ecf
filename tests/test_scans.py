"""Every scan outcome through the API, on the configured database."""
import uuid
from datetime import timedelta

from server.common import qrtoken
from server.common.timeutil import utcnow
from tests.support import SECRET, instant, iso


def test_checkin_then_again_shows_first_time(world, make_event, token_for, scan, q, login):
    eid = make_event("party_day", start_in=timedelta(minutes=-2))
    member = login(world.phones.a1)
    first = scan(member, token_for(eid))
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["outcome"] == "checked_in" and body["message"] == "签到成功"
    assert body["attendance"]["late"] is False and body["points_awarded"] == 5
    again = scan(member, token_for(eid))
    assert again.status_code == 200
    assert again.get_json()["outcome"] == "already_checked_in"
    assert again.get_json()["attendance"]["checkin_at"] == body["attendance"]["checkin_at"]
    assert q("select count(*) from attendance")[0][0] == 1
    assert q("select sum(amount) from points_ledger")[0][0] == 5
    assert q("select count(*) from scans")[0][0] == 2


def test_late_checkin_pays_late_points(world, make_event, token_for, scan):
    eid = make_event("party_day", start_in=timedelta(minutes=-20), late_after_minutes=5)
    body = scan(world.phones.a1, token_for(eid)).get_json()
    assert body["attendance"]["late"] is True and body["points_awarded"] == 3


def test_checkout_computes_hours_and_pays(world, make_event, token_for, scan, login, q, long_grace):
    eid = make_event("volunteer_service", start_in=timedelta(hours=-3), hours=2,
                     opens_before=timedelta(hours=4), closes_after=timedelta(hours=2))
    member = login(world.phones.a3)
    arrived = utcnow() - timedelta(hours=3, minutes=20)  # 20 minutes before the start, sent offline
    assert scan(member, token_for(eid, at=arrived), scanned_at=iso(arrived)).status_code == 201
    out = scan(member, token_for(eid, "out"))
    assert out.status_code == 200, out.get_json()
    body = out.get_json()
    # checked in before the start, out after the end: clipped to the 2 scheduled hours
    assert body["outcome"] == "checked_out" and body["attendance"]["hours_claimed"] == 2.0
    assert body["points_awarded"] == 20
    again = scan(member, token_for(eid, "out"))
    assert again.get_json()["outcome"] == "already_checked_out"
    assert q("select sum(amount) from points_ledger")[0][0] == 20


def test_checkout_without_checkin(world, make_event, token_for, scan):
    eid = make_event("volunteer_service")
    resp = scan(world.phones.a1, token_for(eid, "out"))
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "not_checked_in"


def test_community_duty_checkout_waits_for_confirmation(world, make_event, token_for, scan, login, q):
    eid = make_event("community_duty", start_in=timedelta(minutes=-30), hours=2)
    member = login(world.phones.a1)
    scan(member, token_for(eid))
    body = scan(member, token_for(eid, "out")).get_json()
    assert body["attendance"]["state"] == "pending" and body["points_awarded"] == 0
    assert q("select count(*) from points_ledger")[0][0] == 0


def test_forged_and_altered_tokens_refused_and_logged(world, make_event, token_for, scan, q):
    eid = make_event("volunteer_service")
    good = token_for(eid)
    raw = bytearray(qrtoken.base64.urlsafe_b64decode(good + "=" * (-len(good) % 4)))
    raw[-1] ^= 1
    altered = qrtoken.base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    forged = qrtoken.sign("not-the-server-secret", qrtoken.parse(good))
    for bad in (altered, forged, "garbage", good[:-4]):
        resp = scan(world.phones.a1, bad)
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_token", bad
    assert q("select count(*) from scans where outcome = 'invalid_token'")[0][0] == 4
    assert q("select count(*) from attendance")[0][0] == 0


def test_token_for_another_purpose_refused(world, make_event, scan):
    eid = make_event("volunteer_service")
    card = qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_CARD, eid, 1, 0, "in", True))
    assert scan(world.phones.a1, card).get_json()["error"]["code"] == "invalid_token"


def test_rotating_windows(world, make_event, token_for, scan, app):
    eid = make_event("volunteer_service")
    period = app.config["QR_ROTATE_SECONDS"]
    now = utcnow()
    assert scan(world.phones.a1, token_for(eid, at=now - timedelta(seconds=period))).status_code == 201
    assert scan(world.phones.a2, token_for(eid, at=now)).status_code == 201
    old = scan(world.phones.a3, token_for(eid, at=now - timedelta(seconds=3 * period)))
    assert old.status_code == 410 and old.get_json()["error"]["code"] == "expired_token"


def test_revoked_key_version(world, make_event, token_for, scan, ctx):
    from server.events.models import Event
    from server.extensions import db
    eid = make_event("volunteer_service")
    token = token_for(eid)
    with ctx():
        db.session.get(Event, eid).key_version += 1
        db.session.commit()
    resp = scan(world.phones.a1, token)
    assert resp.get_json()["error"] == {**resp.get_json()["error"], "code": "invalid_token"}
    assert resp.get_json()["error"]["details"]["reason"] == "revoked"
    assert scan(world.phones.a1, token_for(eid)).status_code == 201


def test_static_code_inside_window_only(world, make_event, token_for, scan):
    open_eid = make_event("volunteer_service", qr_mode="static")
    assert scan(world.phones.a1, token_for(open_eid)).status_code == 201
    later = make_event("volunteer_service", qr_mode="static", start_in=timedelta(hours=5))
    resp = scan(world.phones.a1, token_for(later))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "not_open_yet"
    past = make_event("volunteer_service", qr_mode="static", start_in=timedelta(hours=-5), hours=1)
    resp = scan(world.phones.a1, token_for(past))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "closed"


def test_cancelled_and_draft(world, make_event, token_for, scan):
    cancelled = make_event("volunteer_service", status="cancelled")
    assert scan(world.phones.a1, token_for(cancelled)).get_json()["error"]["code"] == "cancelled"
    draft = make_event("volunteer_service", status="draft")
    assert scan(world.phones.a1, token_for(draft)).get_json()["error"]["code"] == "not_open_yet"


def test_eligibility_per_kind(world, make_event, token_for, scan):
    party = make_event("party_day")  # host: branch_a
    assert scan(world.phones.b1, token_for(party)).get_json()["error"]["code"] == "not_eligible"
    assert scan(world.phones.a4, token_for(party)).status_code == 201
    general_party = make_event("party_day", host_org_id=world.general_id)  # subtree counts
    assert scan(world.phones.b1, token_for(general_party)).status_code == 201
    duty = make_event("community_duty")  # host: c1
    assert scan(world.phones.a3, token_for(duty)).get_json()["error"]["code"] == "not_eligible"
    assert scan(world.phones.a1, token_for(duty)).status_code == 201
    vol = make_event("volunteer_service")
    assert scan(world.phones.b1, token_for(vol)).status_code == 201
    restricted = make_event("volunteer_service", audience="organization")
    resp = scan(world.phones.b1, token_for(restricted))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "not_eligible"


def test_capacity_full(world, make_event, token_for, scan):
    eid = make_event("volunteer_service", capacity=2)
    assert scan(world.phones.a1, token_for(eid)).status_code == 201
    assert scan(world.phones.a2, token_for(eid)).status_code == 201
    resp = scan(world.phones.a3, token_for(eid))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "capacity_full"


PLACE = {"lat": 39.9087, "lng": 116.3975}


def test_geofence_enforce(world, make_event, token_for, scan, q):
    eid = make_event("volunteer_service", lat=PLACE["lat"], lng=PLACE["lng"], geofence_radius_m=200,
                     geofence_mode="enforce")
    resp = scan(world.phones.a1, token_for(eid))
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "location_required"
    far = {"lat": PLACE["lat"] + 0.01, "lng": PLACE["lng"], "accuracy": 30}  # ~1.1 km north
    resp = scan(world.phones.a1, token_for(eid), location=far)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "outside_geofence"
    # 250 m away with 80 m accuracy: inside radius + accuracy
    near = {"lat": PLACE["lat"] + 0.00225, "lng": PLACE["lng"], "accuracy": 80}
    assert scan(world.phones.a1, token_for(eid), location=near).status_code == 201
    # a huge reported accuracy is capped at 100 m, so 1.1 km stays outside
    resp = scan(world.phones.a2, token_for(eid), location={**far, "accuracy": 5000})
    assert resp.get_json()["error"]["code"] == "outside_geofence"
    distances = [r[0] for r in q("select distance_m from scans where distance_m is not null order by id")]
    assert 1100 < distances[0] < 1120 and 245 < distances[1] < 255


def test_geofence_record_and_off(world, make_event, token_for, scan, q):
    rec = make_event("volunteer_service", lat=PLACE["lat"], lng=PLACE["lng"], geofence_radius_m=200,
                     geofence_mode="record")
    far = {"lat": PLACE["lat"] + 0.01, "lng": PLACE["lng"]}
    assert scan(world.phones.a1, token_for(rec), location=far).status_code == 201
    assert scan(world.phones.a2, token_for(rec)).status_code == 201
    off = make_event("volunteer_service", lat=PLACE["lat"], lng=PLACE["lng"], geofence_radius_m=200,
                     geofence_mode="off")
    assert scan(world.phones.a3, token_for(off), location=far).status_code == 201
    assert q("select count(*) from scans where distance_m > 1000")[0][0] == 1


def test_idempotent_replay_returns_first_answer(world, make_event, token_for, scan, login, q):
    eid = make_event("party_day")
    member = login(world.phones.a1)
    csid = str(uuid.uuid4())
    first = scan(member, token_for(eid), client_scan_id=csid)
    replay = scan(member, token_for(eid), client_scan_id=csid)
    assert first.status_code == replay.status_code == 201
    assert first.get_json() == replay.get_json()
    refused_id = str(uuid.uuid4())
    a = scan(member, "garbage", client_scan_id=refused_id)
    b = scan(member, token_for(eid), client_scan_id=refused_id)  # same id, different body: first answer wins
    assert a.get_json() == b.get_json() and b.status_code == 400
    assert q("select count(*) from scans")[0][0] == 2
    assert q("select count(*) from points_ledger")[0][0] == 1


def test_a_replay_speaks_the_language_of_its_own_request(world, make_event, token_for, login, q):
    """The stored answer keeps codes; the words are rendered for whoever asks, replays included."""
    eid = make_event("party_day")
    member = login(world.phones.a1)
    csid, token = str(uuid.uuid4()), token_for(eid)
    first = member.post("/api/v1/scans", json={"token": token, "client_scan_id": csid})
    replay = member.post("/api/v1/scans", json={"token": token, "client_scan_id": csid},
                         headers={"Accept-Language": "en"})
    assert first.status_code == replay.status_code == 201
    assert first.get_json()["message"] == "签到成功" and replay.get_json()["message"] == "Checked in"
    assert {k: v for k, v in first.get_json().items() if k != "message"} == \
        {k: v for k, v in replay.get_json().items() if k != "message"}
    refused = str(uuid.uuid4())
    zh = member.post("/api/v1/scans", json={"token": "garbage", "client_scan_id": refused})
    en = member.post("/api/v1/scans?lang=en", json={"token": "garbage", "client_scan_id": refused})
    assert zh.status_code == en.status_code == 400
    assert zh.get_json()["error"]["code"] == en.get_json()["error"]["code"] == "invalid_token"
    assert en.get_json()["error"]["message"].startswith("This QR code")
    assert "二维码" in zh.get_json()["error"]["message"]
    stored = q("select response from scans where client_scan_id = :c", c=csid)[0][0]
    assert "签到成功" not in str(stored)  # codes and values only


def test_offline_scan_judged_at_scanned_at(world, make_event, token_for, scan, q):
    eid = make_event("volunteer_service", start_in=timedelta(hours=-2), hours=3)
    taken = utcnow() - timedelta(minutes=3)
    resp = scan(world.phones.a1, token_for(eid, at=taken), scanned_at=iso(taken))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["offline"] is True and body["attendance"]["checkin_method"] == "offline_qr"
    assert abs((instant(body["attendance"]["checkin_at"]) - taken).total_seconds()) < 1
    # the same old code presented now, without scanned_at, has expired
    late = scan(world.phones.a2, token_for(eid, at=taken))
    assert late.status_code == 410
    assert q("select offline from scans where outcome = 'checked_in'")[0][0] in (True, 1)


def test_offline_bounds(world, make_event, token_for, scan, app):
    eid = make_event("volunteer_service", start_in=timedelta(days=-4), hours=24 * 5)
    future = utcnow() + timedelta(seconds=app.config["SCAN_CLOCK_SKEW_SECONDS"] + 60)
    resp = scan(world.phones.a1, token_for(eid), scanned_at=iso(future))
    assert resp.status_code == 422 and "scanned_at" in resp.get_json()["error"]["details"]["fields"]["json"]
    # a code older than its window, scanned offline within the skew tolerance of its window, is fine
    period = app.config["QR_ROTATE_SECONDS"]
    at = utcnow() - timedelta(minutes=2)
    tok = token_for(eid, at=at - timedelta(seconds=2 * period + 30))
    assert scan(world.phones.a2, tok, scanned_at=iso(at)).status_code == 201
    tok = token_for(eid, at=at - timedelta(seconds=2 * period + 600))
    assert scan(world.phones.a3, tok, scanned_at=iso(at)).status_code == 410


def test_rate_limited(world, make_event, token_for, scan, login, app, q):
    eid = make_event("volunteer_service")
    member = login(world.phones.a1)
    limit = int(app.config["SCAN_RATE_LIMIT"].split("/")[0])
    codes = [scan(member, token_for(eid)).status_code for _ in range(limit + 1)]
    assert codes[-1] == 429 and 429 not in codes[:-1]
    last = scan(member, token_for(eid))
    assert last.get_json()["error"]["code"] == "rate_limited"
    assert q("select count(*) from scans where outcome = 'rate_limited'")[0][0] == 2


def test_english_messages(world, make_event, token_for, login):
    eid = make_event("volunteer_service", status="cancelled")
    member = login(world.phones.a1)
    resp = member.post("/api/v1/scans", json={"token": token_for(eid), "client_scan_id": str(uuid.uuid4())},
                       headers={"Accept-Language": "en-US,en;q=0.9"})
    assert resp.get_json()["error"]["message"] == "This event was cancelled"
    resp = member.post("/api/v1/scans?lang=en", json={"token": "x", "client_scan_id": str(uuid.uuid4())})
    assert resp.get_json()["error"]["message"].startswith("This QR code is not valid")


def test_scan_requires_sign_in(anon, make_event, token_for):
    eid = make_event("volunteer_service")
    resp = anon.post("/api/v1/scans", json={"token": token_for(eid), "client_scan_id": str(uuid.uuid4())})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_a_check_out_minutes_after_the_check_in_is_asked_first(world, make_event, token_for, scan, app, q):
    """A member who scans the check-out code right after checking in is asked before it counts (newcomer
    issue, item 2); confirming sends it; after the threshold no question is asked."""
    eid = make_event("volunteer_service")
    app.config["EARLY_CHECKOUT_MINUTES"] = 10
    try:
        assert scan(world.phones.a1, token_for(eid)).status_code == 201
        asked = scan(world.phones.a1, token_for(eid, "out"))
        assert asked.status_code == 409 and asked.get_json()["error"]["code"] == "confirm_checkout"
        assert asked.get_json()["error"]["message"] == "您 0 分钟前刚签到，现在签退吗？"
        assert q("select state from attendance where event_id = :e", e=eid) == [("checked_in",)]
        done = scan(world.phones.a1, token_for(eid, "out"), confirm_checkout=True)
        assert done.status_code == 200 and done.get_json()["outcome"] == "checked_out"
        app.config["EARLY_CHECKOUT_MINUTES"] = 0  # past the threshold: no question
        assert scan(world.phones.a2, token_for(eid)).status_code == 201
        assert scan(world.phones.a2, token_for(eid, "out")).get_json()["outcome"] == "checked_out"
    finally:
        app.config["EARLY_CHECKOUT_MINUTES"] = 0
