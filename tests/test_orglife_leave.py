"""Leave (请假) and make-up (补课): asked before the start, decided by the event's managers; approved leave is
the attendance state excused (not absent, no deduction, counted apart, out of the rate's base)."""
from datetime import timedelta

from server.events.models import Event
from server.extensions import db
from server.hours import closing
from tests import support


def shift(ctx, event_id, delta):
    """Move an event in time (its window with it), as if the clock had run on."""
    with ctx():
        event = db.session.get(Event, event_id)
        for name in ("starts_at", "ends_at", "window_opens_at", "window_closes_at"):
            setattr(event, name, getattr(event, name) + delta)
        db.session.commit()


def test_leave_asked_decided_and_counted(world, ctx, make_event, login, q, scan, token_for):
    meeting = make_event("branch_assembly", start_in=timedelta(days=1))
    a1 = login(world.phones.a1)
    asked = a1.post("/api/v1/orglife/leave", json={"event_id": meeting, "reason": "出差在外"})
    assert asked.status_code == 201, asked.get_json()
    leave_id = asked.get_json()["id"]
    again = a1.post("/api/v1/orglife/leave", json={"event_id": meeting, "reason": "再次"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "orglife_leave_exists"
    blank = a1.post("/api/v1/orglife/leave", json={"event_id": meeting, "reason": ""})
    assert blank.status_code == 422
    assert [r["id"] for r in a1.get("/api/v1/orglife/leave").get_json()] == [leave_id]
    assert login(world.phones.a2).get("/api/v1/orglife/leave").get_json() == []  # only one's own
    decline_me = login(world.phones.a4).post("/api/v1/orglife/leave", json={"event_id": meeting, "reason": "家事"})

    assert login(world.phones.org_b).post(f"/api/v1/orglife/leave/{leave_id}/approve", json={}).status_code == 404
    assert login(world.phones.a2).post(f"/api/v1/orglife/leave/{leave_id}/approve", json={}).status_code == 403
    org = login(world.phones.org_a)
    listing = org.get(f"/api/v1/orglife/events/{meeting}/leave").get_json()
    assert {r["member_name"] for r in listing} == {"甲一", "甲四"}
    ok = org.post(f"/api/v1/orglife/leave/{leave_id}/approve", json={"note": "同意"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"
    twice = org.post(f"/api/v1/orglife/leave/{leave_id}/decline", json={})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "orglife_leave_decided"
    no = org.post(f"/api/v1/orglife/leave/{decline_me.get_json()['id']}/decline", json={"note": "请按时参加"})
    assert no.get_json()["status"] == "declined"
    assert q("select user_id, state, checkin_at from attendance where event_id = :e", e=meeting) == [
        (world.ids.a1, "excused", None)]
    actions = [r[0] for r in q("select action from audit_log where action like 'orglife.leave%' "
                               "or action = 'attendance.excuse' order by id")]
    assert actions == ["orglife.leave.ask", "orglife.leave.ask", "attendance.excuse", "orglife.leave.approved",
                       "orglife.leave.declined"]

    shift(ctx, meeting, -timedelta(days=1, minutes=10))  # the meeting is on now
    late = login(world.phones.a2).post("/api/v1/orglife/leave", json={"event_id": meeting, "reason": "堵车"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "orglife_leave_too_late"
    assert "开始" in late.get_json()["error"]["message"]
    assert q("select count(*) from leave_requests")[0][0] == 2  # nothing stored
    refused = scan(world.phones.a1, token_for(meeting))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "on_leave"
    assert scan(world.phones.a3, token_for(meeting)).status_code == 201
    summary = org.get(f"/api/v1/events/{meeting}/attendance").get_json()["summary"]
    assert {k: summary[k] for k in ("expected", "checked_in", "excused", "absent", "rate_base", "attendance_rate")} \
        == {"expected": 5, "checked_in": 1, "excused": 1, "absent": 3, "rate_base": 4, "attendance_rate": 0.25}

    shift(ctx, meeting, -timedelta(hours=4))  # ended: closing deducts the absent, never the excused
    with ctx():
        closing.close_ended_events()
    absent = {r[0] for r in q("select user_id from absence_deductions where event_id = :e", e=meeting)}
    assert absent == {world.ids.org_a, world.ids.a2, world.ids.a4}
    month = support.instant(ok.get_json()["created_at"]).strftime("%Y-%m")
    report = org.get(f"/api/v1/reports/participation?org_id={world.branch_a_id}&month={month}").get_json()
    row = report["party_days"][0]
    assert (row["expected"], row["attended"], row["excused"], row["absent"], row["attendance_rate"]) == \
        (5, 1, 1, 3, 0.25)
    assert world.ids.a1 not in {a["member_id"] for a in report["absentees"]}


def test_make_up_recorded_by_the_absent_and_confirmed(world, ctx, make_event, login, q):
    meeting = make_event("party_lecture", start_in=timedelta(hours=-5), hours=2)
    with ctx():
        from tests import objects
        objects.attendance(meeting, world.ids.a3, "checked_in")
    studied = support.iso(support.utcnow().replace(microsecond=0) - timedelta(hours=1))
    a2 = login(world.phones.a2)
    made = a2.post("/api/v1/orglife/makeups",
                   json={"event_id": meeting, "content": "自学党课讲稿", "studied_at": studied})
    assert made.status_code == 201 and made.get_json()["confirmed"] is False
    there = login(world.phones.a3).post("/api/v1/orglife/makeups",
                                        json={"event_id": meeting, "content": "x", "studied_at": studied})
    assert there.status_code == 409 and there.get_json()["error"]["code"] == "orglife_makeup_was_there"
    early = support.iso(support.utcnow() - timedelta(days=3))
    bad = login(world.phones.a4).post("/api/v1/orglife/makeups",
                                      json={"event_id": meeting, "content": "x", "studied_at": early})
    assert bad.status_code == 422
    coming = make_event("party_lecture", start_in=timedelta(hours=2))
    soon = a2.post("/api/v1/orglife/makeups", json={"event_id": coming, "content": "x", "studied_at": studied})
    assert soon.status_code == 409 and soon.get_json()["error"]["code"] == "orglife_makeup_not_yet"
    assert q("select count(*) from makeups")[0][0] == 1
    mid = made.get_json()["id"]
    assert a2.post(f"/api/v1/orglife/makeups/{mid}/confirm").status_code == 403
    confirmed = login(world.phones.org_a).post(f"/api/v1/orglife/makeups/{mid}/confirm")
    assert confirmed.status_code == 200 and confirmed.get_json()["confirmed"] is True
    assert [m["confirmed"] for m in a2.get("/api/v1/orglife/makeups").get_json()] == [True]
    assert login(world.phones.a3).get("/api/v1/orglife/makeups").get_json() == []
    listed = login(world.phones.org_a).get(f"/api/v1/orglife/events/{meeting}/makeups").get_json()
    assert [(m["member_name"], m["confirmed"]) for m in listed] == [("甲二", True)]
    assert q("select count(*) from audit_log where action like 'orglife.makeup.%'")[0][0] == 2


def test_leave_approved_after_closing_reverses_the_deduction(world, ctx, make_event, login, q):
    meeting = make_event("party_day", start_in=timedelta(days=1))
    leave_id = login(world.phones.a2).post("/api/v1/orglife/leave",
                                           json={"event_id": meeting, "reason": "病假"}).get_json()["id"]
    shift(ctx, meeting, -timedelta(days=2))
    with ctx():
        closing.close_ended_events()
    assert q("select sum(amount) from points_ledger where user_id = :u", u=world.ids.a2)[0][0] == -2
    ok = login(world.phones.org_a).post(f"/api/v1/orglife/leave/{leave_id}/approve", json={"note": "补批"})
    assert ok.status_code == 200
    assert q("select sum(amount) from points_ledger where user_id = :u", u=world.ids.a2)[0][0] == 0
    assert q("select excused from absence_deductions where user_id = :u", u=world.ids.a2)[0][0] in (True, 1)


def test_approved_leave_is_withdrawn_when_the_member_comes_after_all(world, ctx, make_event, login, q, scan,
                                                                      token_for):
    """on_leave tells the member to ask the secretary; withdrawing the leave lets them check in (audited)."""
    meeting = make_event("branch_assembly", start_in=timedelta(days=1))
    a1 = login(world.phones.a1)
    leave_id = a1.post("/api/v1/orglife/leave", json={"event_id": meeting, "reason": "出差"}).get_json()["id"]
    org = login(world.phones.org_a)
    assert org.post(f"/api/v1/orglife/leave/{leave_id}/approve", json={}).status_code == 200
    shift(ctx, meeting, -timedelta(days=1, minutes=10))
    assert scan(a1, token_for(meeting)).get_json()["error"]["code"] == "on_leave"
    assert login(world.phones.a2).post(f"/api/v1/orglife/leave/{leave_id}/withdraw",
                                       json={"reason": "到场"}).status_code == 403
    assert org.post(f"/api/v1/orglife/leave/{leave_id}/withdraw", json={"reason": ""}).status_code == 422
    done = org.post(f"/api/v1/orglife/leave/{leave_id}/withdraw", json={"reason": "出差取消，本人到场"})
    assert done.status_code == 200 and done.get_json()["status"] == "withdrawn"
    again = org.post(f"/api/v1/orglife/leave/{leave_id}/withdraw", json={"reason": "再次"})
    assert again.status_code == 409
    assert scan(a1, token_for(meeting)).status_code == 201
    assert q("select state from attendance where event_id = :e", e=meeting) == [("checked_in",)]
    actions = [r[0] for r in q("select action from audit_log where action in ('attendance.unexcuse', "
                               "'orglife.leave.withdrawn') order by id")]
    assert actions == ["attendance.unexcuse", "orglife.leave.withdrawn"]


def test_the_secretarys_inbox_holds_undecided_leave_of_the_events_they_manage(world, make_event, login):
    mine = make_event("branch_assembly", start_in=timedelta(days=2), title="支部党员大会")
    soon = make_event("party_lecture", start_in=timedelta(days=1), title="党课")
    for phone, event in ((world.phones.a1, mine), (world.phones.a2, soon)):
        assert login(phone).post("/api/v1/orglife/leave", json={"event_id": event, "reason": "出差"}).status_code == 201
    org = login(world.phones.org_a)
    inbox = org.get("/api/v1/orglife/inbox").get_json()
    assert [(r["member_name"], r["event_title"]) for r in inbox["leave"]] == [("甲二", "党课"),
                                                                              ("甲一", "支部党员大会")]
    assert inbox["makeups"] == []
    org.post(f"/api/v1/orglife/leave/{inbox['leave'][0]['id']}/approve", json={})
    assert [r["member_name"] for r in org.get("/api/v1/orglife/inbox").get_json()["leave"]] == ["甲一"]
    assert login(world.phones.org_b).get("/api/v1/orglife/inbox").get_json() == {"leave": [], "makeups": []}
    assert login(world.phones.a1).get("/api/v1/orglife/inbox").get_json()["leave"] == []


def test_an_event_id_beyond_the_databases_integers_is_an_invalid_field(world, login, q):
    """Found by the fuzzer on PostgreSQL: an id past int4 reached the database and answered 500."""
    a1 = login(world.phones.a1)
    for path, body in (("/api/v1/orglife/leave", {"reason": "出差"}),
                       ("/api/v1/orglife/makeups", {"content": "自学", "studied_at": "2026-01-05T19:00:00+08:00"})):
        for bad in (-23874411265, 0, 2**31):
            resp = a1.post(path, json={**body, "event_id": bad})
            assert resp.status_code == 422, (path, bad, resp.get_json())
            assert "event_id" in resp.get_json()["error"]["details"]["fields"]["json"]
    assert q("select count(*) from leave_requests") == [(0,)] and q("select count(*) from makeups") == [(0,)]
