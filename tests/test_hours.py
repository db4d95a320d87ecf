"""The hours state machine through the API: confirm, adjust, reject, set by hand, bulk confirm, disputes,
publication and lock, and every refusal; `no_checkout` when the check-in window closes."""
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from server.attendance import core
from server.auth.models import RoleGrant
from server.common.timeutil import utcnow
from server.events.models import Event
from server.extensions import db
from server.hours import closing
from server.hours.models import HoursReview

PAST = {"start_in": timedelta(hours=-3), "hours": 2, "opens_before": timedelta(hours=4),
        "closes_after": timedelta(hours=2)}  # the window is still open: check-out possible
ENDED = {"start_in": timedelta(hours=-6), "hours": 2}  # the window closed 3.5 hours ago


def served(ctx, event_id, user_id, minutes=None):
    """Check a member in at the start and out at the end (or after `minutes`); returns the attendance id."""
    with ctx():
        event = db.session.get(Event, event_id)
        att, _ = core.check_in(event, user_id, event.starts_at, "qr")
        end = event.ends_at if minutes is None else event.starts_at + timedelta(minutes=minutes)
        core.check_out(event, att, end, "qr")
        db.session.commit()
        return att.id


def checked_in_only(ctx, event_id, user_id):
    with ctx():
        event = db.session.get(Event, event_id)
        att, _ = core.check_in(event, user_id, event.starts_at, "qr")
        db.session.commit()
        return att.id


def state_of(q, att_id):
    return q("select state, hours_confirmed from attendance where id = :i", i=att_id)[0]


def ledger(q, att_id):
    return [tuple(r) for r in q("select rule_code, amount, entry_type from points_ledger where attendance_id = :i "
                                "order by id", i=att_id)]


def audits(q, att_id, prefix="hours."):
    return q("select action, actor_id, before, after, reason from audit_log where object_type = 'attendance' "
             "and object_id = :i and action like :p order by id", i=att_id, p=prefix + "%")


def as_dict(value):
    """JSON columns read through raw SQL: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def post(client, path, **body):
    return client.post(f"/api/v1/hours/{path}", json=body)


def error(resp):
    return resp.get_json()["error"]["code"]


@pytest.fixture
def duty(make_event):
    return make_event("community_duty", **PAST)  # host: c1, needs confirmation


def test_liaison_confirms_pending_pays_once_and_audits(world, duty, ctx, q, login):
    att = served(ctx, duty, world.ids.a1)
    assert state_of(q, att) == ("pending", None)
    liaison = login(world.phones.liaison1)
    resp = post(liaison, f"{att}/confirm", evaluation="excellent", reason="按时到岗")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["points_paid"] == 20 and body["item"]["state"] == "confirmed"
    assert body["item"]["hours_confirmed"] == 2.0 and body["item"]["evaluation"] == "excellent"
    assert body["item"]["confirmed_by_name"] == "一联络员" and body["item"]["locked"] is False
    assert state_of(q, att) == ("confirmed", 2.0)
    assert ledger(q, att) == [("community_duty.hours", 20, "pay")]
    [(action, actor, before, after, reason)] = audits(q, att)
    assert (action, actor, reason) == ("hours.confirm", world.ids.liaison1, "按时到岗")
    assert as_dict(before)["state"] == "pending" and as_dict(after)["state"] == "confirmed"
    assert as_dict(after)["points_paid"] == 20
    again = post(liaison, f"{att}/confirm")
    assert again.status_code == 409 and error(again) == "hours_state"
    assert ledger(q, att) == [("community_duty.hours", 20, "pay")]


def test_refusals_other_community_plain_member_and_own_hours(world, duty, ctx, q, login, make_event):
    att = served(ctx, duty, world.ids.a1)
    resp = post(login(world.phones.liaison2), f"{att}/confirm")
    assert resp.status_code == 403 and error(resp) == "forbidden"
    resp = post(login(world.phones.a2), f"{att}/confirm")
    assert resp.status_code == 403 and error(resp) == "forbidden"
    resp = post(login(world.phones.org_a), f"{att}/confirm")  # organizers do not review community duty
    assert resp.status_code == 403
    # a member who is also a liaison of c1 may not confirm their own hours, nor may an admin
    with ctx():
        db.session.add(RoleGrant(user_id=world.ids.a1, role="liaison", community_id=world.c1_id))
        db.session.commit()
    for phone in (world.phones.a1,):
        resp = post(login(phone), f"{att}/confirm")
        assert resp.status_code == 403 and error(resp) == "hours_own"
        resp = post(login(phone), f"{att}/adjust", hours=1, reason="x")
        assert resp.status_code == 403 and error(resp) == "hours_own"
    admin_att = served(ctx, make_event("community_duty", **PAST), world.ids.admin)
    resp = post(login(world.phones.admin), f"{admin_att}/confirm")
    assert resp.status_code == 403 and error(resp) == "hours_own"
    assert state_of(q, att) == ("pending", None) and ledger(q, att) == []
    assert q("select count(*) from audit_log where action like 'hours.%'")[0][0] == 0


def test_adjust_refusals_above_scheduled_missing_reason_not_positive(world, duty, ctx, q, login):
    att = served(ctx, duty, world.ids.a1)
    liaison = login(world.phones.liaison1)
    resp = post(liaison, f"{att}/adjust", hours=2.5, reason="多算了")
    assert resp.status_code == 422 and error(resp) == "hours_above_scheduled"
    assert resp.get_json()["error"]["details"]["max_hours"] == 2.0
    resp = post(liaison, f"{att}/adjust", hours=1.5)
    assert resp.status_code == 422 and error(resp) == "validation_error"
    resp = post(liaison, f"{att}/adjust", hours=1.5, reason="   ")
    assert resp.status_code == 422
    resp = post(liaison, f"{att}/adjust", hours=0, reason="没来")
    assert resp.status_code == 422
    resp = post(liaison, f"{att}/adjust", hours=1e-300, reason="几乎为零")  # would be stored as 0.0
    assert resp.status_code == 422 and resp.get_json()["error"]["details"]["codes"]["hours"] == "hours_positive"
    assert state_of(q, att) == ("pending", None)
    ok = post(liaison, f"{att}/adjust", hours=2.0, reason="恰好满")
    assert ok.status_code == 200 and ok.get_json()["item"]["hours_confirmed"] == 2.0


def test_adjust_after_payment_reverses_and_pays_again_under_new_code(world, duty, ctx, q, login):
    att = served(ctx, duty, world.ids.a1)
    liaison = login(world.phones.liaison1)
    assert post(liaison, f"{att}/confirm").status_code == 200
    resp = post(liaison, f"{att}/adjust", hours=1.5, reason="提前离开半小时")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["points_paid"] == 15 and resp.get_json()["points_reversed"] == -20
    resp = post(liaison, f"{att}/adjust", hours=1.0, reason="再次核实")
    assert resp.status_code == 200
    assert ledger(q, att) == [("community_duty.hours", 20, "pay"), ("community_duty.hours", -20, "reverse"),
                              ("community_duty.hours.2", 15, "pay"), ("community_duty.hours.2", -15, "reverse"),
                              ("community_duty.hours.3", 10, "pay")]
    assert q("select sum(amount) from points_ledger where user_id = :u", u=world.ids.a1)[0][0] == 10
    assert state_of(q, att) == ("confirmed", 1.0)
    actions = [r[0] for r in audits(q, att)]
    assert actions == ["hours.confirm", "hours.adjust", "hours.adjust"]
    assert [r[4] for r in audits(q, att)][1:] == ["提前离开半小时", "再次核实"]


def test_reject_then_adjust(world, duty, ctx, q, login):
    att = served(ctx, duty, world.ids.a1)
    liaison = login(world.phones.liaison1)
    resp = post(liaison, f"{att}/reject")
    assert resp.status_code == 422
    resp = post(liaison, f"{att}/reject", reason="未在岗")
    assert resp.status_code == 200 and resp.get_json()["item"]["state"] == "rejected"
    assert state_of(q, att) == ("rejected", None) and ledger(q, att) == []
    resp = post(liaison, f"{att}/confirm")
    assert resp.status_code == 409 and error(resp) == "hours_state"
    assert resp.get_json()["error"]["details"]["state"] == "rejected"
    resp = post(liaison, f"{att}/set", hours=1, reason="x")
    assert resp.status_code == 409 and error(resp) == "hours_state"
    resp = post(liaison, f"{att}/adjust", hours=1.0, reason="核实后在岗一小时")
    assert resp.status_code == 200 and state_of(q, att) == ("confirmed", 1.0)
    assert ledger(q, att) == [("community_duty.hours", 10, "pay")]
    resp = post(liaison, f"{att}/reject", reason="重复登记")  # confirmed → rejected reverses
    assert resp.status_code == 200 and resp.get_json()["points_reversed"] == -10
    assert q("select coalesce(sum(amount), 0) from points_ledger where attendance_id = :i", i=att)[0][0] == 0


def test_volunteer_service_needing_confirmation_is_reviewed_by_its_organizers(world, make_event, ctx, q, login):
    vol = make_event("volunteer_service", requires_confirmation=True, **PAST)  # host: branch_a
    atts = [served(ctx, vol, getattr(world.ids, k)) for k in ("a1", "a2", "b1")]
    for phone in (world.phones.org_b, world.phones.liaison1):
        resp = post(login(phone), f"{atts[0]}/confirm")
        assert resp.status_code == 403
    assert post(login(world.phones.org_a), f"{atts[0]}/confirm").status_code == 200
    assert post(login(world.phones.org_general), f"{atts[1]}/confirm").status_code == 200  # the tree above
    assert post(login(world.phones.admin), f"{atts[2]}/confirm").status_code == 200
    assert [state_of(q, a)[0] for a in atts] == ["confirmed"] * 3
    assert ledger(q, atts[0]) == [("volunteer_service.hours", 20, "pay")]


def test_party_day_has_no_hours(world, make_event, ctx, login):
    party = make_event("party_day")
    att = checked_in_only(ctx, party, world.ids.a1)
    resp = post(login(world.phones.org_a), f"{att}/confirm")
    assert resp.status_code == 409 and error(resp) == "hours_no_hours"
    resp = post(login(world.phones.admin), f"{att}/set", hours=1, reason="x")
    assert resp.status_code == 409 and error(resp) == "hours_no_hours"


def test_no_checkout_when_window_closes_then_set_by_hand(world, make_event, ctx, q, login):
    duty = make_event("community_duty", **ENDED)
    party = make_event("party_day", **ENDED)
    still_open = make_event("community_duty", **PAST)
    stuck = checked_in_only(ctx, duty, world.ids.a1)
    done = served(ctx, duty, world.ids.a2)
    party_att = checked_in_only(ctx, party, world.ids.a1)
    open_att = checked_in_only(ctx, still_open, world.ids.a2)
    with ctx():
        result = closing.close_ended_events()
    assert result["closed"] == 2 and result["no_checkout"] == 1
    assert state_of(q, stuck) == ("no_checkout", None)
    assert state_of(q, done)[0] == "pending"  # a check-out came: waits for the liaison
    assert state_of(q, party_att)[0] == "checked_in"  # party days need no check-out
    assert state_of(q, open_att)[0] == "checked_in"  # its window is still open
    statuses = dict(q("select id, status from events"))
    assert statuses[duty] == "closed" and statuses[party] == "closed" and statuses[still_open] == "published"
    [(action, _a, before, after, _r)] = audits(q, stuck, "attendance.no_checkout")
    assert action == "attendance.no_checkout"
    assert q("select count(*) from audit_log where action = 'event.close'")[0][0] == 2
    with ctx():
        assert closing.close_ended_events()["closed"] == 0  # nothing twice
    assert q("select count(*) from audit_log where action = 'attendance.no_checkout'")[0][0] == 1

    liaison = login(world.phones.liaison1)
    queue = liaison.get("/api/v1/hours").get_json()
    assert {i["id"]: i["state"] for i in queue["items"]} == {stuck: "no_checkout", done: "pending"}
    assert queue["counts"] == {"pending": 1, "no_checkout": 1, "disputed": 0}
    resp = post(liaison, f"{stuck}/confirm")
    assert resp.status_code == 409 and error(resp) == "hours_state"
    resp = post(liaison, f"{stuck}/set", hours=2.5, reason="忘记签退")
    assert resp.status_code == 422 and error(resp) == "hours_above_scheduled"
    resp = post(liaison, f"{stuck}/set", hours=1.5)
    assert resp.status_code == 422
    resp = post(liaison, f"{stuck}/set", hours=1.5, reason="忘记签退，现场负责人证明服务到 10 点半")
    assert resp.status_code == 200, resp.get_json()
    assert state_of(q, stuck) == ("confirmed", 1.5)
    assert ledger(q, stuck) == [("community_duty.hours", 15, "pay")]
    [(action, actor, _b, _a, reason)] = audits(q, stuck)
    assert action == "hours.set" and actor == world.ids.liaison1 and reason.startswith("忘记签退")
    resp = post(liaison, f"{stuck}/set", hours=1, reason="again")
    assert resp.status_code == 409 and error(resp) == "hours_state"


def test_no_checkout_can_be_rejected(world, make_event, ctx, q, login):
    duty = make_event("community_duty", **ENDED)
    stuck = checked_in_only(ctx, duty, world.ids.a1)
    with ctx():
        closing.close_ended_events()
    assert post(login(world.phones.liaison1), f"{stuck}/reject", reason="未到岗").status_code == 200
    assert state_of(q, stuck) == ("rejected", None)


def test_bulk_confirm(world, make_event, ctx, q, login):
    duty = make_event("community_duty", **PAST)
    other = make_event("community_duty", host_community_id=world.c2_id, **PAST)
    a1 = served(ctx, duty, world.ids.a1)
    a2 = served(ctx, duty, world.ids.a2, minutes=60)
    a3 = served(ctx, duty, world.ids.a3)
    b1 = served(ctx, other, world.ids.b1)
    liaison = login(world.phones.liaison1)
    assert post(liaison, f"{a3}/reject", reason="未在岗").status_code == 200

    resp = post(liaison, "bulk-confirm", attendance_ids=[a1, a2, b1])
    assert resp.status_code == 403 and resp.get_json()["error"]["details"]["attendance_ids"] == [b1]
    resp = post(liaison, "bulk-confirm", attendance_ids=[a1, 999999])
    assert resp.status_code == 404
    assert [state_of(q, a)[0] for a in (a1, a2)] == ["pending", "pending"]

    resp = post(liaison, "bulk-confirm", attendance_ids=[a1, a2, a3, a1], evaluation="good")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["confirmed"] == [a1, a2] and body["skipped"] == [{"attendance_id": a3, "state": "rejected"}]
    assert body["points_paid"] == 30
    assert state_of(q, a1) == ("confirmed", 2.0) and state_of(q, a2) == ("confirmed", 1.0)
    assert ledger(q, a2) == [("community_duty.hours", 10, "pay")]
    assert q("select count(*) from audit_log where action = 'hours.confirm'")[0][0] == 2
    assert q("select evaluation from hours_reviews where attendance_id = :i", i=a1)[0][0] == "good"
    again = post(liaison, "bulk-confirm", attendance_ids=[a1, a2]).get_json()
    assert again["confirmed"] == [] and again["points_paid"] == 0
    assert q("select count(*) from points_ledger")[0][0] == 2

    with ctx():
        db.session.add(RoleGrant(user_id=world.ids.b1, role="liaison", community_id=world.c2_id))
        db.session.commit()
    resp = post(login(world.phones.b1), "bulk-confirm", attendance_ids=[b1])
    assert resp.status_code == 403 and error(resp) == "hours_own"


def test_dispute_shows_in_queue_and_answer_is_recorded(world, duty, ctx, q, login):
    att = served(ctx, duty, world.ids.a1)
    liaison = login(world.phones.liaison1)
    assert post(liaison, f"{att}/adjust", hours=1.0, reason="迟到一小时").status_code == 200
    member = login(world.phones.a1)
    resp = post(member, f"{att}/disputes", message="我 9 点就到了，有照片")
    assert resp.status_code == 201, resp.get_json()
    dispute = resp.get_json()
    assert dispute["status"] == "open"
    again = post(member, f"{att}/disputes", message="再说一次")
    assert again.status_code == 409 and error(again) == "hours_dispute_open"
    other = post(login(world.phones.a2), f"{att}/disputes", message="不是我的")
    assert other.status_code == 403 and error(other) == "hours_not_yours"

    queue = liaison.get("/api/v1/hours").get_json()  # todo: includes confirmed records with an open dispute
    assert [i["id"] for i in queue["items"]] == [att] and queue["counts"]["disputed"] == 1
    assert queue["items"][0]["dispute"]["message"] == "我 9 点就到了，有照片"
    assert [i["id"] for i in liaison.get("/api/v1/hours?state=disputed").get_json()["items"]] == [att]
    assert liaison.get("/api/v1/hours?state=pending").get_json()["items"] == []

    assert post(login(world.phones.liaison2), f"disputes/{dispute['id']}/answer", answer="x").status_code == 403
    resp = post(liaison, f"disputes/{dispute['id']}/answer", answer="已核实照片，改为 2 小时")
    assert resp.status_code == 200 and resp.get_json()["status"] == "answered"
    assert post(liaison, f"{att}/adjust", hours=2.0, reason="异议核实").status_code == 200
    resp = post(liaison, f"disputes/{dispute['id']}/answer", answer="again")
    assert resp.status_code == 409 and error(resp) == "hours_dispute_not_open"
    assert liaison.get("/api/v1/hours").get_json()["items"] == []

    detail = member.get(f"/api/v1/hours/{att}").get_json()
    assert detail["disputes"][0]["answer"] == "已核实照片，改为 2 小时"
    assert [h["action"] for h in detail["history"]] == ["hours.adjust", "hours.dispute", "hours.dispute.answer",
                                                        "hours.adjust"]
    assert login(world.phones.b1).get(f"/api/v1/hours/{att}").status_code == 403
    mine = member.get("/api/v1/hours/mine").get_json()
    assert mine["items"][0]["hours_confirmed"] == 2.0


def test_publication_then_lock_needs_a_correction(world, duty, ctx, q, login):
    liaison = login(world.phones.liaison1)
    resp = liaison.put("/api/v1/hours/settings", json={"community_id": world.c1_id, "publicity_days": 3,
                                                       "reason": "社区公示制度"})
    assert resp.status_code == 200 and resp.get_json()["publicity_days"] == 3
    assert login(world.phones.liaison2).put("/api/v1/hours/settings", json={
        "community_id": world.c1_id, "publicity_days": 0}).status_code == 403
    att = served(ctx, duty, world.ids.a1)
    body = post(liaison, f"{att}/confirm").get_json()
    assert body["item"]["publicity_days"] == 3 and body["item"]["locked"] is False
    pub = login(world.phones.a2).get(f"/api/v1/hours/publication?community_id={world.c1_id}")
    assert pub.status_code == 200 and [i["attendance_id"] for i in pub.get_json()["items"]] == [att]
    assert login(world.phones.b1).get(f"/api/v1/hours/publication?community_id={world.c1_id}").status_code == 403
    # during publication a change is an ordinary one
    assert post(liaison, f"{att}/adjust", hours=1.5, reason="公示期内更正").status_code == 200

    with ctx():  # publication ends
        review = db.session.get(HoursReview, att)
        review.locks_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    resp = post(liaison, f"{att}/adjust", hours=2.0, reason="补录")
    assert resp.status_code == 409 and error(resp) == "hours_locked"
    resp = post(liaison, f"{att}/reject", reason="补录")
    assert resp.status_code == 409 and error(resp) == "hours_locked"
    resp = post(login(world.phones.a1), f"{att}/disputes", message="太晚了吗")
    assert resp.status_code == 409 and error(resp) == "hours_locked"
    assert state_of(q, att) == ("confirmed", 1.5)
    resp = post(liaison, f"{att}/adjust", hours=2.0, correction=True, reason="上级核查更正")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["correction"] is True and resp.get_json()["item"]["locked"] is True
    assert state_of(q, att) == ("confirmed", 2.0)
    actions = [r[0] for r in audits(q, att)]
    assert actions == ["hours.confirm", "hours.adjust", "hours.correction.adjust"]
    assert q("select corrections from hours_reviews where attendance_id = :i", i=att)[0][0] == 1
    assert q("select count(*) from audit_log where action = 'hours.settings'")[0][0] == 1


def test_queue_scope(world, make_event, ctx, login):
    c1 = make_event("community_duty", **PAST)
    c2 = make_event("community_duty", host_community_id=world.c2_id, **PAST)
    vol = make_event("volunteer_service", requires_confirmation=True, **PAST)
    a = served(ctx, c1, world.ids.a1)
    b = served(ctx, c2, world.ids.b1)
    v = served(ctx, vol, world.ids.a2)
    ids = lambda phone: {i["id"] for i in login(phone).get("/api/v1/hours").get_json()["items"]}  # noqa: E731
    assert ids(world.phones.liaison1) == {a}
    assert ids(world.phones.liaison2) == {b}
    assert ids(world.phones.org_a) == {v}
    assert ids(world.phones.org_b) == set()
    assert ids(world.phones.admin) == {a, b, v}
    resp = login(world.phones.a3).get("/api/v1/hours")
    assert resp.status_code == 403
    assert login(world.phones.liaison1).get(f"/api/v1/hours?q=甲一&event_id={c1}").get_json()["total"] == 1


def test_service_info_for_the_record(world, duty, login):
    liaison = login(world.phones.liaison1)
    resp = liaison.put(f"/api/v1/hours/events/{duty}/service-info",
                       json={"recipient": "社区老人", "content": "接种点秩序维护", "leader_name": "王队长"})
    assert resp.status_code == 200 and resp.get_json()["recipient"] == "社区老人"
    assert liaison.get(f"/api/v1/hours/events/{duty}/service-info").get_json()["leader_name"] == "王队长"
    assert login(world.phones.liaison2).put(f"/api/v1/hours/events/{duty}/service-info",
                                            json={"recipient": "x"}).status_code == 404  # not theirs to see


def test_unknown_attendance(world, login):
    resp = post(login(world.phones.admin), "424242/confirm")
    assert resp.status_code == 404 and error(resp) == "not_found"


def test_racing_reviews_settle_once(world, duty, ctx, q, login):
    """Reviewers confirming and adjusting the same record at once: one wins, the others get 409."""
    att = served(ctx, duty, world.ids.a1)
    clients = [login(world.phones.liaison1), login(world.phones.admin)] * 2
    barrier = threading.Barrier(len(clients))

    def go(i, client):
        barrier.wait()
        if i % 2:
            return post(client, f"{att}/adjust", hours=1.5, reason="并发")
        return post(client, f"{att}/confirm")

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(lambda pair: go(*pair), enumerate(clients)))
    codes = sorted(r.status_code for r in answers)
    assert codes.count(200) >= 1 and set(codes) <= {200, 409}
    assert all(error(r) in ("hours_state", "conflict") for r in answers if r.status_code == 409)
    pays = [r for r in ledger(q, att) if r[2] == "pay"]
    reverses = [r for r in ledger(q, att) if r[2] == "reverse"]
    assert len(pays) - len(reverses) == 1  # exactly one live payment, whatever the interleaving
    assert len(audits(q, att)) == codes.count(200)


def test_volunteer_checkout_paid_then_corrected_by_its_organizer(world, make_event, ctx, q, login):
    vol = make_event("volunteer_service", **PAST)  # no confirmation: the check-out paid at once
    att = served(ctx, vol, world.ids.a3)
    assert state_of(q, att) == ("checked_out", 2.0)
    resp = post(login(world.phones.org_a), f"{att}/adjust", hours=1.0, reason="中途离开一小时")
    assert resp.status_code == 200, resp.get_json()
    assert ledger(q, att) == [("volunteer_service.hours", 20, "pay"), ("volunteer_service.hours", -20, "reverse"),
                              ("volunteer_service.hours.2", 10, "pay")]
    assert state_of(q, att) == ("confirmed", 1.0)
