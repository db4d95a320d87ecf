"""Evaluation (issue 14): every indicator against a hand-computed year (leave, a make-up, a member who moved
during the year, a branch with no meetings), the score and stars, adjustments in the breakdown and the audit
log, publishing that locks the figures against a changed sheet, and who may see and do what."""
from datetime import timedelta

import pytest

from server.auth.models import Organization, PastMembership, User
from server.demo import add_org
from server.evaluation import rating, sheet
from server.extensions import db
from server.orglife.models import MakeUp, MeetingRecord
from server.points.models import PointsEntry
from tests.support import _user
from tests.test_reports import attend, event, local

NOW = local(2025, 12, 20)  # December is still due; January to November have ended


@pytest.fixture
def year(world, ctx):
    with ctx():
        return build_year(world)


def build_year(world) -> dict:
    """branch_a: org_a, a1..a3 (a4 moved to branch_b on 1 June); branch_b: org_b, b1, a4; branch_c: one member
    and nothing held. The figures each indicator must find are in EXPECTED. Call in an app context."""
    a, b = world.branch_a_id, world.branch_b_id
    c = add_org("第三支部", "branch", db.session.get(Organization, world.general_id))
    _user("丙一", "13800000301", c)
    ids = world.ids
    p1 = event("party_day", "三月主题党日", local(2025, 3, 10), host_org_id=a)
    attend(p1, ids.a1)
    attend(p1, ids.org_a)
    attend(p1, ids.a2, state="excused")
    db.session.add(MakeUp(event_id=p1.id, user_id=ids.a3, content="补学", studied_at=local(2025, 3, 20),
                          confirmed_by_id=ids.org_a, confirmed_at=local(2025, 3, 21)))
    assembly = event("branch_assembly", "第一季度党员大会", local(2025, 2, 20), host_org_id=a)
    db.session.add_all([
        MeetingRecord(event_id=assembly.id, topic="x", status="approved", approved_at=local(2025, 2, 22)),
        MeetingRecord(event_id=p1.id, topic="y", status="approved", approved_at=local(2025, 3, 30))])
    a4 = db.session.get(User, ids.a4)  # moved on 1 June: past party days of branch_a still expect a4
    db.session.add(PastMembership(user_id=a4.id, branch_id=a, started_at=None, ended_at=local(2025, 6, 1),
                                  reason="move"))
    a4.branch_id, a4.branch_since = b, local(2025, 6, 1)
    p2 = event("party_day", "七月主题党日", local(2025, 7, 10), host_org_id=b)
    attend(p2, ids.b1)
    attend(p2, ids.a4)
    duty = event("community_duty", "社区值守", local(2025, 5, 1), hours=60, host_community_id=world.c1_id)
    attend(duty, ids.a1, state="confirmed", hours=60.0)
    service = event("volunteer_service", "志愿服务", local(2025, 5, 2), hours=3, host_org_id=a)
    attend(service, ids.a2, state="checked_out", hours=3.0, out=180)
    for uid, amount, when in ((ids.a1, 10, local(2025, 4, 1)), (ids.a2, 5, local(2025, 4, 1)),
                              (ids.b1, 6, local(2025, 8, 1)), (ids.a1, 100, local(2024, 8, 1))):
        db.session.add(PointsEntry(user_id=uid, amount=amount, rule_code="test", entry_type="adjust",
                                   created_at=when))
    db.session.commit()
    return {"a": a, "b": b, "c": c.id}


# (numerator, denominator) per indicator, counted by hand from the fixture above
EXPECTED = {
    "a": {"attendance_rate": [3, 4],   # a1, org_a present + a3 made up; 5 expected (a4 then in a) − a2 excused
          "compliance": [2, 39],       # party day Mar + assembly Q1 held; overdue 10+2+11+11+3
          "record_timeliness": [1, 2],  # the assembly's record in 2 days, the party day's in 20
          "registration": [2, 4],      # a1, a2 of org_a, a1, a2, a3 (a4 left)
          "served": [1, 4],            # a1: 60 h of community duty ≥ 50
          "hours_per_member": [63, 4],  # a1 60 + a2 3
          "points_per_member": [15, 4]},  # a1 10 + a2 5 (2024's 100 not counted)
    "b": {"attendance_rate": [2, 3], "compliance": [1, 39], "record_timeliness": [0, 1], "registration": [1, 3],
          "served": [0, 3], "hours_per_member": [0, 3], "points_per_member": [6, 3]},
    "c": {"compliance": [0, 39], "registration": [0, 1], "served": [0, 1], "hours_per_member": [0, 1],
          "points_per_member": [0, 1]},
}


def _score(figures: dict) -> float:
    """The sheet's rule by hand: weight × min(value ÷ target, 1), over the weights of indicators with a value."""
    items = {i["code"]: i for i in sheet.DEFAULT["indicators"]}
    earned = sum(items[c]["weight"] * min(n / d / items[c]["target"], 1) for c, (n, d) in figures.items() if d)
    weights = sum(items[c]["weight"] for c, (n, d) in figures.items() if d)
    return round(100 * earned / weights, 2)


def _table(ctx, who, org_id):
    with ctx():
        return rating.table(db.session.get(User, who), org_id, 2025, now=NOW)


def test_every_indicator_matches_the_hand_computed_year(world, year, ctx):
    body = _table(ctx, world.ids.admin, world.general_id)
    rows = {r["id"]: r for r in body["rows"]}
    for key, expected in EXPECTED.items():
        got = {k: v for k, v in rows[year[key]]["figures"].items() if v[1]}
        assert got == {k: [float(n), float(d)] for k, (n, d) in expected.items()}, key
        assert rows[year[key]]["score"] == _score(expected), key
    assert rows[year["c"]]["score"] == 0.0  # nothing held: counted as nothing, not as missing
    assert [r["name"] for r in body["rows"]] == ["第一支部", "第二支部", "第三支部"]  # by score
    assert body["status"] == "draft" and body["distribution"]["0"] == 3
    assert {b["name"]: b["overdue"] for b in body["behind"]} == {"第一支部": 37, "第二支部": 38, "第三支部": 39}
    assert rows[year["a"]]["trend"][2] == 0.75 and rows[year["b"]]["trend"][6] == 0.6667


def test_the_breakdown_shows_the_records_behind_each_number(world, year, ctx):
    with ctx():
        body = rating.breakdown(db.session.get(User, world.ids.org_a), year["a"], 2025, now=NOW)
    parts = {p["code"]: p for p in body["branch"]["parts"]}
    assert [(r["title"], r["expected"], r["attended"], r["excused"], r["made_up"])
            for r in parts["attendance_rate"]["records"]] == [("三月主题党日", 5, 2, 1, 1)]
    assert [(r["title"], r["on_time"]) for r in parts["record_timeliness"]["records"]] == [
        ("第一季度党员大会", True), ("三月主题党日", False)]
    assert {r["name"] for r in parts["registration"]["records"]} == {"甲组织者", "甲三"}
    assert [(r["name"], r["hours"]) for r in parts["hours_per_member"]["records"]] == [("甲一", 60.0), ("甲二", 3.0)]


def test_adjustments_show_and_publishing_locks_against_a_changed_sheet(world, year, ctx, login, q):
    admin = login(world.phones.admin)
    low = {"year": 2025, "indicators": sheet.DEFAULT["indicators"], "stars": [10, 20, 30, 40, 50], "reason": "试行"}
    assert admin.put("/api/v1/evaluation/sheet", json=low).status_code == 200
    veto = admin.post("/api/v1/evaluation/adjustments", json={"year": 2025, "branch_id": year["b"], "kind": "veto",
                                                              "reason": "发生违纪问题，一票否决"})
    deduct = admin.post("/api/v1/evaluation/adjustments", json={"year": 2025, "branch_id": year["a"],
                                                                "kind": "deduct", "points": 5, "reason": "材料迟报"})
    assert veto.status_code == deduct.status_code == 201
    rows = {r["id"]: r for r in _table(ctx, world.ids.admin, world.general_id)["rows"]}
    a_score = round(_score(EXPECTED["a"]) - 5, 2)
    assert rows[year["a"]]["score"] == a_score and rows[year["a"]]["stars"] == sum(a_score >= t for t in low["stars"])
    assert rows[year["b"]]["stars"] == 0 and rows[year["b"]]["adjustments"][0]["reason"] == "发生违纪问题，一票否决"
    assert [r[0] for r in q("select action from audit_log where action like 'evaluation.%' order by id")] == [
        "evaluation.sheet.save", "evaluation.adjust", "evaluation.adjust"]
    assert admin.post("/api/v1/evaluation/publish", json={"year": 2025}).status_code == 201
    published = {r["id"]: (r["score"], r["stars"]) for r in admin.get(
        f"/api/v1/evaluation/ratings?year=2025&org_id={world.general_id}").get_json()["rows"]}
    high = {**low, "stars": [90, 92, 94, 96, 98], "reason": "调整"}
    assert admin.put("/api/v1/evaluation/sheet", json=high).status_code == 200  # a new version…
    again = admin.get(f"/api/v1/evaluation/ratings?year=2025&org_id={world.general_id}").get_json()
    assert {r["id"]: (r["score"], r["stars"]) for r in again["rows"]} == published  # …leaves 2025 as published
    assert again["status"] == "published" and again["sheet"]["stars"] == low["stars"]
    late = admin.post("/api/v1/evaluation/adjustments", json={"year": 2025, "branch_id": year["a"], "kind": "veto",
                                                              "reason": "晚了"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "evaluation_published"
    assert admin.post("/api/v1/evaluation/publish", json={"year": 2025}).status_code == 409
    breakdown = admin.get(f"/api/v1/evaluation/ratings/{year['a']}?year=2025").get_json()
    assert breakdown["branch"]["adjustments"][0]["points"] == 5


def test_who_sees_and_who_decides(world, year, login):
    url = "/api/v1/evaluation/ratings?year=2025&org_id="
    assert login(world.phones.org_a).get(url + str(world.branch_a_id)).status_code == 200  # its own branch
    assert login(world.phones.org_a).get(url + str(world.general_id)).status_code == 403
    assert login(world.phones.org_a).get(url + str(world.branch_b_id)).status_code == 403
    assert len(login(world.phones.org_general).get(url + str(world.general_id)).get_json()["rows"]) == 3
    assert login(world.phones.a1).get(url + str(world.branch_a_id)).status_code == 403
    assert login(world.phones.org_a).get(f"/api/v1/evaluation/ratings/{world.branch_a_id}?year=2025"
                                         ).status_code == 200
    assert login(world.phones.org_b).get(f"/api/v1/evaluation/ratings/{world.branch_a_id}?year=2025"
                                         ).status_code == 403
    body = {"year": 2025, "branch_id": world.branch_a_id, "kind": "veto", "reason": "x"}
    assert login(world.phones.org_general).post("/api/v1/evaluation/adjustments", json=body).status_code == 403
    assert login(world.phones.org_general).post("/api/v1/evaluation/publish", json={"year": 2025}).status_code == 403
    bad = {"year": 2025, "indicators": [{"code": "compliance", "weight": 50, "target": 1}], "stars": [1, 2, 3, 4, 5],
           "reason": "x"}
    refused = login(world.phones.admin).put("/api/v1/evaluation/sheet", json=bad)
    assert refused.status_code == 422 and "indicators" in refused.get_json()["error"]["details"]["codes"]
    xlsx = login(world.phones.org_general).get(f"/api/v1/evaluation/ratings.xlsx?year=2025&org_id={world.general_id}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_live_board_counts_open_events_of_the_tree(world, ctx, make_event, login, scan, token_for):
    party = make_event("party_day", title="今天的主题党日")
    make_event("party_day", start_in=timedelta(days=3), title="下周")  # not open: not on the board
    assert scan(world.phones.a1, token_for(party)).status_code == 201
    board = login(world.phones.org_general).get(f"/api/v1/evaluation/live?org_id={world.general_id}").get_json()
    assert [(e["title"], e["expected"], e["checked_in"], e["excused"]) for e in board["events"]] == [
        ("今天的主题党日", 5, 1, 0)]
    same = login(world.phones.org_general).get(f"/api/v1/evaluation/live?org_id={world.general_id}"
                                               f"&since={board['cursor']}").get_json()
    assert same == {"unchanged": True, "cursor": board["cursor"]}
    assert scan(world.phones.a2, token_for(party)).status_code == 201
    moved = login(world.phones.org_general).get(f"/api/v1/evaluation/live?org_id={world.general_id}"
                                                f"&since={board['cursor']}").get_json()
    assert moved["unchanged"] is False and moved["totals"]["checked_in"] == 2
    assert login(world.phones.org_b).get(f"/api/v1/evaluation/live?org_id={world.branch_a_id}").status_code == 403
