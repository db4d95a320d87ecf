"""Political birthdays (政治生日): 入党时间 from the roster import or set by staff (audited); a month's list for
secretaries with years in the Party; the member's greeting on the day."""
import io
from datetime import date

from server.orglife import birthdays


def upload(client, text: str, dry_run: bool):
    fields = {"file": (io.BytesIO(text.encode("utf-8")), "roster.csv"), "dry_run": "true" if dry_run else "false"}
    return client.post("/api/v1/members/import", data=fields, content_type="multipart/form-data")


def test_roster_column_and_staff_edit(world, login, q):
    org = login(world.phones.org_a)
    bad = upload(org, "姓名,手机号,支部,入党时间\n新甲,13900000001,第一支部,去年七月\n", dry_run=True).get_json()
    assert bad["rows"][0]["action"] == "refuse"
    assert [r["code"] for r in bad["rows"][0]["reasons"]] == ["bad_join_date"]
    roster = ("姓名,手机号,支部,入党时间\n新甲,13900000001,第一支部,2001年7月1日\n"
              f"甲一,{world.phones.a1},第一支部,1999/07/15\n")
    done = upload(org, roster, dry_run=False)
    assert done.status_code == 200, done.get_json()
    joined = dict(q("select phone, joined_party_on from users where joined_party_on is not null"))
    assert {p: str(d)[:10] for p, d in joined.items()} == {"13900000001": "2001-07-01",
                                                           world.phones.a1: "1999-07-15"}
    changed = org.patch(f"/api/v1/orglife/members/{world.ids.a2}", json={"joined_party_on": "2010-07-01",
                                                                        "reason": "档案核对"})
    assert changed.status_code == 200 and changed.get_json()["joined_party_on"] == "2010-07-01"
    assert login(world.phones.org_b).patch(f"/api/v1/orglife/members/{world.ids.a2}",
                                           json={"joined_party_on": "2011-01-01"}).status_code == 404
    audit = q("select reason from audit_log where action = 'orglife.member.set'")
    assert [r[0] for r in audit] == ["档案核对"]
    listed = org.get(f"/api/v1/orglife/birthdays?org_id={world.branch_a_id}&month=2025-07").get_json()["items"]
    assert [(i["name"], i["birthday"], i["years"]) for i in listed] == [
        ("新甲", "2025-07-01", 24), ("甲二", "2025-07-01", 15), ("甲一", "2025-07-15", 26)]
    assert org.get(f"/api/v1/orglife/birthdays?org_id={world.branch_a_id}&month=2025-13").status_code == 422
    assert login(world.phones.a1).get(
        f"/api/v1/orglife/birthdays?org_id={world.branch_a_id}&month=2025-07").status_code == 403


def test_greeting_on_the_day(world, ctx, login):
    with ctx():
        today = birthdays.today()
    joined = date(today.year - 20, today.month, min(today.day, 28))
    org = login(world.phones.org_a)
    org.patch(f"/api/v1/orglife/members/{world.ids.a1}", json={"joined_party_on": joined.isoformat()})
    greet = login(world.phones.a1).get("/api/v1/orglife/me/birthday").get_json()
    assert greet["today"] is (today.day <= 28) and greet["years"] == 20
    assert login(world.phones.a2).get("/api/v1/orglife/me/birthday").get_json() == {
        "joined_party_on": None, "today": False, "years": None}


def test_leap_day_joiners_and_years():
    assert birthdays.is_birthday(date(2000, 2, 29), date(2025, 2, 28))
    assert not birthdays.is_birthday(date(2000, 2, 29), date(2024, 2, 28))
    assert birthdays.is_birthday(date(2000, 2, 29), date(2024, 2, 29))
    assert birthdays.years_in_party(date(2001, 7, 1), date(2025, 6, 30)) == 23
    assert birthdays.years_in_party(date(2001, 7, 1), date(2025, 7, 1)) == 24
