"""Staff managing people: a member's record, deactivation (sessions end, history stays), and moves that keep
history where it was earned while withdrawing open claims in the community left (accounts issue, 4-5)."""

from server.common.audit import AuditLog
from server.community.models import CommunityRegistration, DutyClaim
from server.extensions import db
from tests import objects


def test_a_members_record_is_for_their_managers(world, login, make_event, token_for, scan):
    scan(world.phones.a3, token_for(make_event("party_day", title="十二月主题党日")))
    org = login(world.phones.org_a)
    body = org.get(f"/api/v1/members/{world.ids.a3}").get_json()
    assert body["name"] == "甲三" and body["branch"]["id"] == world.branch_a_id and body["card_version"] == 1
    assert [a["title"] for a in body["recent_attendance"]] == ["十二月主题党日"]
    assert login(world.phones.org_b).get(f"/api/v1/members/{world.ids.a3}").status_code == 403
    assert org.get("/api/v1/members/999999").status_code == 404


def test_deactivation_ends_sessions_keeps_history_and_is_undone(world, login, make_event, token_for, scan, q):
    member = login(world.phones.a1)
    assert scan(member, token_for(make_event("party_day"))).status_code == 201
    org = login(world.phones.org_a)
    assert org.post(f"/api/v1/members/{world.ids.org_a}/deactivate", json={"reason": "自己"}).status_code == 403
    off = org.post(f"/api/v1/members/{world.ids.a1}/deactivate", json={"reason": "调离本单位"})
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert member.get("/api/v1/me").status_code == 401  # the session ended at once
    assert q("select count(*) from attendance where user_id = :u", u=world.ids.a1) == [(1,)]  # history stays
    assert q("select count(*) from points_ledger where user_id = :u", u=world.ids.a1)[0][0] >= 1
    on = org.post(f"/api/v1/members/{world.ids.a1}/reactivate", json={"reason": "返回本单位"})
    assert on.status_code == 200 and on.get_json()["active"] is True
    assert login(world.phones.a1).get("/api/v1/me").status_code == 200
    assert [r[0] for r in q("select action from audit_log where object_type = 'user' and object_id = :u "
                            "order by id", u=world.ids.a1)] == ["member.deactivate", "member.activate"]


def test_a_branch_move_needs_both_branches_in_scope(world, login):
    body = {"branch_id": world.branch_b_id, "reason": "调入第二支部"}
    refused = login(world.phones.org_a).post(f"/api/v1/members/{world.ids.a1}/move", json=body)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "member_branch_out_of_scope"
    moved = login(world.phones.org_general).post(f"/api/v1/members/{world.ids.a1}/move", json=body)
    assert moved.status_code == 200 and moved.get_json()["branch"]["id"] == world.branch_b_id
    nothing = login(world.phones.admin).post(f"/api/v1/members/{world.ids.a1}/move", json={"reason": "x"})
    assert nothing.status_code == 422


def test_a_community_move_withdraws_future_claims_and_keeps_the_past(world, login, ctx, q, make_event):
    with ctx():
        objects.accepted_registration(world, "a1")
        _duty, future_slot = objects.duty(world, hours_ahead=48)
        future_claim = objects.claim(future_slot, world.ids.a1)
        past = objects.duty_attendance(world, "a1", "confirmed")
    admin = login(world.phones.admin)
    moved = admin.post(f"/api/v1/members/{world.ids.a1}/move", json={"community_id": world.c2_id,
                                                                      "reason": "搬到二号社区"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["community"]["id"] == world.c2_id and moved.get_json()["claims_withdrawn"] == [future_claim]
    with ctx():
        claim = db.session.get(DutyClaim, future_claim)
        assert claim.status == "withdrawn" and "迁出" in claim.withdraw_reason
        regs = {r.community_id: (r.status, r.end_reason) for r in db.session.scalars(
            db.select(CommunityRegistration).where(CommunityRegistration.user_id == world.ids.a1))}
        assert regs == {world.c1_id: ("ended", "moved"), world.c2_id: ("accepted", "")}
        entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "member.move")).one()
        assert entry.before["community_id"] == world.c1_id and entry.after["community_id"] == world.c2_id
        assert entry.reason == "搬到二号社区"
    # the hours served at c1 stay c1's
    assert q("select state, hours_confirmed from attendance where id = :a", a=past)[0][0] == "confirmed"
    liaison = login(world.phones.liaison1)
    claims = liaison.get(f"/api/v1/duty-slots/{future_slot}/claims").get_json()["claims"]
    assert [(c["status"], "迁出" in c["withdraw_reason"]) for c in claims] == [("withdrawn", True)]


def test_admins_grant_and_remove_roles_with_their_scopes(world, login):
    admin, org = login(world.phones.admin), login(world.phones.org_a)
    body = {"role": "organizer", "organization_id": world.branch_a_id, "reason": "任命为支部书记"}
    assert org.post(f"/api/v1/members/{world.ids.a3}/roles", json=body).status_code == 403
    assert admin.post(f"/api/v1/members/{world.ids.a3}/roles", json={**body, "organization_id": None}).status_code \
        == 422
    granted = admin.post(f"/api/v1/members/{world.ids.a3}/roles", json=body)
    assert granted.status_code == 201 and "organizer" in granted.get_json()["roles"]
    assert admin.post(f"/api/v1/members/{world.ids.a3}/roles", json=body).status_code == 409
    new_organizer = login(world.phones.a3)
    assert new_organizer.get(f"/api/v1/members/{world.ids.a1}").status_code == 200  # now manages branch_a
    grant_id = granted.get_json()["grants"][0]["id"]
    removed = admin.post(f"/api/v1/members/{world.ids.a3}/roles/{grant_id}/remove", json={"reason": "换届"})
    assert removed.status_code == 200 and removed.get_json()["roles"] == ["member"]
    assert new_organizer.get(f"/api/v1/members/{world.ids.a1}").status_code == 403  # at once


def test_staff_find_members_of_their_scope_by_name_branch_and_status(world, login, ctx):
    from server.auth.services import UNUSABLE_PASSWORD
    from tests.conftest import sql
    with ctx():
        sql("update users set password_hash = :h where id = :u", h=UNUSABLE_PASSWORD, u=world.ids.a4)
        db.session.commit()
    org = login(world.phones.org_a)
    everyone = org.get("/api/v1/people").get_json()
    assert {m["name"] for m in everyone["members"]} == {"甲组织者", "甲一", "甲二", "甲三", "甲四"}  # branch_a only
    assert everyone["total"] == 5 and everyone["per_page"] == 50
    assert [m["name"] for m in org.get("/api/v1/people?status=waiting").get_json()["members"]] == ["甲四"]
    assert [m["name"] for m in org.get("/api/v1/people?q=0102").get_json()["members"]] == ["甲二"]
    assert org.post(f"/api/v1/members/{world.ids.a3}/deactivate", json={"reason": "调离"}).status_code == 200
    assert [m["name"] for m in org.get("/api/v1/people?status=inactive").get_json()["members"]] == ["甲三"]
    general = login(world.phones.org_general).get(f"/api/v1/people?branch_id={world.branch_b_id}").get_json()
    assert {m["name"] for m in general["members"]} == {"乙组织者", "乙一"}
    assert org.get("/api/v1/people?branch_id=999999").status_code == 422
    assert login(world.phones.liaison1).get("/api/v1/people").status_code == 403
