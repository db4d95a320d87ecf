"""Roster import: dry run row by row, all-or-nothing real run, idempotent re-import, CSV (UTF-8, GBK)
and XLSX, scope of organizers, and 5,000 rows timed."""
import csv
import io
import json

from openpyxl import Workbook, load_workbook

HEADER = ["姓名", "手机号", "支部", "社区", "角色"]
GOOD = [
    ["新人一", "13900001001", "第一支部", "一号社区", "党员"],
    ["新人二", "139-0000-1002", "第二支部", "", ""],
    ["甲一改", "13800000101", "第二支部", "", ""],  # existing a1: name and branch change, community kept
    ["甲二", "13800000102", "第一支部", "一号社区", ""],  # existing a2, identical
    ["新书记", "+86 13900001005", "第二支部", "", "支部书记"],
    ["新联络员", "13900001006", "", "二号社区", "联络员"],
]
BAD = [
    ["坏号码", "1380000", "第一支部", "", ""],
    ["无支部", "13900001003", "不存在支部", "", ""],
    ["新人一", "13900001001", "第一支部", "一号社区", "党员"],  # same phone as the first row
    ["无社区", "13900001004", "第一支部", "不存在社区", ""],
    ["", "", "", "", ""],  # an empty line is skipped
    ["奇怪", "13900001007", "第一支部", "", "国王"],
]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, data, name="roster.csv", dry_run=True, **form):
    fields = {"file": (io.BytesIO(data), name), "dry_run": "true" if dry_run else "false", **form}
    return client.post("/api/v1/members/import", data=fields, content_type="multipart/form-data")


def snapshot(q):
    """Everything an import may touch."""
    return (q("select id, name, phone, branch_id, community_id, active, password_hash from users order by id"),
            q("select user_id, role, organization_id, community_id from role_grants order by id"),
            q("select count(*) from audit_log")[0][0])


def by_row(body):
    return {r["row"]: r for r in body["rows"]}


def test_dry_run_reports_every_row_and_writes_nothing(world, login, q):
    admin = login(world.phones.admin)
    before = snapshot(q)
    resp = upload(admin, csv_bytes(GOOD + BAD))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["dry_run"] is True and body["applied"] is False
    assert body["columns"] == {"name": "姓名", "phone": "手机号", "branch": "支部", "community": "社区", "role": "角色"}
    rows = by_row(body)
    assert {n: r["action"] for n, r in rows.items()} == {
        2: "create", 3: "create", 4: "update", 5: "unchanged", 6: "create", 7: "create",
        8: "refuse", 9: "refuse", 10: "refuse", 11: "refuse", 13: "refuse"}
    assert body["summary"] == {"rows": 11, "create": 4, "update": 1, "unchanged": 1, "refuse": 5, "deactivate": 0}
    codes = {n: [x["code"] for x in r["reasons"]] for n, r in rows.items() if r["reasons"]}
    assert codes == {8: ["bad_phone"], 9: ["unknown_branch"], 10: ["duplicate_row"], 11: ["unknown_community"],
                     13: ["unknown_role"]}
    assert rows[10]["details"] == {"first_row": 2}
    assert rows[8]["reasons"][0]["message"].startswith("手机号格式不正确")
    assert rows[3]["phone"] == "13900001002" and rows[6]["phone"] == "13900001005"
    assert rows[4]["changes"] == {"name": ["甲一", "甲一改"], "branch_id": [world.branch_a_id, world.branch_b_id]}
    assert rows[4]["member_id"] == world.ids.a1
    assert rows[6]["roles"] == ["organizer"] and rows[7]["roles"] == ["liaison"]
    assert snapshot(q) == before


def test_real_run_is_all_or_nothing(world, login, q):
    admin = login(world.phones.admin)
    before = snapshot(q)
    resp = upload(admin, csv_bytes(GOOD + BAD), dry_run=False)
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "import_has_errors" and err["details"]["summary"]["refuse"] == 5
    assert [r["row"] for r in err["details"]["rows"]] == [8, 9, 10, 11, 13]
    assert snapshot(q) == before


def test_real_run_applies_then_reimport_changes_nothing(world, login, q):
    admin = login(world.phones.admin)
    resp = upload(admin, csv_bytes(GOOD), dry_run=False)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["summary"] == {"rows": 6, "create": 4, "update": 1, "unchanged": 1, "refuse": 0,
                                          "deactivate": 0}
    users = {r[0]: r for r in q("select phone, name, branch_id, community_id, password_hash from users")}
    assert users["13900001001"][1:4] == ("新人一", world.branch_a_id, world.c1_id)
    assert users["13900001002"][1:4] == ("新人二", world.branch_b_id, None)
    assert users["13800000101"][1:4] == ("甲一改", world.branch_b_id, world.c1_id)  # community kept
    assert users["13900001006"][1:4] == ("新联络员", None, world.c2_id)
    assert "$" not in users["13900001001"][4]  # no usable password until one is set
    grants = {tuple(r) for r in q("select u.phone, g.role, g.organization_id, g.community_id from role_grants g "
                                  "join users u on u.id = g.user_id where u.phone like '139%'")}
    assert grants == {("13900001005", "organizer", world.branch_b_id, None),
                      ("13900001006", "liaison", None, world.c2_id)}
    actions = dict(q("select action, count(*) from audit_log where action like 'member.import%' group by action"))
    assert actions == {"member.import": 1, "member.import.create": 4, "member.import.update": 1}
    [(before, after)] = q("select before, after from audit_log where action = 'member.import.update'")
    before, after = (json.loads(v) if isinstance(v, str) else v for v in (before, after))
    assert before == {"name": "甲一", "branch_id": world.branch_a_id}
    assert after == {"name": "甲一改", "branch_id": world.branch_b_id}

    state = snapshot(q)
    again = upload(admin, csv_bytes(GOOD), dry_run=False)
    assert again.status_code == 200
    assert again.get_json()["summary"] == {"rows": 6, "create": 0, "update": 0, "unchanged": 6, "refuse": 0,
                                          "deactivate": 0}
    assert snapshot(q) == state


def test_xlsx_with_english_headers_numbers_and_extra_columns(world, login, q):
    admin = login(world.phones.admin)
    rows = [["张三", 13900002001, "第一支部", "一号社区", "member", "备注一"],
            ["李四", 13900002002.0, "第二支部", None, None, None],
            ["王五", "12345", "第一支部", None, None, None]]
    header = ["Name", "Phone", "Branch", "Community", "Role", "备注"]
    resp = upload(admin, xlsx_bytes(rows, header), name="名册.xlsx")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert [r["action"] for r in body["rows"]] == ["create", "create", "refuse"]
    assert [r["phone"] for r in body["rows"]][:2] == ["13900002001", "13900002002"]
    assert upload(admin, xlsx_bytes(rows, header), name="名册.xlsx", dry_run=False).status_code == 422
    good = xlsx_bytes(rows[:2], header)
    assert upload(admin, good, name="名册.xlsx", dry_run=False).get_json()["summary"]["create"] == 2
    state = snapshot(q)
    assert upload(admin, good, name="名册.xlsx", dry_run=False).get_json()["summary"]["unchanged"] == 2
    assert snapshot(q) == state
    names = dict(q("select phone, name from users where phone like '1390000200%'"))
    assert names == {"13900002001": "张三", "13900002002": "李四"}


def test_gbk_csv_and_initial_password(world, login, anon):
    admin = login(world.phones.admin)
    data = csv_bytes([["赵六", "13900003001", "第一支部", "", ""]], encoding="gb18030")
    resp = upload(admin, data, dry_run=False, initial_password="welcome-2026")
    assert resp.status_code == 200 and resp.get_json()["summary"]["create"] == 1
    ok = anon.post("/api/v1/auth/login", json={"phone": "13900003001", "password": "welcome-2026"})
    assert ok.status_code == 200
    data = csv_bytes([["钱七", "13900003002", "第一支部", "", ""]])
    assert upload(admin, data, dry_run=False).status_code == 200
    refused = anon.post("/api/v1/auth/login", json={"phone": "13900003002", "password": "!imported"})
    assert refused.status_code == 401


def test_bad_files(world, login):
    admin = login(world.phones.admin)
    resp = upload(admin, csv_bytes([["x", "13900004001"]], header=["名称", "号码"]))
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "import_missing_columns"
    resp = upload(admin, b"PK\x03\x04 this is no workbook", name="roster.xlsx")
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "import_bad_file"
    resp = admin.post("/api/v1/members/import", data={"dry_run": "true"}, content_type="multipart/form-data")
    assert resp.status_code == 422


def test_organizers_import_plain_members_of_their_organizations(world, login, q):
    organizer = login(world.phones.org_a)
    rows = [["新党员", "13900005001", "第一支部", "一号社区", ""],
            ["别支部", "13900005002", "第二支部", "", ""],
            ["想当书记", "13900005003", "第一支部", "", "书记"],
            ["乙一", "13800000201", "第一支部", "", ""],  # b1 belongs to branch_b
            ["没写支部", "13900005004", "", "", ""]]
    body = upload(organizer, csv_bytes(rows)).get_json()
    codes = [[x["code"] for x in r["reasons"]] for r in body["rows"]]
    assert codes == [[], ["branch_out_of_scope"], ["role_needs_admin"], ["member_out_of_scope"],
                     ["branch_required"]]
    assert upload(organizer, csv_bytes(rows[:1]), dry_run=False).get_json()["summary"]["create"] == 1
    assert upload(login(world.phones.a1), csv_bytes(rows[:1])).status_code == 403
    assert upload(login(world.phones.liaison1), csv_bytes(rows[:1])).status_code == 403


def test_template_download(world, login):
    resp = login(world.phones.admin).get("/api/v1/members/import/template")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert [c.value for c in ws[1]] == HEADER + ["入党时间"]  # the political birthday's column too
    resp = login(world.phones.admin).get("/api/v1/members/import/template?format=csv")
    assert resp.data.decode("utf-8-sig").splitlines()[0] == ",".join(HEADER + ["入党时间"])


def test_the_templates_examples_import_as_they_are(world, login):
    """An organizer who downloads the template and uploads it unchanged gets no refused row (newcomer issue)."""
    org = login(world.phones.org_a)
    template = org.get("/api/v1/members/import/template")
    rows = [[c.value or "" for c in row] for row in load_workbook(io.BytesIO(template.data)).active.iter_rows()]
    assert rows[1][2] == "第一支部"  # the organizer's own branch, not a made-up one
    resp = upload(org, template.data, name="名册模板.xlsx")
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert body["summary"].get("refuse", 0) == 0, body["rows"]
    assert body["columns"].get("joined") == "入党时间"


def test_stray_control_characters_in_a_roster_are_left_out(world, login, q):
    """A spreadsheet's invisible control characters never reach a stored name (nor break an export)."""
    admin = login(world.phones.admin)
    rows = [["新\x07人一\x1f", "13900001001", "第一支部", "", ""],
            ["甲二\x0b", "13800000102", "第一支部", "一号社区", ""]]
    resp = upload(admin, csv_bytes(rows), dry_run=False)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["summary"]["create"] == 1 and resp.get_json()["summary"]["unchanged"] == 1
    assert q("select name from users where phone = '13900001001'") == [("新人一",)]
