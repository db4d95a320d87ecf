"""Re-importing a roster (issue 12, item 8): the dry run shows what is new, changed, to deactivate and
unchanged; the real run applies exactly that in one transaction. Deactivating the missing is asked for,
limited to the branches the file names and the importer manages, and keeps everything the members did."""
from tests.test_import import csv_bytes, upload

# branch_a (第一支部) holds org_a, a1..a4; the new roster of branch_a drops a3 and a4, renames a2, adds one.
ROSTER = [
    ["甲组织者", "13800000001", "第一支部", "", ""],
    ["甲一", "13800000101", "第一支部", "一号社区", ""],
    ["甲二（改名）", "13800000102", "第一支部", "一号社区", ""],
    ["新来的", "13900002001", "第一支部", "", ""],
]


def test_the_dry_run_shows_the_diff_and_the_real_run_applies_it(world, login, q, make_event, token_for, scan):
    assert scan(world.phones.a3, token_for(make_event("party_day"))).status_code == 201
    a3_session = login(world.phones.a3)
    org = login(world.phones.org_a)
    before = q("select id, name, active from users order by id")
    dry = upload(org, csv_bytes(ROSTER), deactivate_missing="true").get_json()
    assert dry["summary"] == {"rows": 4, "create": 1, "update": 1, "unchanged": 2, "refuse": 0, "deactivate": 2}
    assert sorted((r["name"], r["action"]) for r in dry["rows"] if r["action"] == "deactivate") == [
        ("甲三", "deactivate"), ("甲四", "deactivate")]
    assert q("select id, name, active from users order by id") == before  # a dry run writes nothing
    plain = upload(org, csv_bytes(ROSTER)).get_json()  # without the option nobody is deactivated
    assert plain["summary"]["deactivate"] == 0
    done = upload(org, csv_bytes(ROSTER), dry_run=False, deactivate_missing="true")
    assert done.status_code == 200 and done.get_json()["summary"] == dry["summary"]
    active = dict(q("select name, active from users where branch_id = :b", b=world.branch_a_id))
    assert active["甲三"] in (False, 0) and active["甲四"] in (False, 0) and active["甲二（改名）"] in (True, 1)
    assert a3_session.get("/api/v1/me").status_code == 401  # a deactivated member's sessions end
    assert q("select count(*) from attendance where user_id = :u", u=world.ids.a3) == [(1,)]  # history stays
    assert q("select count(*) from users where branch_id = :b and active = :t", b=world.branch_b_id, t=True) == [
        (2,)]  # branch_b is not in the file: untouched
    assert sorted(r[0] for r in q("select object_id from audit_log where action = 'member.import.deactivate'")) == [
        world.ids.a3, world.ids.a4]
    again = upload(org, csv_bytes(ROSTER + [["甲三", "13800000103", "第一支部", "", ""]]), dry_run=False,
                   deactivate_missing="true").get_json()
    assert [(r["name"], r["changes"]) for r in again["rows"] if r["action"] == "update"] == [
        ("甲三", {"active": [False, True]})]  # back on the roster: reactivated
    assert again["summary"]["deactivate"] == 0  # a4 is already inactive


def test_an_organizer_deactivates_only_inside_their_scope(world, login, q):
    roster = [["乙组织者", "13800000002", "第二支部", "", ""]]  # branch_b, which org_a does not manage
    refused = upload(login(world.phones.org_a), csv_bytes(roster), deactivate_missing="true").get_json()
    assert refused["summary"]["refuse"] == 1 and refused["summary"]["deactivate"] == 0
    general = upload(login(world.phones.org_general), csv_bytes(roster), deactivate_missing="true").get_json()
    assert [r["name"] for r in general["rows"] if r["action"] == "deactivate"] == ["乙一"]
