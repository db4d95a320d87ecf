"""Needs with time slots, claiming up to capacity, withdrawing, and claimers checking in by QR."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from server.common.timeutil import utcnow
from tests.live import LiveServer
from tests.support import PASSWORD, iso
from tests.test_community import set_community


def slot_body(start_in: timedelta, hours: float = 2, capacity: int = 2) -> dict:
    start = utcnow().replace(microsecond=0) + start_in
    return {"starts_at": iso(start), "ends_at": iso(start + timedelta(hours=hours)), "capacity": capacity}


def post_duty(liaison, community_id: int, *slots: dict, **fields) -> dict:
    body = {"title": "敬老院助餐", "description": "帮老人打饭", "place_name": "社区食堂", "skills": ["沟通"],
            "slots": list(slots) or [slot_body(timedelta(days=1))], **fields}
    resp = liaison.post(f"/api/v1/communities/{community_id}/duties", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def claim(client, slot_id: int):
    return client.post(f"/api/v1/duty-slots/{slot_id}/claim")


def test_posting_a_need_creates_claimers_events(world, login, q):
    liaison = login(world.phones.liaison1)
    duty = post_duty(liaison, world.c1_id, slot_body(timedelta(days=1)), slot_body(timedelta(days=2), capacity=5))
    assert duty["title"] == "敬老院助餐" and duty["skills"] == ["沟通"] and len(duty["slots"]) == 2
    assert [(s["capacity"], s["claimed"], s["remaining"]) for s in duty["slots"]] == [(2, 0, 2), (5, 0, 5)]
    events = q("select kind, audience, host_community_id, requires_confirmation, title, place_name from events")
    assert events == [("community_duty", "claimers", world.c1_id, True, "敬老院助餐", "社区食堂")] * 2
    assert duty["slots"][0]["starts_at"].endswith("+08:00")
    over = liaison.post(f"/api/v1/communities/{world.c1_id}/duties", json={
        "title": "x", "slots": [slot_body(timedelta(hours=-5), hours=1)]})
    assert over.status_code == 422 and "slots" in over.get_json()["error"]["details"]["fields"]["json"]
    no_slots = liaison.post(f"/api/v1/communities/{world.c1_id}/duties", json={"title": "x", "slots": []})
    assert no_slots.status_code == 422


def test_claiming_up_to_capacity_then_full(world, login, ctx, q):
    set_community(ctx, world.ids.a3, world.c1_id)
    duty = post_duty(login(world.phones.liaison1), world.c1_id, slot_body(timedelta(days=1), capacity=2))
    slot = duty["slots"][0]["id"]
    a1, a2, a3 = login(world.phones.a1), login(world.phones.a2), login(world.phones.a3)
    first = claim(a1, slot)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["slot"]["claimed_by_me"] is True and first.get_json()["duty"]["title"] == "敬老院助餐"
    assert claim(a1, slot).status_code == 200  # a double tap returns the claim
    assert claim(a2, slot).status_code == 201
    full = claim(a3, slot)
    assert full.status_code == 409
    error = full.get_json()["error"]
    assert error["code"] == "claim_full" and error["message"] == "该时段认领人数已满，请选择其他时段"
    assert error["details"] == {"capacity": 2, "claimed": 2}
    listed = a3.get(f"/api/v1/communities/{world.c1_id}/duties").get_json()[0]["slots"][0]
    assert (listed["claimed"], listed["remaining"]) == (2, 0)
    assert (listed["can_claim"], listed["claimed_by_me"]) == (False, False)
    assert q("select count(*) from duty_claims where status = 'active'")[0][0] == 2


def test_only_registered_members_claim_and_see_needs(world, login):
    duty = post_duty(login(world.phones.liaison1), world.c1_id)
    slot = duty["slots"][0]["id"]
    for phone in (world.phones.a3, world.phones.b1):  # unregistered; registered elsewhere
        client = login(phone)
        refused = claim(client, slot)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "claim_not_registered"
        assert client.get(f"/api/v1/communities/{world.c1_id}/duties").status_code == 403
        assert client.get(f"/api/v1/duties/{duty['id']}").status_code == 403
    assert claim(login(world.phones.a1), 9999).status_code == 404


def test_withdraw_before_start_frees_the_place(world, login, ctx, q):
    set_community(ctx, world.ids.a3, world.c1_id)
    slot = post_duty(login(world.phones.liaison1), world.c1_id, slot_body(timedelta(days=1), capacity=1))["slots"][0]
    a1, a3 = login(world.phones.a1), login(world.phones.a3)
    assert claim(a1, slot["id"]).status_code == 201
    assert claim(a3, slot["id"]).get_json()["error"]["code"] == "claim_full"
    withdrawn = a1.post(f"/api/v1/duty-slots/{slot['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    again = a1.post(f"/api/v1/duty-slots/{slot['id']}/withdraw")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "claim_not_claimed"
    assert claim(a3, slot["id"]).status_code == 201
    assert claim(a1, slot["id"]).get_json()["error"]["code"] == "claim_full"
    assert q("select user_id, status from duty_claims order by user_id") == [(world.ids.a1, "withdrawn"),
                                                                             (world.ids.a3, "active")]
    a3.post(f"/api/v1/duty-slots/{slot['id']}/withdraw")
    revived = claim(a1, slot["id"])  # claiming again revives the same row: (slot, member) stays unique
    assert revived.status_code == 201
    assert q("select count(*) from duty_claims where user_id = :u", u=world.ids.a1)[0][0] == 1


def test_withdraw_after_slot_start_refused(world, login):
    liaison = login(world.phones.liaison1)
    slot = post_duty(liaison, world.c1_id, slot_body(timedelta(minutes=-10)))["slots"][0]
    a1 = login(world.phones.a1)
    assert claim(a1, slot["id"]).status_code == 201  # a walk-in may still claim a running slot
    late = a1.post(f"/api/v1/duty-slots/{slot['id']}/withdraw")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "claim_withdraw_too_late"
    mine = a1.get("/api/v1/duty-claims/mine").get_json()
    assert [c["slot"]["id"] for c in mine] == [slot["id"]] and mine[0]["slot"]["can_withdraw"] is False


def test_claimers_eligible_for_the_duty_event_others_refused(world, login, token_for, scan, ctx, q):
    liaison = login(world.phones.liaison1)
    duty = post_duty(liaison, world.c1_id, slot_body(timedelta(minutes=-10), capacity=3),
                     slot_body(timedelta(minutes=20), capacity=3))
    running, soon = duty["slots"]
    a1, a2 = login(world.phones.a1), login(world.phones.a2)
    assert claim(a1, running["id"]).status_code == 201
    # a2 is registered with the community but holds no claim on this slot
    refused = scan(a2, token_for(running["event_id"]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_eligible"
    checked_in = scan(a1, token_for(running["event_id"]))
    assert checked_in.status_code == 201 and checked_in.get_json()["outcome"] == "checked_in"
    out = scan(a1, token_for(running["event_id"], "out"))
    assert out.status_code == 200 and out.get_json()["attendance"]["state"] == "pending"
    # a claim on another slot of the same duty does not admit to this one; a withdrawn claim admits to none
    assert claim(a2, soon["id"]).status_code == 201
    assert scan(a2, token_for(running["event_id"])).get_json()["error"]["code"] == "not_eligible"
    assert a2.post(f"/api/v1/duty-slots/{soon['id']}/withdraw").status_code == 200
    assert scan(a2, token_for(soon["event_id"])).get_json()["error"]["code"] == "not_eligible"
    # once checked in (the window opens before the start), the claim can no longer be withdrawn
    assert claim(a2, soon["id"]).status_code == 201
    assert scan(a2, token_for(soon["event_id"])).status_code == 201
    late = a2.post(f"/api/v1/duty-slots/{soon['id']}/withdraw")
    assert late.status_code == 409 and late.get_json()["error"]["details"] == {"reason": "checked_in"}
    # the liaison sees the claims with attendance
    claims = liaison.get(f"/api/v1/duty-slots/{running['id']}/claims").get_json()
    assert [(c["member"]["name"], c["attendance"]["state"]) for c in claims["claims"]] == [("甲一", "pending")]
    mine = a1.get("/api/v1/duty-claims/mine").get_json()
    assert mine[0]["attendance"]["state"] == "pending" and mine[0]["attendance"]["hours_claimed"] is not None
    assert q("select count(*) from attendance")[0][0] == 2


def test_liaison_of_another_community_refused_for_needs(world, login):
    duty = post_duty(login(world.phones.liaison1), world.c1_id)
    liaison2 = login(world.phones.liaison2)
    slot = duty["slots"][0]["id"]
    assert liaison2.post(f"/api/v1/communities/{world.c1_id}/duties", json={
        "title": "x", "slots": [slot_body(timedelta(days=1))]}).status_code == 403
    assert liaison2.patch(f"/api/v1/duties/{duty['id']}", json={"title": "y"}).status_code == 403
    assert liaison2.get(f"/api/v1/duty-slots/{slot}/claims").status_code == 403
    assert liaison2.post(f"/api/v1/duty-slots/{slot}/cancel").status_code == 403
    assert liaison2.post(f"/api/v1/duties/{duty['id']}/slots", json=slot_body(timedelta(days=3))).status_code == 403
    assert login(world.phones.a1).patch(f"/api/v1/duties/{duty['id']}", json={"title": "y"}).status_code == 403
    assert login(world.phones.admin).patch(f"/api/v1/duties/{duty['id']}", json={"title": "y"}).status_code == 200


def test_editing_needs_and_slots(world, login, q, ctx):
    liaison = login(world.phones.liaison1)
    duty = post_duty(liaison, world.c1_id, slot_body(timedelta(days=1), capacity=2),
                     slot_body(timedelta(minutes=-5), capacity=2))
    running, future = duty["slots"]  # slots come soonest first
    edited = liaison.patch(f"/api/v1/duties/{duty['id']}", json={"title": "助餐服务", "place_name": "二楼食堂"})
    assert edited.status_code == 200 and edited.get_json()["title"] == "助餐服务"
    assert set(q("select title, place_name from events")) == {("助餐服务", "二楼食堂")}
    a1, a2 = login(world.phones.a1), login(world.phones.a2)
    claim(a1, future["id"])
    claim(a2, future["id"])
    below = liaison.patch(f"/api/v1/duty-slots/{future['id']}", json={"capacity": 1})
    assert below.status_code == 409 and below.get_json()["error"]["code"] == "claim_capacity_below_claims"
    more = liaison.patch(f"/api/v1/duty-slots/{future['id']}", json={"capacity": 4})
    assert more.status_code == 200 and more.get_json()["remaining"] == 2
    moved = slot_body(timedelta(days=2), hours=3)
    changed = liaison.patch(f"/api/v1/duty-slots/{future['id']}", json={k: moved[k] for k in ("starts_at", "ends_at")})
    assert changed.status_code == 200
    from server.events.models import Event
    from server.extensions import db
    with ctx():
        event = db.session.get(Event, future["event_id"])
        assert event.starts_at - event.window_opens_at == timedelta(minutes=30)
        assert event.window_closes_at - event.ends_at == timedelta(minutes=30)
        assert event.ends_at - event.starts_at == timedelta(hours=3)
        assert iso(event.starts_at) == moved["starts_at"]
    started = liaison.patch(f"/api/v1/duty-slots/{running['id']}", json={"starts_at": moved["starts_at"]})
    assert started.status_code == 409 and started.get_json()["error"]["code"] == "duty_slot_started"
    cancelled = liaison.post(f"/api/v1/duty-slots/{future['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert q("select status from events where id = :e", e=future["event_id"]) == [("cancelled",)]
    refused = claim(a1, future["id"])
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "claim_slot_cancelled"
    closed = liaison.patch(f"/api/v1/duties/{duty['id']}", json={"status": "closed"})
    assert closed.status_code == 200
    assert claim(a1, running["id"]).get_json()["error"]["code"] == "duty_not_open"
    assert a1.get(f"/api/v1/communities/{world.c1_id}/duties").get_json() == []
    everything = a1.get(f"/api/v1/communities/{world.c1_id}/duties?include_past=true").get_json()
    assert [d["id"] for d in everything] == [duty["id"]] and len(everything[0]["slots"]) == 2


@pytest.mark.slow
def test_racing_claims_never_exceed_capacity(db_url, app, world, login, ctx, q):
    """Five members race for two places through a real multi-worker server."""
    phones = [world.phones.a1, world.phones.a2, world.phones.a3, world.phones.a4, world.phones.b1]
    for uid in (world.ids.a3, world.ids.a4, world.ids.b1):
        set_community(ctx, uid, world.c1_id)
    slot = post_duty(login(world.phones.liaison1), world.c1_id, slot_body(timedelta(days=1), capacity=2))["slots"][0]
    live = LiveServer(db_url, workers=4)
    try:
        sessions = [live.session(p, PASSWORD) for p in phones]
        url = f"{live.url}/api/v1/duty-slots/{slot['id']}/claim"
        with ThreadPoolExecutor(max_workers=10) as pool:
            responses = list(pool.map(lambda i: sessions[i % 5].post(url, timeout=30), range(10)))
    finally:
        live.stop()
    codes = sorted(r.status_code for r in responses)
    assert codes.count(500) == 0, [r.text for r in responses]
    assert q("select count(*) from duty_claims where slot_id = :s and status = 'active'", s=slot["id"])[0][0] == 2
    assert codes.count(201) == 2 and set(codes) <= {200, 201, 409}  # 200: a winner's second request
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"claim_full"}
