"""Requirements as data (defaults from the kinds table, edited per year by an admin) and the compliance
calendar: per branch, kind and period held / due / overdue, rolled up the tree, exported as XLSX."""
import io
from datetime import datetime, timedelta

import openpyxl

from server.auth.models import User
from server.events.services import new_event
from server.extensions import db
from server.orglife import compliance

NOW = datetime(2025, 5, 15, 4, 0)  # naive UTC: mid-May 2025 in Shanghai


def meeting(kind, org_id, when, **fields):
    db.session.add(new_event(kind, f"{kind}-{when:%m%d}", when, when + timedelta(hours=2), host_org_id=org_id,
                             **fields))


def test_defaults_and_the_admin_edits_a_year(world, login, q):
    listed = {r["kind"]: (r["period"], r["min_count"], r["default"])
              for r in login(world.phones.a1).get("/api/v1/orglife/requirements?year=2025").get_json()}
    assert listed == {"party_day": ("month", 1, True), "branch_assembly": ("quarter", 1, True),
                      "committee_meeting": ("month", 1, True), "group_meeting": ("month", 1, True),
                      "party_lecture": ("quarter", 1, True)}
    body = {"year": 2025, "items": [{"kind": "party_lecture", "period": "year", "min_count": 2}], "reason": "年度计划"}
    assert login(world.phones.org_a).put("/api/v1/orglife/requirements", json=body).status_code == 403
    bad = login(world.phones.admin).put("/api/v1/orglife/requirements", json={
        **body, "items": [{"kind": "volunteer_service", "period": "month", "min_count": 1}]})
    assert bad.status_code == 422
    ok = login(world.phones.admin).put("/api/v1/orglife/requirements", json=body)
    assert ok.status_code == 200
    rows = {r["kind"]: r for r in ok.get_json()}
    assert (rows["party_lecture"]["period"], rows["party_lecture"]["min_count"], rows["party_lecture"]["default"]) \
        == ("year", 2, False)
    other_year = {r["kind"]: r for r in login(world.phones.a1).get("/api/v1/orglife/requirements?year=2026").get_json()}
    assert other_year["party_lecture"]["period"] == "quarter"  # per year
    audit = q("select before, after, reason from audit_log where action = 'orglife.requirement.set'")
    assert len(audit) == 1 and audit[0][2] == "年度计划"


def test_calendar_marks_held_due_and_overdue_and_rolls_up(world, ctx):
    with ctx():
        a, b = world.branch_a_id, world.branch_b_id
        for month in (1, 2, 4):
            meeting("party_day", a, datetime(2025, month, 10, 1))
        meeting("party_day", a, datetime(2025, 3, 5, 1), status="cancelled")  # cancelled: not held
        meeting("branch_assembly", a, datetime(2025, 2, 20, 1))
        meeting("party_lecture", a, datetime(2025, 5, 20, 1))  # still to come on NOW: not held yet
        cal = compliance.calendar(db.session.get(User, world.ids.org_general), world.general_id, 2025, now=NOW)
    by_branch = {r["org_id"]: {k["kind"]: k for k in r["kinds"]} for r in cal["branches"]}
    assert set(by_branch) == {a, b}
    party = [c["status"] for c in by_branch[a]["party_day"]["cells"]]
    assert party[:6] == ["held", "held", "overdue", "held", "due", "due"] and len(party) == 12
    assembly = [c["status"] for c in by_branch[a]["branch_assembly"]["cells"]]
    assert assembly == ["held", "due", "due", "due"]
    assert [c["status"] for c in by_branch[a]["party_lecture"]["cells"]] == ["overdue", "due", "due", "due"]
    assert [c["status"] for c in by_branch[a]["committee_meeting"]["cells"]][:5] == ["overdue"] * 4 + ["due"]
    behind = {r["org_id"]: r["overdue"] for r in cal["behind"]}
    # a: party day 1 + lecture 1 + committee 4 + group 4 = 10; b: party 4 + assembly 1 + lecture 1 + 4 + 4 = 14
    assert behind == {a: 10, b: 14}


def test_calendar_api_scope_and_export(world, login, make_event):
    make_event("party_day", start_in=timedelta(days=-1))
    url = f"/api/v1/orglife/compliance?org_id={world.branch_a_id}"
    assert login(world.phones.org_b).get(url).status_code == 403
    assert login(world.phones.a1).get(url).status_code == 403
    cal = login(world.phones.org_a).get(url)
    assert cal.status_code == 200 and [b["name"] for b in cal.get_json()["branches"]] == ["第一支部"]
    xlsx = login(world.phones.org_a).get(url.replace("compliance?", "compliance.xlsx?"))
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data))["组织生活"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("组织", "类型", "周期") and len(rows) == 1 + 5
    party = next(r for r in rows if r[1] == "主题党日")
    assert any(str(v).startswith("已完成 1/1") for v in party[3:15])


def test_party_group_meetings_are_required_of_every_group(world, ctx):
    """党小组会: each group of the branch must meet; the group that met least decides the period."""
    from server.auth.models import PartyGroup
    with ctx():
        a = world.branch_a_id
        one, two = PartyGroup(branch_id=a, name="第一党小组"), PartyGroup(branch_id=a, name="第二党小组")
        db.session.add_all([one, two])
        db.session.flush()
        meeting("group_meeting", a, datetime(2025, 1, 8, 1), audience="group", party_group_id=one.id)
        meeting("group_meeting", a, datetime(2025, 1, 9, 1), audience="group", party_group_id=two.id)
        meeting("group_meeting", a, datetime(2025, 2, 8, 1), audience="group", party_group_id=one.id)
        meeting("group_meeting", a, datetime(2025, 2, 9, 1), audience="group", party_group_id=one.id)
        meeting("group_meeting", world.branch_b_id, datetime(2025, 2, 9, 1))  # a branch without groups
        cal = compliance.calendar(db.session.get(User, world.ids.org_general), world.general_id, 2025, now=NOW)
        ids = (one.id, two.id)
    by_branch = {r["org_id"]: {k["kind"]: k for k in r["kinds"]} for r in cal["branches"]}
    cells = by_branch[a]["group_meeting"]["cells"]
    assert [c["status"] for c in cells[:3]] == ["held", "overdue", "overdue"]  # February: the second group missed
    assert cells[1]["held"] == 2 and [(g["id"], g["held"]) for g in cells[1]["groups"]] == [(ids[0], 2), (ids[1], 0)]
    assert [c["status"] for c in by_branch[world.branch_b_id]["group_meeting"]["cells"][:2]] == ["overdue", "held"]
