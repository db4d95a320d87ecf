"""Points rules as data: admin edits, changes that never rewrite history, never paying twice, and the
party-day absentee deduction (paid once, excusable)."""
import json
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from server.attendance import core
from server.attendance.models import Attendance
from server.auth.models import User
from server.events.kinds import KINDS
from server.events.models import Event
from server.extensions import db
from server.hours import closing
from server.points import ledger as points
from server.points import rules_admin

PAST = {"start_in": timedelta(hours=-3), "hours": 2, "opens_before": timedelta(hours=4),
        "closes_after": timedelta(hours=2)}
ENDED = {"start_in": timedelta(hours=-6), "hours": 2}


def serve(ctx, event_id, user_id):
    with ctx():
        event = db.session.get(Event, event_id)
        att, _ = core.check_in(event, user_id, event.starts_at, "qr")
        core.check_out(event, att, event.ends_at, "qr")
        db.session.commit()
        return att.id


def check_in(ctx, event_id, user_id, minutes_after_start=0, state=None):
    with ctx():
        event = db.session.get(Event, event_id)
        att, _ = core.check_in(event, user_id, event.starts_at + timedelta(minutes=minutes_after_start), "qr")
        if state == "annulled":  # as an organizer's annulment does: its points reversed
            db.session.get(Attendance, att.id).state = state
            db.session.flush()
            points.reverse_for_attendance(att.id, None, "代签，作废")
        db.session.commit()
        return att.id


def put_rules(client, *rules, reason="年度积分办法调整"):
    return client.put("/api/v1/points/rules", json={"rules": list(rules), "reason": reason})


def balance(q, user_id):
    return q("select coalesce(sum(amount), 0) from points_ledger where user_id = :u", u=user_id)[0][0]


def test_everyone_reads_rules_only_admins_change_them(world, login, q):
    body = login(world.phones.a1).get("/api/v1/points/rules").get_json()
    kinds = {r["kind"]: r for r in body["rules"]}
    assert set(kinds) == set(KINDS)  # a rule per kind, the 三会一课 meetings among them
    assert {"party_day", "volunteer_service", "community_duty", "branch_assembly", "committee_meeting",
            "group_meeting", "party_lecture"} == set(kinds)
    assert kinds["party_day"]["checkin_points"] == 5 and kinds["party_day"]["absence_points"] == -2
    assert "party_day.absence" in body["codes"]
    for phone in (world.phones.org_a, world.phones.liaison1, world.phones.a1):
        resp = put_rules(login(phone), {"kind": "party_day", "checkin_points": 50})
        assert resp.status_code == 403
    admin = login(world.phones.admin)
    for bad in ({"kind": "party_day", "absence_points": 3}, {"kind": "nope", "checkin_points": 1},
                {"kind": "volunteer_service", "per_hour_points": -1},
                {"kind": "volunteer_service", "cap_per_activity": -5}):
        assert put_rules(admin, bad).status_code == 422, bad
    resp = put_rules(admin, {"kind": "party_day", "checkin_points": 6}, {"kind": "party_day", "checkin_points": 7})
    assert resp.status_code == 422
    resp = put_rules(admin, {"kind": "party_day", "checkin_points": 8, "absence_points": -3},
                     {"kind": "community_duty", "cap_per_activity": 30})
    assert resp.status_code == 200, resp.get_json()
    assert sorted(resp.get_json()["changed"]) == ["community_duty", "party_day"]
    rows = q("select before, after, reason, actor_id from audit_log where action = 'points.rule.update' order by id")
    assert len(rows) == 2
    before, after = (json.loads(v) if isinstance(v, str) else v for v in rows[0][:2])
    assert before == {"kind": "party_day", "checkin_points": 5, "absence_points": -2}
    assert after == {"kind": "party_day", "checkin_points": 8, "absence_points": -3}
    before, after = (json.loads(v) if isinstance(v, str) else v for v in rows[1][:2])
    assert before == {"kind": "community_duty", "cap_per_activity": None}
    assert after == {"kind": "community_duty", "cap_per_activity": 30}
    assert rows[0][2] == "年度积分办法调整" and rows[0][3] == world.ids.admin
    same = put_rules(admin, {"kind": "party_day", "checkin_points": 8})
    assert same.get_json()["changed"] == []


def test_rule_change_does_not_rewrite_history(world, make_event, ctx, q, login):
    vol = make_event("volunteer_service", **PAST)  # no confirmation: the check-out pays
    first = serve(ctx, vol, world.ids.a1)
    assert q("select amount from points_ledger where attendance_id = :i", i=first)[0][0] == 20
    admin = login(world.phones.admin)
    assert put_rules(admin, {"kind": "volunteer_service", "per_hour_points": 30}).status_code == 200
    second = serve(ctx, vol, world.ids.a2)
    assert q("select amount from points_ledger where attendance_id = :i", i=first)[0][0] == 20
    assert q("select amount from points_ledger where attendance_id = :i", i=second)[0][0] == 60

    party = make_event("party_day")
    on_time = check_in(ctx, party, world.ids.a1)
    assert put_rules(admin, {"kind": "party_day", "checkin_points": 9}).status_code == 200
    later = check_in(ctx, party, world.ids.a2)
    amounts = dict(q("select attendance_id, amount from points_ledger where rule_code = 'party_day.checkin'"))
    assert amounts == {on_time: 5, later: 9}


def test_adjustment_after_a_rule_change_reverses_the_old_amount_and_pays_the_new_rule(world, make_event, ctx, q,
                                                                                     login):
    duty = make_event("community_duty", **PAST)
    att = serve(ctx, duty, world.ids.a1)
    liaison = login(world.phones.liaison1)
    assert liaison.post(f"/api/v1/hours/{att}/confirm", json={}).get_json()["points_paid"] == 20
    assert put_rules(login(world.phones.admin),
                     {"kind": "community_duty", "per_hour_points": 30, "cap_per_activity": 40}).status_code == 200
    resp = liaison.post(f"/api/v1/hours/{att}/adjust", json={"hours": 1.5, "reason": "核实"})
    assert resp.get_json()["points_reversed"] == -20 and resp.get_json()["points_paid"] == 40  # 45 capped
    rows = [tuple(r) for r in q("select rule_code, amount, entry_type from points_ledger where attendance_id = :i "
                                "order by id", i=att)]
    assert rows == [("community_duty.hours", 20, "pay"), ("community_duty.hours", -20, "reverse"),
                    ("community_duty.hours.2", 40, "pay")]
    assert balance(q, world.ids.a1) == 40


def test_never_pays_twice(world, make_event, ctx, q, login):
    duty = make_event("community_duty", **PAST)
    att = serve(ctx, duty, world.ids.a1)
    liaison = login(world.phones.liaison1)
    assert liaison.post(f"/api/v1/hours/{att}/confirm", json={}).status_code == 200
    assert liaison.post(f"/api/v1/hours/{att}/confirm", json={}).status_code == 409
    assert liaison.post("/api/v1/hours/bulk-confirm", json={"attendance_ids": [att]}).get_json()["points_paid"] == 0
    with ctx():  # the ledger itself refuses a second payment of the same rule for the same attendance
        event = db.session.get(Event, duty)
        row = db.session.get(Attendance, att)
        core.pay_confirmed_hours(event, row, None)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    assert balance(q, world.ids.a1) == 20


def test_absentee_deduction_when_a_party_day_closes(world, make_event, ctx, q, login):
    party = make_event("party_day", **ENDED)  # host branch_a: roster org_a, a1, a2, a3, a4
    present = check_in(ctx, party, world.ids.a1)
    late = check_in(ctx, party, world.ids.a3, minutes_after_start=20)
    annulled = check_in(ctx, party, world.ids.a2, state="annulled")
    outsider = check_in(ctx, party, world.ids.b1)  # not on the roster: never deducted
    with ctx():
        db.session.get(User, world.ids.a4).active = False  # left the branch: not expected
        db.session.commit()
    with ctx():
        result = closing.close_ended_events()
    assert result["absent"] == 2
    deducted = dict(q("select user_id, amount from points_ledger where rule_code = 'party_day.absence'"))
    assert deducted == {world.ids.org_a: -2, world.ids.a2: -2}
    assert q("select count(*) from absence_deductions")[0][0] == 2
    assert q("select count(*) from audit_log where action = 'points.absence'")[0][0] == 2
    assert {present, late, annulled, outsider}  # attendances stay as they were
    # closing again, even after a rule change, pays nothing more
    assert put_rules(login(world.phones.admin), {"kind": "party_day", "absence_points": -5}).status_code == 200
    with ctx():
        assert closing.close_ended_events()["closed"] == 0
        event = db.session.get(Event, party)
        assert rules_admin.deduct_absentees(event) == {"absent": 0, "points": 0}  # the guard table
        db.session.commit()
    assert q("select count(*) from points_ledger where rule_code = 'party_day.absence'")[0][0] == 2
    assert balance(q, world.ids.org_a) == -2

    listing = login(world.phones.org_a).get(f"/api/v1/points/absences?event_id={party}").get_json()["items"]
    assert {i["member_id"] for i in listing} == {world.ids.org_a, world.ids.a2}
    absence = next(i for i in listing if i["member_id"] == world.ids.a2)
    assert login(world.phones.org_b).post(f"/api/v1/points/absences/{absence['id']}/excuse",
                                          json={"reason": "请假"}).status_code == 403
    resp = login(world.phones.org_a).post(f"/api/v1/points/absences/{absence['id']}/excuse",
                                          json={"reason": "事先请假，已批准"})
    assert resp.status_code == 200 and resp.get_json()["points_reversed"] == 2
    assert balance(q, world.ids.a2) == 0
    again = login(world.phones.org_a).post(f"/api/v1/points/absences/{absence['id']}/excuse",
                                           json={"reason": "again"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "points_absence_excused"


def test_general_branch_party_day_expects_the_whole_tree(world, make_event, ctx, q):
    party = make_event("party_day", host_org_id=world.general_id, **ENDED)
    check_in(ctx, party, world.ids.a1)
    with ctx():
        closing.close_ended_events()
    absent = {r[0] for r in q("select user_id from absence_deductions")}
    assert absent == {world.ids.org_a, world.ids.org_b, world.ids.org_general, world.ids.a2, world.ids.a3,
                      world.ids.a4, world.ids.b1}


def test_zero_absence_rule_records_absences_without_entries(world, make_event, ctx, q, login):
    assert put_rules(login(world.phones.admin), {"kind": "party_day", "absence_points": 0}).status_code == 200
    make_event("party_day", **ENDED)
    with ctx():
        closing.close_ended_events()
    assert q("select count(*) from absence_deductions")[0][0] == 5
    assert q("select count(*) from points_ledger")[0][0] == 0


def test_yearly_totals(world, make_event, ctx, login):
    party = make_event("party_day")
    check_in(ctx, party, world.ids.a1)
    serve(ctx, make_event("volunteer_service", **PAST), world.ids.a1)
    body = login(world.phones.a1).get("/api/v1/points/yearly-totals").get_json()
    [year] = body["years"]
    assert year["total"] == 25 and year["by_kind"]["party_day"] == 5 and year["by_kind"]["volunteer_service"] == 20
    assert login(world.phones.org_a).get(f"/api/v1/points/yearly-totals?member_id={world.ids.a1}").status_code == 200
    assert login(world.phones.org_b).get(f"/api/v1/points/yearly-totals?member_id={world.ids.a1}").status_code == 403
    assert login(world.phones.a2).get(f"/api/v1/points/yearly-totals?member_id={world.ids.a1}").status_code == 403
