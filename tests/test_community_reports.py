"""Reporting back: the quarterly and yearly report against a hand-computed fixture, flags, XLSX."""
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from server.common.timeutil import utcnow
from tests.test_community import code_token
from tests.test_community_duties import claim, post_duty, slot_body

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = ["姓名", "手机号", "所在支部", "是否报到", "报到社区", "报到日期", "认领岗位数", "参加次数",
           "确认服务时长（小时）", "社区评价", "评价说明", "提示"]


def utc(local: str) -> datetime:
    """'2025-07-10 09:00' Shanghai time as naive UTC."""
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@pytest.fixture
def fixture(app, world):
    """2025, Shanghai time. c1 duty slots: S0 07-01 00:30 (Q3 locally, still June 30 in UTC), S1 07-10,
    S2 08-20, S3 10-05 (Q4), S5 08-01 (cancelled). c2 slot S4 09-01. A volunteer event in Q3 (never counted).

    attendance        a1: S0 confirmed 2.0, S1 confirmed 3.0, S2 pending (4 claimed), S3 confirmed 3.0 (Q4),
                          volunteer 2.0 (not community duty)
                      a2: S1 confirmed 2.5 (adjusted), S2 rejected, S4 (c2) confirmed 10.0
                      a3: S4 annulled        a4: S4 confirmed 30.0       org_a: nothing
    claims (active)   a1: S0 S1 S2 S3 S5(cancelled slot)   a2: S1 S4 (S2 withdrawn)   a4: S4
    evaluations       c1→a1 2025Q3 excellent, c1→a1 2025 good, c2→a2 2025Q3 fair
    registrations     a1 accepted with c1 on 2025-03-01 (a2 was placed in c1 by an admin: no row)
    """
    from server.attendance.models import Attendance
    from server.community.models import CommunityRegistration, Duty, DutyClaim, DutySlot, MemberEvaluation
    from server.events.services import new_event
    from server.extensions import db

    ids = world.ids
    with app.app_context():
        def slot(duty, start_local, hours, status="open"):
            start = utc(start_local)
            event = new_event("community_duty", duty.title, start, start + timedelta(hours=hours),
                              host_community_id=duty.community_id, audience="claimers")
            if status == "cancelled":
                event.status = "cancelled"
            db.session.add(event)
            db.session.flush()
            s = DutySlot(duty=duty, starts_at=start, ends_at=start + timedelta(hours=hours), capacity=5,
                         event_id=event.id, status=status)
            db.session.add(s)
            db.session.flush()
            return s

        d1 = Duty(community_id=world.c1_id, title="助餐", skills=[])
        d2 = Duty(community_id=world.c2_id, title="巡逻", skills=[])
        db.session.add_all([d1, d2])
        db.session.flush()
        s0, s1 = slot(d1, "2025-07-01 00:30", 2), slot(d1, "2025-07-10 09:00", 3)
        s2, s3 = slot(d1, "2025-08-20 14:00", 4), slot(d1, "2025-10-05 09:00", 3)
        s4, s5 = slot(d2, "2025-09-01 08:00", 10), slot(d1, "2025-08-01 09:00", 2, status="cancelled")
        vol = new_event("volunteer_service", "志愿", utc("2025-08-02 09:00"), utc("2025-08-02 11:00"),
                        host_org_id=world.branch_a_id)
        db.session.add(vol)
        db.session.flush()

        def att(user_id, event_id, state, confirmed=None, claimed=None):
            db.session.add(Attendance(event_id=event_id, user_id=user_id, state=state, checkin_method="qr",
                                      hours_claimed=claimed if claimed is not None else confirmed,
                                      hours_confirmed=confirmed))

        att(ids.a1, s0.event_id, "confirmed", 2.0)
        att(ids.a1, s1.event_id, "confirmed", 3.0)
        att(ids.a1, s2.event_id, "pending", None, 4.0)
        att(ids.a1, s3.event_id, "confirmed", 3.0)
        att(ids.a1, vol.id, "checked_out", 2.0)
        att(ids.a2, s1.event_id, "confirmed", 2.5, 3.0)
        att(ids.a2, s2.event_id, "rejected", None, 4.0)
        att(ids.a2, s4.event_id, "confirmed", 10.0)
        att(ids.a3, s4.event_id, "annulled", 10.0)
        att(ids.a4, s4.event_id, "confirmed", 30.0)
        for user_id, s in ((ids.a1, s0), (ids.a1, s1), (ids.a1, s2), (ids.a1, s3), (ids.a1, s5),
                           (ids.a2, s1), (ids.a2, s4), (ids.a4, s4)):
            db.session.add(DutyClaim(slot_id=s.id, user_id=user_id, status="active"))
        db.session.add(DutyClaim(slot_id=s2.id, user_id=ids.a2, status="withdrawn"))
        db.session.add_all([
            MemberEvaluation(community_id=world.c1_id, user_id=ids.a1, period="2025Q3", rating="excellent",
                             comment="认真负责"),
            MemberEvaluation(community_id=world.c1_id, user_id=ids.a1, period="2025", rating="good", comment="全年"),
            MemberEvaluation(community_id=world.c2_id, user_id=ids.a2, period="2025Q3", rating="fair", comment=""),
            CommunityRegistration(community_id=world.c1_id, user_id=ids.a1, status="accepted",
                                  started_at=utc("2025-03-01 10:00"), decided_at=utc("2025-03-01 10:00")),
        ])
        db.session.commit()
    return world


# name -> (registered, community, since, claimed, attended, hours, rating, flags), hand-computed from the fixture
BRANCH_Q3 = {
    "甲一": (True, "一号社区", "2025-03-01", 3, 3, 5.0, "excellent", ["under_threshold"]),  # S0 S1 S2; 2.0 + 3.0
    "甲二": (True, "一号社区", None, 2, 2, 12.5, "fair", []),  # S1 S4; S2 rejected; 2.5 + 10.0 = 12.5, not below 12.5
    "甲三": (False, None, None, 0, 0, 0.0, None, ["not_registered", "under_threshold"]),  # annulled: nothing
    "甲四": (False, None, None, 1, 1, 30.0, None, ["not_registered"]),
    "甲组织者": (False, None, None, 0, 0, 0.0, None, ["not_registered", "under_threshold"]),
}


def as_table(report: dict) -> dict:
    return {r["name"]: (r["registered"], r["community_name"], r["registered_since"][:10] if r["registered_since"]
                        else None, r["duties_claimed"], r["attended"], r["hours_confirmed"],
                        (r["evaluation"] or {}).get("rating"), r["flags"]) for r in report["rows"]}


def test_quarterly_branch_report_matches_hand_computed_fixture(fixture, login):
    resp = login(fixture.phones.org_a).get(f"/api/v1/organizations/{fixture.branch_a_id}/community-report"
                                           "?year=2025&quarter=3")
    assert resp.status_code == 200, resp.get_json()
    report = resp.get_json()
    assert as_table(report) == BRANCH_Q3
    assert report["threshold_hours"] == 12.5 and report["threshold_hours_per_year"] == 50
    assert report["period"]["label"] == "2025年第3季度" and report["period"]["starts_at"] == "2025-07-01T00:00:00+08:00"
    assert report["totals"] == {"members": 5, "registered": 2, "not_registered": 3, "under_threshold": 3,
                                "duties_claimed": 6, "attended": 6, "hours_confirmed": 47.5}
    row = next(r for r in report["rows"] if r["name"] == "甲一")
    assert row["evaluation"] == {"rating": "excellent", "rating_label": "优秀", "comment": "认真负责",
                                 "community_id": fixture.c1_id, "community_name": "一号社区"}
    assert row["branch_name"] == "第一支部" and row["phone"] == fixture.phones.a1


def test_yearly_report_and_threshold_override(fixture, login):
    client = login(fixture.phones.org_general)  # an organizer above the branch sees it too
    year = client.get(f"/api/v1/organizations/{fixture.branch_a_id}/community-report?year=2025").get_json()
    table = as_table(year)
    # a1 adds S3 in Q4: 4 claims (the cancelled slot never counts), 4 attended, 8.0 hours, the yearly evaluation
    assert table["甲一"] == (True, "一号社区", "2025-03-01", 4, 4, 8.0, "good", ["under_threshold"])
    assert table["甲二"][5] == 12.5 and table["甲二"][7] == ["under_threshold"] and table["甲二"][6] is None
    assert year["threshold_hours"] == 50 and year["period"]["code"] == "2025"
    lower = client.get(f"/api/v1/organizations/{fixture.branch_a_id}/community-report?year=2025&min_hours=10")
    flags = {r["name"]: r["flags"] for r in lower.get_json()["rows"]}
    assert flags["甲一"] == ["under_threshold"] and flags["甲二"] == [] and flags["甲四"] == ["not_registered"]
    q4 = client.get(f"/api/v1/organizations/{fixture.branch_a_id}/community-report?year=2025&quarter=2").get_json()
    assert as_table(q4)["甲一"][3:6] == (0, 0, 0.0)  # S0 is July 1st locally, though June 30th in UTC


def test_community_side_of_the_report(fixture, login):
    resp = login(fixture.phones.liaison1).get(f"/api/v1/communities/{fixture.c1_id}/report?year=2025&quarter=3")
    assert resp.status_code == 200
    report = resp.get_json()
    assert report["scope"] == {"type": "community", "id": fixture.c1_id, "name": "一号社区"}
    assert as_table(report) == {
        "甲一": (True, "一号社区", "2025-03-01", 3, 3, 5.0, "excellent", ["under_threshold"]),
        # only c1's duties count here, and c2's rating of a2 is not shown
        "甲二": (True, "一号社区", None, 1, 1, 2.5, None, ["under_threshold"]),
    }
    c2 = login(fixture.phones.liaison2).get(f"/api/v1/communities/{fixture.c2_id}/report?year=2025&quarter=3")
    # b1 is registered with c2; a2 and a4 served there (a3's attendance was annulled, but the row still shows)
    assert {r["name"]: r["hours_confirmed"] for r in c2.get_json()["rows"]} == {
        "乙一": 0.0, "甲二": 10.0, "甲三": 0.0, "甲四": 30.0}


def test_report_scopes(fixture, login):
    path = f"/api/v1/organizations/{fixture.branch_a_id}/community-report?year=2025&quarter=3"
    for phone in (fixture.phones.org_b, fixture.phones.liaison1, fixture.phones.a1):
        resp = login(phone).get(path)
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden", phone
    assert login(fixture.phones.admin).get(path).status_code == 200
    community_path = f"/api/v1/communities/{fixture.c1_id}/report?year=2025"
    assert login(fixture.phones.liaison2).get(community_path).status_code == 403
    assert login(fixture.phones.org_a).get(community_path).status_code == 403
    bad = login(fixture.phones.admin).get(path.replace("quarter=3", "quarter=5"))
    assert bad.status_code == 422 and "quarter" in bad.get_json()["error"]["details"]["fields"]["query"]


def test_xlsx_export_with_chinese_headers(fixture, login):
    resp = login(fixture.phones.org_a).get(f"/api/v1/organizations/{fixture.branch_a_id}/community-report.xlsx"
                                           "?year=2025&quarter=3")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in resp.headers["Content-Disposition"] and ".xlsx" in resp.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["双报到情况", "说明"]
    sheet = book["双报到情况"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    by_name = {r[0]: tuple(r[1:]) for r in rows[1:]}
    assert by_name == {
        "甲一": (fixture.phones.a1, "第一支部", "是", "一号社区", "2025-03-01", 3, 3, 5, "优秀", "认真负责",
               "服务时长不足12.5小时"),
        "甲二": (fixture.phones.a2, "第一支部", "是", "一号社区", None, 2, 2, 12.5, "一般", None, None),
        "甲三": (fixture.phones.a3, "第一支部", "否", None, None, 0, 0, 0, None, None,
               "未到社区报到；服务时长不足12.5小时"),
        "甲四": (fixture.phones.a4, "第一支部", "否", None, None, 1, 1, 30, None, None, "未到社区报到"),
        "甲组织者": (fixture.phones.org_a, "第一支部", "否", None, None, 0, 0, 0, None, None,
                 "未到社区报到；服务时长不足12.5小时"),
    }
    info = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert info["报告范围"] == "党组织：第一支部" and info["统计期间"] == "2025年第3季度" and info["未报到"] == 3
    community = login(fixture.phones.liaison1).get(
        f"/api/v1/communities/{fixture.c1_id}/report.xlsx?year=2025&quarter=3")
    assert community.status_code == 200
    names = [r[0] for r in openpyxl.load_workbook(io.BytesIO(community.data)).active.iter_rows(values_only=True)]
    assert names[0] == "姓名" and sorted(names[1:]) == ["甲一", "甲二"]


def test_formula_like_text_stays_text(fixture, login, ctx):
    from server.auth.models import User
    from server.extensions import db
    with ctx():
        db.session.get(User, fixture.ids.a4).name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    resp = login(fixture.phones.org_a).get(f"/api/v1/organizations/{fixture.branch_a_id}/community-report.xlsx"
                                           "?year=2025&quarter=3")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data))["双报到情况"]
    cell = next(c for c in sheet["A"] if c.value and str(c.value).startswith("="))
    assert cell.data_type == "s"


def test_evaluations_by_the_liaison(fixture, login, q):
    liaison = login(fixture.phones.liaison1)
    put = liaison.put(f"/api/v1/communities/{fixture.c1_id}/evaluations", json={
        "user_id": fixture.ids.a2, "period": "2025Q3", "rating": "good", "comment": "积极"})
    assert put.status_code == 200 and put.get_json()["rating_label"] == "良好"
    again = liaison.put(f"/api/v1/communities/{fixture.c1_id}/evaluations", json={
        "user_id": fixture.ids.a2, "period": "2025Q3", "rating": "excellent"})
    assert again.get_json()["id"] == put.get_json()["id"]
    stranger = liaison.put(f"/api/v1/communities/{fixture.c1_id}/evaluations", json={
        "user_id": fixture.ids.a3, "period": "2025Q3", "rating": "good"})
    assert stranger.status_code == 422 and stranger.get_json()["error"]["code"] == "evaluation_not_registered"
    for period in ("0000Q1", "9999", "1999Q4", "2025Q5"):  # a year no evaluation can belong to is refused
        bad = liaison.put(f"/api/v1/communities/{fixture.c1_id}/evaluations", json={
            "user_id": fixture.ids.a2, "period": period, "rating": "good"})
        assert bad.status_code == 422 and "period" in bad.get_json()["error"]["details"]["fields"]["json"], period
    assert login(fixture.phones.liaison2).put(f"/api/v1/communities/{fixture.c1_id}/evaluations", json={
        "user_id": fixture.ids.a2, "period": "2025Q3", "rating": "good"}).status_code == 403
    bad = liaison.put(f"/api/v1/communities/{fixture.c1_id}/evaluations", json={
        "user_id": fixture.ids.a2, "period": "2025Q5", "rating": "good"})
    assert bad.status_code == 422
    listed = liaison.get(f"/api/v1/communities/{fixture.c1_id}/evaluations?period=2025Q3").get_json()
    assert {(e["member"]["name"], e["rating"]) for e in listed} == {("甲一", "excellent"), ("甲二", "excellent")}
    assert q("select count(*) from audit_log where action = 'community.evaluation'")[0][0] == 2


def test_demo_loop_register_claim_serve_report(world, login, token_for, scan, ctx, long_grace):
    """The issue's "done when", on the test world: register by code, accept, post a need, claim, serve,
    confirm (by hand here: confirming hours belongs to the hours API), and the branch report shows it."""
    from server.attendance.models import Attendance
    from server.extensions import db
    liaison, member = login(world.phones.liaison1), login(world.phones.a3)
    reg = member.post("/api/v1/community-registrations", json={"token": code_token(liaison, world.c1_id)}).get_json()
    assert liaison.post(f"/api/v1/community-registrations/{reg['id']}/accept", json={}).status_code == 200
    slot = post_duty(liaison, world.c1_id, slot_body(timedelta(minutes=-60), hours=2, capacity=1))["slots"][0]
    assert claim(member, slot["id"]).status_code == 201
    start = utcnow() - timedelta(minutes=60)
    assert scan(member, token_for(slot["event_id"], at=start), scanned_at=start.isoformat() + "Z").status_code == 201
    assert scan(member, token_for(slot["event_id"], "out")).get_json()["attendance"]["state"] == "pending"
    with ctx():
        att = db.session.scalar(db.select(Attendance).where(Attendance.event_id == slot["event_id"]))
        att.state, att.hours_confirmed = "confirmed", att.hours_claimed
        db.session.commit()
    now = datetime.now(SHANGHAI)
    report = login(world.phones.org_a).get(f"/api/v1/organizations/{world.branch_a_id}/community-report"
                                           f"?year={now.year}&quarter={(now.month - 1) // 3 + 1}").get_json()
    row = next(r for r in report["rows"] if r["name"] == "甲三")
    assert row["registered"] and row["community_name"] == "一号社区"
    assert (row["duties_claimed"], row["attended"], row["hours_confirmed"]) == (1, 1, 1.0)
