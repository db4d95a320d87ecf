"""The 三会一课 meetings as kinds: 支部党员大会 and 党课 expect the branch, 支委会 its committee members (支委),
党小组会 one Party group; eligibility, live counts, absence deductions and the participation report agree."""
from datetime import timedelta

from server.auth.models import PartyGroup, User
from server.events.kinds import KINDS, codes_where
from server.extensions import db
from server.hours import closing
from server.points.ledger import DEFAULT_RULES
from tests import support

MEETINGS = ("branch_assembly", "committee_meeting", "group_meeting", "party_lecture")
ENDED = {"start_in": timedelta(hours=-6), "hours": 2}


def setup_groups(ctx, world) -> tuple[int, int]:
    """a1, a2 are 支委; a3 is in group 一组 of branch_a; b1 in a group of branch_b."""
    with ctx():
        g1, gb = PartyGroup(branch_id=world.branch_a_id, name="一组"), PartyGroup(branch_id=world.branch_b_id,
                                                                               name="乙组")
        db.session.add_all([g1, gb])
        db.session.flush()
        for uid in (world.ids.a1, world.ids.a2):
            db.session.get(User, uid).is_committee = True
        db.session.get(User, world.ids.a3).party_group_id = g1.id
        db.session.get(User, world.ids.b1).party_group_id = gb.id
        db.session.commit()
        return g1.id, gb.id


def test_meeting_kinds_are_rows_of_the_kinds_table_with_rules(q):
    assert set(MEETINGS) < set(codes_where(org_life=True))
    assert KINDS["committee_meeting"].audience == "committee" and KINDS["group_meeting"].audience == "group"
    assert all(KINDS[k].expects_roster and not KINDS[k].records_hours for k in MEETINGS)
    rules = {r[0] for r in q("select kind from points_rules")}
    assert set(MEETINGS) <= rules == set(DEFAULT_RULES)


def test_committee_meeting_expects_only_committee_members(world, ctx, make_event, token_for, scan, login):
    setup_groups(ctx, world)
    meeting = make_event("committee_meeting", start_in=timedelta(minutes=-5))
    token = token_for(meeting)
    refused = scan(world.phones.a3, token)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_eligible"
    assert scan(world.phones.a1, token).status_code in (200, 201)
    summary = login(world.phones.org_a).get(f"/api/v1/events/{meeting}/attendance").get_json()["summary"]
    assert (summary["expected"], summary["checked_in"], summary["absent"]) == (2, 1, 1)
    roster = login(world.phones.org_a).get(f"/api/v1/events/{meeting}/roster").get_json()
    assert {r["member_id"] for r in roster["items"]} == {world.ids.a1, world.ids.a2}


def test_group_meeting_needs_a_group_of_the_host(world, ctx, login):
    g1, gb = setup_groups(ctx, world)
    starts = support.iso(support.utcnow().replace(microsecond=0) + timedelta(days=1))
    ends = support.iso(support.utcnow().replace(microsecond=0) + timedelta(days=1, hours=2))
    body = {"kind": "group_meeting", "title": "一组党小组会", "starts_at": starts, "ends_at": ends,
            "host_org_id": world.branch_a_id}
    org = login(world.phones.org_a)
    missing = org.post("/api/v1/events", json=body)
    assert missing.status_code == 422
    assert missing.get_json()["error"]["details"]["codes"]["party_group_id"] == "event_group_required"
    other = org.post("/api/v1/events", json={**body, "party_group_id": gb})
    assert other.get_json()["error"]["details"]["codes"]["party_group_id"] == "event_group_not_host"
    stray = org.post("/api/v1/events", json={**body, "kind": "branch_assembly", "party_group_id": g1})
    assert stray.get_json()["error"]["details"]["codes"]["party_group_id"] == "event_group_without_audience"
    created = org.post("/api/v1/events", json={**body, "party_group_id": g1})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["audience"] == "group" and created.get_json()["party_group_id"] == g1


def test_group_meeting_eligibility_and_absences(world, ctx, make_event, token_for, scan, q):
    g1, _ = setup_groups(ctx, world)
    live = make_event("group_meeting", start_in=timedelta(minutes=-5), party_group_id=g1)
    token = token_for(live)
    assert scan(world.phones.a4, token).get_json()["error"]["code"] == "not_eligible"
    assert scan(world.phones.b1, token).get_json()["error"]["code"] == "not_eligible"  # another branch's group
    assert scan(world.phones.a3, token).status_code in (200, 201)
    committee = make_event("committee_meeting", **ENDED)
    group = make_event("group_meeting", party_group_id=g1, **ENDED)
    with ctx():
        closing.close_ended_events()
    absent = {(e, u) for e, u in q("select event_id, user_id from absence_deductions")}
    assert absent == {(committee, world.ids.a1), (committee, world.ids.a2), (group, world.ids.a3)}
    codes = {r[0] for r in q("select rule_code from points_ledger where entry_type = 'pay' and amount < 0")}
    assert codes == {"committee_meeting.absence", "group_meeting.absence"}
    reasons = {r[0] for r in q("select reason from audit_log where action = 'points.absence'")}
    assert all(r.startswith("缺席支委会") or r.startswith("缺席党小组会") for r in reasons)


def test_participation_counts_the_expected_of_each_meeting(world, ctx, make_event, login):
    g1, _ = setup_groups(ctx, world)
    make_event("committee_meeting", **ENDED)      # expects a1, a2
    make_event("group_meeting", party_group_id=g1, **ENDED)  # expects a3
    make_event("branch_assembly", **ENDED)        # expects org_a, a1..a4
    month = support.utcnow().strftime("%Y-%m")
    body = login(world.phones.org_a).get(f"/api/v1/reports/participation?org_id={world.branch_a_id}"
                                         f"&month={month}").get_json()
    assert body["totals"]["expected"] == 2 + 1 + 5
    assert body["totals"]["attended"] == 0


def test_staff_set_committee_members_and_groups(world, ctx, login, q):
    org = login(world.phones.org_a)
    made = org.post("/api/v1/orglife/groups", json={"branch_id": world.branch_a_id, "name": "二组"})
    assert made.status_code == 201
    gid = made.get_json()["id"]
    again = org.post("/api/v1/orglife/groups", json={"branch_id": world.branch_a_id, "name": "二组"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "orglife_group_name_taken"
    assert login(world.phones.org_b).post("/api/v1/orglife/groups",
                                          json={"branch_id": world.branch_a_id, "name": "三组"}).status_code == 403
    resp = org.patch(f"/api/v1/orglife/members/{world.ids.a2}",
                     json={"is_committee": True, "party_group_id": gid, "reason": "支委会选举"})
    assert resp.status_code == 200 and resp.get_json()["is_committee"] is True
    wrong = login(world.phones.admin).post("/api/v1/orglife/groups",
                                           json={"branch_id": world.branch_b_id, "name": "乙二组"}).get_json()["id"]
    bad = org.patch(f"/api/v1/orglife/members/{world.ids.a2}", json={"party_group_id": wrong})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"]["codes"]["party_group_id"] == "orglife_group_other_branch"
    assert org.patch(f"/api/v1/orglife/members/{world.ids.b1}", json={"is_committee": True}).status_code == 404
    assert q("select is_committee, party_group_id from users where id = :u", u=world.ids.a2)[0] == (True, gid)
    audits = q("select before, after, reason from audit_log where action = 'orglife.member.set'")
    assert len(audits) == 1 and audits[0][2] == "支委会选举"
    listing = org.get(f"/api/v1/orglife/groups?org_id={world.branch_a_id}").get_json()
    assert [(g["name"], g["members"]) for g in listing] == [("二组", 1)]
