"""Organizer attendance API: summary, live cursor, roster, manual check-in, annulment, scopes."""
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select, update

from server.attendance import core, manual
from server.attendance.models import Attendance
from server.attendance.schemas import decode_cursor
from server.auth.models import User
from server.common.audit import AuditLog
from server.common.timeutil import utcnow
from server.events.models import Event
from server.extensions import db

REASON = "忘带手机，现场核实"


def attendance_url(eid):
    return f"/api/v1/events/{eid}/attendance"


def check_in(ctx, eid, uid, minutes_after_start=0, method="qr"):
    """Check a member in directly, `minutes_after_start` after the event's start; returns the id."""
    with ctx():
        event = db.session.get(Event, eid)
        att, _paid = core.check_in(event, uid, event.starts_at + timedelta(minutes=minutes_after_start), method)
        db.session.commit()
        return att.id


def audits(ctx, action=None):
    with ctx():
        stmt = select(AuditLog).order_by(AuditLog.id)
        if action:
            stmt = stmt.where(AuditLog.action == action)
        rows = [(r.action, r.actor_id, r.object_id, r.before, r.after, r.reason) for r in db.session.scalars(stmt)]
        db.session.remove()
        return rows


@pytest.fixture
def party(world, make_event, ctx):
    """A branch_a party day (open audience, so b1 can attend too) with a hand-built attendance."""
    eid = make_event("party_day", start_in=timedelta(minutes=-30), late_after_minutes=5, audience="open")
    with ctx():  # an inactive roster member is not expected
        db.session.add(User(name="甲五", phone="13800000105", password_hash="x", branch_id=world.branch_a_id,
                            active=False))
        db.session.commit()
    ids = world.ids
    atts = {"a1": check_in(ctx, eid, ids.a1, -5), "a2": check_in(ctx, eid, ids.a2, 0),
            "a3": check_in(ctx, eid, ids.a3, 20), "b1": check_in(ctx, eid, ids.b1, 1)}
    return eid, atts


def test_party_day_summary_and_items(world, party, login):
    eid, atts = party
    org = login(world.phones.org_a)
    resp = org.post(f"{attendance_url(eid)}/{atts['a2']}/annul", json={"reason": "代签，作废"})
    assert resp.status_code == 200, resp.get_json()
    body = org.get(attendance_url(eid)).get_json()
    # roster: org_a, a1..a4 (a5 inactive); a1, a3 in; a2 annulled; b1 is not on the roster
    assert body["summary"] == {"expected": 5, "checked_in": 3, "checked_out": 0, "late": 1, "absent": 3,
                               "pending": 0, "annulled": 1, "excused": 0, "rate_base": 5, "attendance_rate": 0.4}
    items = {i["user_id"]: i for i in body["items"]}
    assert set(items) == {world.ids.a1, world.ids.a2, world.ids.a3, world.ids.b1}
    a3 = items[world.ids.a3]
    assert a3["late"] is True and a3["member_name"] == "甲三" and a3["member_phone"] == world.phones.a3
    assert a3["branch_name"] == "第一支部" and a3["checkin_at"].endswith("+08:00")
    assert items[world.ids.b1]["branch_name"] == "第二支部" and items[world.ids.a2]["state"] == "annulled"
    found = org.get(attendance_url(eid), query_string={"q": "甲三"}).get_json()
    assert [i["user_id"] for i in found["items"]] == [world.ids.a3] and found["summary"] == body["summary"]
    by_phone = org.get(attendance_url(eid), query_string={"q": world.phones.b1[-4:]}).get_json()
    assert [i["user_id"] for i in by_phone["items"]] == [world.ids.b1]


def test_other_kinds_have_no_expected(world, make_event, ctx, login):
    eid = make_event("community_duty", start_in=timedelta(minutes=-60), hours=2)
    check_in(ctx, eid, world.ids.a2)
    with ctx():
        event, att = db.session.get(Event, eid), db.session.scalar(select(Attendance))
        core.check_out(event, att, event.starts_at + timedelta(minutes=50), "qr")
        db.session.commit()
    body = login(world.phones.liaison1).get(attendance_url(eid)).get_json()
    assert body["summary"] == {"expected": None, "checked_in": 1, "checked_out": 1, "late": 0, "absent": None,
                               "pending": 1, "annulled": 0, "excused": 0, "rate_base": None, "attendance_rate": None}


def test_cursor_returns_changed_rows_with_overlap(world, party, login, ctx):
    eid, atts = party
    with ctx():
        db.session.execute(update(Attendance).values(updated_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    org = login(world.phones.org_a)
    first = org.get(attendance_url(eid)).get_json()
    assert len(first["items"]) == 4
    cursor = first["cursor"]
    assert org.get(attendance_url(eid), query_string={"since": cursor}).get_json()["items"] == []
    # after the cursor: a new manual check-in and an annulment; a3 committed 3 s before the cursor time
    assert org.post(attendance_url(eid), json={"member_id": world.ids.a4, "reason": REASON}).status_code == 201
    assert org.post(f"{attendance_url(eid)}/{atts['a1']}/annul", json={"reason": "重复"}).status_code == 200
    with ctx():
        db.session.execute(update(Attendance).where(Attendance.id == atts["a3"])
                           .values(updated_at=decode_cursor(cursor) - timedelta(seconds=3)))
        db.session.commit()
    later = org.get(attendance_url(eid), query_string={"since": cursor}).get_json()
    changed = {i["user_id"]: i["state"] for i in later["items"]}
    assert changed == {world.ids.a4: "checked_in", world.ids.a1: "annulled", world.ids.a3: "checked_in"}
    assert later["summary"]["checked_in"] == 4 and later["summary"]["annulled"] == 1  # always complete
    assert later["cursor"] != cursor
    bad = org.get(attendance_url(eid), query_string={"since": "not-a-cursor"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"
    assert "since" in bad.get_json()["error"]["details"]["fields"]["query"]


def test_list_is_a_fixed_number_of_queries(world, make_event, ctx, login, app):
    eid = make_event("party_day", audience="open")
    org = login(world.phones.org_a)
    statements = []

    def count(*_args):
        statements.append(1)

    def queries_for_list():
        statements.clear()
        with ctx():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            assert org.get(attendance_url(eid)).status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    check_in(ctx, eid, world.ids.a1)
    few = queries_for_list()
    for name in ("a2", "a3", "a4", "b1", "org_b"):
        check_in(ctx, eid, getattr(world.ids, name))
    assert queries_for_list() == few


def test_roster(world, make_event, ctx, login):
    eid = make_event("party_day")
    att = check_in(ctx, eid, world.ids.a1)
    org = login(world.phones.org_a)
    items = org.get(f"/api/v1/events/{eid}/roster").get_json()["items"]
    assert {i["member_id"] for i in items} == {world.ids.org_a, world.ids.a1, world.ids.a2, world.ids.a3,
                                                world.ids.a4}
    by_id = {i["member_id"]: i for i in items}
    assert by_id[world.ids.a1]["attendance"]["id"] == att and by_id[world.ids.a1]["attendance"]["state"] == "checked_in"
    assert by_id[world.ids.a2]["attendance"] is None and by_id[world.ids.a2]["name"] == "甲二"
    found = org.get(f"/api/v1/events/{eid}/roster", query_string={"q": "甲三"}).get_json()["items"]
    assert [i["member_id"] for i in found] == [world.ids.a3]
    duty = make_event("community_duty")  # the community's registered members
    items = login(world.phones.liaison1).get(f"/api/v1/events/{duty}/roster").get_json()["items"]
    assert {i["member_id"] for i in items} == {world.ids.a1, world.ids.a2}
    open_event = make_event("volunteer_service")
    resp = org.get(f"/api/v1/events/{open_event}/roster")
    assert resp.status_code == 409 and resp.get_json()["error"]["details"]["reason"] == "no_roster"


def test_manual_checkin_by_id_pays_and_audits(world, make_event, login, q, ctx):
    eid = make_event("party_day", start_in=timedelta(minutes=-2))
    org = login(world.phones.org_a)
    resp = org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["outcome"] == "checked_in" and body["points_awarded"] == 5
    att = body["attendance"]
    assert att["checkin_method"] == "manual" and att["member_name"] == "甲一" and att["note"] == REASON
    assert q("select amount, actor_id from points_ledger") == [(5, world.ids.org_a)]
    [(action, actor, obj, before, after, reason)] = audits(ctx)
    assert (action, actor, obj, before, reason) == ("attendance.manual_checkin", world.ids.org_a, att["id"],
                                                    None, REASON)
    assert after["state"] == "checked_in" and after["checkin_method"] == "manual" and after["points_awarded"] == 5


def test_manual_checkin_by_card(world, make_event, login, q):
    from tests.qrdecode import decode_png
    eid = make_event("party_day", start_in=timedelta(minutes=-2))
    png = login(world.phones.a1).get(f"/api/v1/members/{world.ids.a1}/card.png").data
    url = decode_png(png)
    assert url.startswith("https://qd.example.cn/c/")
    org = login(world.phones.org_general)
    resp = org.post(attendance_url(eid), json={"card_token": url.rsplit("/", 1)[1], "reason": "扫会员卡"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["attendance"]["checkin_method"] == "card"
    assert resp.get_json()["attendance"]["user_id"] == world.ids.a1
    again = org.post(attendance_url(eid), json={"card_token": url, "reason": "扫会员卡"})  # the whole URL works too
    assert again.status_code == 409
    details = again.get_json()["error"]["details"]
    assert again.get_json()["error"]["code"] == "already_checked_in"  # the scan's vocabulary
    assert details["attendance"]["id"] == resp.get_json()["attendance"]["id"]
    assert q("select count(*), sum(amount) from points_ledger") == [(1, 5)]


def test_manual_checkout_pays_hours(world, make_event, ctx, login, q):
    eid = make_event("volunteer_service", start_in=timedelta(hours=-3), hours=2, opens_before=timedelta(hours=4),
                     closes_after=timedelta(hours=2))
    check_in(ctx, eid, world.ids.a3)
    org = login(world.phones.org_a)
    resp = org.post(attendance_url(eid), json={"member_id": world.ids.a3, "reason": "手机没电", "direction": "out"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["outcome"] == "checked_out" and body["points_awarded"] == 20
    assert body["attendance"]["hours_claimed"] == 2.0 and body["attendance"]["checkout_method"] == "manual"
    [(action, _actor, _obj, before, after, reason)] = audits(ctx)
    assert action == "attendance.manual_checkout" and reason == "手机没电"
    assert before["state"] == "checked_in" and after["state"] == "checked_out"
    again = org.post(attendance_url(eid), json={"member_id": world.ids.a3, "reason": "x", "direction": "out"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_checked_out"
    never = org.post(attendance_url(eid), json={"member_id": world.ids.a4, "reason": "x", "direction": "out"})
    assert never.status_code == 409 and never.get_json()["error"]["code"] == "not_checked_in"
    party = make_event("party_day")
    check_in(ctx, party, world.ids.a1)
    no_out = org.post(attendance_url(party), json={"member_id": world.ids.a1, "reason": "x", "direction": "out"})
    assert no_out.get_json()["error"]["code"] == "no_checkout_for_event"
    assert q("select sum(amount) from points_ledger where rule_code = 'volunteer_service.hours'") == [(20,)]


@pytest.mark.parametrize("body, field", [
    ({"member_id": 1}, "reason"),
    ({"member_id": 1, "reason": "   "}, "reason"),
    ({"member_id": 1, "reason": None}, "reason"),
    ({"reason": REASON}, "member_id"),
    ({"member_id": 1, "card_token": "abc", "reason": REASON}, "member_id"),
    ({"member_id": 1, "reason": REASON, "direction": "sideways"}, "direction"),
])
def test_manual_checkin_validation(world, make_event, login, q, body, field):
    eid = make_event("party_day")
    resp = login(world.phones.org_a).post(attendance_url(eid), json=body)
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"]["json"]
    assert q("select count(*) from attendance") == [(0,)]


def test_manual_checkin_refusals(world, make_event, login, token_for, q, app):
    from server.common import qrtoken
    eid = make_event("party_day")  # audience: branch_a's subtree
    org = login(world.phones.org_a)
    resp = org.post(attendance_url(eid), json={"member_id": world.ids.b1, "reason": REASON})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "not_eligible"
    resp = org.post(attendance_url(eid), json={"member_id": 999999, "reason": REASON})
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    forged = qrtoken.sign("another-secret", qrtoken.Token(qrtoken.PURPOSE_CARD, world.ids.a1, 1, 0, "in", True))
    for bad in ("garbage", forged, token_for(eid)):
        resp = org.post(attendance_url(eid), json={"card_token": bad, "reason": REASON})
        details = resp.get_json()["error"]["details"]  # the one field-error shape: fields.json.<name>
        assert resp.status_code == 422 and details["codes"]["card_token"] == "card_token_invalid", bad
        assert "card_token" in details["fields"]["json"], bad
    assert org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON}).status_code == 201
    twice = org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_checked_in"
    cancelled = make_event("party_day", status="cancelled")
    resp = org.post(attendance_url(cancelled), json={"member_id": world.ids.a2, "reason": REASON})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "cancelled"
    assert q("select count(*) from attendance") == [(1,)] and q("select count(*) from points_ledger") == [(1,)]
    assert q("select count(*) from audit_log") == [(1,)]


def test_manual_checkin_race_settled_by_unique_key(world, make_event, login, q, monkeypatch):
    eid = make_event("party_day")
    org = login(world.phones.org_a)
    first = org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON}).get_json()
    # as if a racing scan had not committed yet when we looked: the unique key refuses the insert
    monkeypatch.setattr(manual, "existing", _once_none(manual.existing))
    resp = org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON})
    assert resp.status_code == 409
    details = resp.get_json()["error"]["details"]
    assert resp.get_json()["error"]["code"] == "already_checked_in"
    assert details["attendance"]["id"] == first["attendance"]["id"]
    assert q("select count(*) from points_ledger") == [(1,)] and q("select count(*) from audit_log") == [(1,)]


def _once_none(real):
    calls = []

    def existing(event_id, user_id):
        calls.append(1)
        return None if len(calls) == 1 else real(event_id, user_id)
    return existing


def test_annul_reverses_points_and_audits(world, make_event, login, ctx, q):
    eid = make_event("party_day", start_in=timedelta(minutes=-2))
    org = login(world.phones.org_a)
    att = org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON}).get_json()["attendance"]
    member = login(world.phones.a1)
    assert member.get("/api/v1/points/ledger").get_json()["balance"] == 5
    resp = org.post(f"{attendance_url(eid)}/{att['id']}/annul", json={"reason": "本人未到场"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["points_reversed"] == -5 and resp.get_json()["attendance"]["state"] == "annulled"
    ledger = member.get("/api/v1/points/ledger").get_json()
    assert ledger["balance"] == 0
    reverse, pay = ledger["items"]
    assert (pay["entry_type"], pay["amount"]) == ("pay", 5)
    assert (reverse["entry_type"], reverse["amount"], reverse["reverses_id"]) == ("reverse", -5, pay["id"])
    assert q("select amount, entry_type from points_ledger order by id") == [(5, "pay"), (-5, "reverse")]
    again = org.post(f"{attendance_url(eid)}/{att['id']}/annul", json={"reason": "再次"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_annulled"
    [(action, actor, obj, before, after, reason)] = audits(ctx, "attendance.annul")
    assert (actor, obj, reason) == (world.ids.org_a, att["id"], "本人未到场")
    assert before["state"] == "checked_in" and after["state"] == "annulled" and after["points_reversed"] == -5
    recheck = org.post(attendance_url(eid), json={"member_id": world.ids.a1, "reason": REASON})
    assert recheck.status_code == 409 and recheck.get_json()["error"]["code"] == "annulled"
    assert q("select count(*) from points_ledger") == [(2,)]


def test_annul_after_checkout_reverses_hours(world, make_event, ctx, login, q):
    eid = make_event("volunteer_service", start_in=timedelta(hours=-3), hours=2, opens_before=timedelta(hours=4),
                     closes_after=timedelta(hours=2))
    att = check_in(ctx, eid, world.ids.a3)
    org = login(world.phones.org_a)
    org.post(attendance_url(eid), json={"member_id": world.ids.a3, "reason": "手机没电", "direction": "out"})
    resp = org.post(f"{attendance_url(eid)}/{att}/annul", json={"reason": "未实际服务"})
    assert resp.status_code == 200 and resp.get_json()["points_reversed"] == -20
    assert q("select sum(amount) from points_ledger") == [(0,)]


def test_annul_refusals(world, make_event, ctx, login, q):
    eid = make_event("party_day")
    other = make_event("party_day")
    att = check_in(ctx, eid, world.ids.a1)
    org = login(world.phones.org_a)
    missing = org.post(f"{attendance_url(eid)}/{att}/annul", json={})
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["details"]["fields"]["json"]
    assert org.post(f"{attendance_url(eid)}/{att}/annul", json={"reason": " "}).status_code == 422
    assert org.post(f"{attendance_url(other)}/{att}/annul", json={"reason": "x"}).status_code == 404
    assert org.post(f"{attendance_url(999999)}/{att}/annul", json={"reason": "x"}).status_code == 404
    assert q("select state from attendance") == [("checked_in",)] and q("select count(*) from audit_log") == [(0,)]


def _calls(eid, att, world):
    return [("get", attendance_url(eid), None), ("get", f"/api/v1/events/{eid}/roster", None),
            ("post", attendance_url(eid), {"member_id": world.ids.a2, "reason": REASON}),
            ("post", f"{attendance_url(eid)}/{att}/annul", {"reason": REASON})]


@pytest.mark.parametrize("who", ["a1", "org_b", "liaison1", "liaison2", None])
def test_party_day_endpoints_refuse_outsiders(world, make_event, ctx, login, anon, q, who):
    eid = make_event("party_day")
    att = check_in(ctx, eid, world.ids.a1)
    client = login(getattr(world.phones, who)) if who else anon
    for method, url, body in _calls(eid, att, world):
        resp = getattr(client, method)(url, json=body) if body else getattr(client, method)(url)
        # a member of the branch sees the event (403); whoever may not see it gets 404, so it does not leak
        sees = who in ("a2", "a1")
        expected = (403, "forbidden") if sees else (404, "not_found") if who else (401, "unauthorized")
        assert (resp.status_code, resp.get_json()["error"]["code"]) == expected, (who, url, resp.get_json())
    assert q("select state from attendance") == [("checked_in",)] and q("select count(*) from audit_log") == [(0,)]


@pytest.mark.parametrize("who", ["org_a", "org_b", "liaison2"])
def test_community_event_refuses_others(world, make_event, ctx, login, who):
    eid = make_event("community_duty")  # host: c1
    att = check_in(ctx, eid, world.ids.a1)
    client = login(getattr(world.phones, who))
    for method, url, body in _calls(eid, att, world):
        resp = getattr(client, method)(url, json=body) if body else getattr(client, method)(url)
        assert resp.status_code == 404, (who, url)  # none of them may see another community's duty


@pytest.mark.parametrize("who", ["admin", "org_a", "org_general"])
def test_managers_allowed(world, make_event, ctx, login, who):
    eid = make_event("party_day")
    att = check_in(ctx, eid, world.ids.a1)
    client = login(getattr(world.phones, who))
    expected = [200, 200, 201, 200]
    for (method, url, body), status in zip(_calls(eid, att, world), expected, strict=True):
        resp = getattr(client, method)(url, json=body) if body else getattr(client, method)(url)
        assert resp.status_code == status, (who, url, resp.get_json())


def test_liaison_manages_community_event(world, make_event, ctx, login):
    eid = make_event("community_duty")
    att = check_in(ctx, eid, world.ids.a1)
    client = login(world.phones.liaison1)
    for (method, url, body), status in zip(_calls(eid, att, world), [200, 200, 201, 200], strict=True):
        resp = getattr(client, method)(url, json=body) if body else getattr(client, method)(url)
        assert resp.status_code == status, (url, resp.get_json())


def test_unknown_event(world, login):
    org = login(world.phones.admin)
    assert org.get(attendance_url(999999)).status_code == 404
    resp = org.post(attendance_url(999999), json={"member_id": world.ids.a1, "reason": REASON})
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"



def test_an_annulment_is_undone_through_the_lifecycle(world, make_event, token_for, scan, login, q, ctx):
    """Restore: the state before the annulment and its points again, audited; only an annulled record."""
    from server.extensions import db
    eid = make_event("party_day", start_in=timedelta(minutes=-2), hours=3)
    member = login(world.phones.a1)
    assert scan(member, token_for(eid)).status_code == 201
    att_id = q("select id from attendance")[0][0]
    paid = q("select sum(amount) from points_ledger")[0][0]
    org = login(world.phones.org_a)
    not_yet = org.post(f"/api/v1/events/{eid}/attendance/{att_id}/restore", json={"reason": "误操作"})
    assert not_yet.status_code == 409 and not_yet.get_json()["error"]["code"] == "not_annulled"
    assert org.post(f"/api/v1/events/{eid}/attendance/{att_id}/annul", json={"reason": "代签"}).status_code == 200
    assert q("select sum(amount) from points_ledger")[0][0] == 0
    assert org.post(f"/api/v1/events/{eid}/attendance/{att_id}/restore", json={"reason": ""}).status_code == 422
    back = org.post(f"/api/v1/events/{eid}/attendance/{att_id}/restore", json={"reason": "核实为本人，误作废"})
    assert back.status_code == 200, back.get_json()
    assert paid == 5
    assert back.get_json()["attendance"]["state"] == "checked_in" and back.get_json()["points_restored"] == paid
    assert q("select state from attendance") == [("checked_in",)]
    assert q("select sum(amount) from points_ledger")[0][0] == paid
    again = org.post(f"/api/v1/events/{eid}/attendance/{att_id}/restore", json={"reason": "再来一次"})
    assert again.status_code == 409  # restored once: nothing paid twice
    assert q("select sum(amount) from points_ledger")[0][0] == paid
    # annulled and restored once more: each round reverses and restores exactly what stands
    assert org.post(f"/api/v1/events/{eid}/attendance/{att_id}/annul", json={"reason": "代签"}).status_code == 200
    assert q("select sum(amount) from points_ledger")[0][0] == 0
    assert org.post(f"/api/v1/events/{eid}/attendance/{att_id}/restore", json={"reason": "复核"}).status_code == 200
    assert q("select sum(amount) from points_ledger")[0][0] == paid
    with ctx():
        actions = [a.action for a in db.session.scalars(db.select(AuditLog).where(
            AuditLog.object_type == "attendance", AuditLog.object_id == att_id).order_by(AuditLog.id))]
    assert actions[-4:] == ["attendance.annul", "attendance.restore", "attendance.annul", "attendance.restore"]
