"""Double registration (双报到): reporting in by a scanned code, decisions, moving, pairings, scopes."""
from urllib.parse import urlsplit

from server.common import qrtoken
from tests import qrdecode
from tests.support import SECRET

BASE = "https://qd.example.cn"


# -- helpers shared by the test_community* files -----------------------------------------------

def decode_png(png: bytes) -> str:
    return qrdecode.decode_png(png)


def code_token(liaison, community_id: int) -> str:
    resp = liaison.get(f"/api/v1/communities/{community_id}/registration-code")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["token"]


def register(member, liaison, community_id: int, message: str = "") -> dict:
    """File and accept a registration through the API; returns the accepted registration."""
    filed = member.post("/api/v1/community-registrations", json={"token": code_token(liaison, community_id)})
    assert filed.status_code == 201, filed.get_json()
    done = liaison.post(f"/api/v1/community-registrations/{filed.get_json()['id']}/accept", json={"message": message})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def audit_rows(ctx, action: str) -> list[tuple]:
    """(actor_id, before, after, reason) of the audit rows with this action, oldest first (JSON decoded)."""
    from server.common.audit import AuditLog
    from server.extensions import db
    with ctx():
        rows = db.session.scalars(db.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))
        return [(r.actor_id, r.before, r.after, r.reason) for r in rows]


def set_community(ctx, user_id: int, community_id: int | None) -> None:
    from server.auth.models import User
    from server.extensions import db
    with ctx():
        db.session.get(User, user_id).community_id = community_id
        db.session.commit()


# -- reporting in ------------------------------------------------------------------------------

def test_registration_by_scanned_code_end_to_end(world, login, q):
    liaison, member = login(world.phones.liaison1), login(world.phones.a3)
    png = liaison.get(f"/api/v1/communities/{world.c1_id}/registration-qr?format=png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    url = decode_png(png.data)
    assert url.startswith(BASE + "/r/"), url
    token = urlsplit(url).path.rsplit("/", 1)[1]
    svg = liaison.get(f"/api/v1/communities/{world.c1_id}/registration-qr?format=svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data

    preview = member.get(f"/api/v1/community-registrations/preview?token={token}").get_json()
    assert preview["community"]["name"] == "一号社区" and preview["already_registered"] is False

    note = {"address": "幸福路 1 号", "skills": "理发、法律咨询", "availability": "周末上午"}
    filed = member.post("/api/v1/community-registrations", json={"token": token, "note": note})
    assert filed.status_code == 201, filed.get_json()
    reg = filed.get_json()
    assert reg["status"] == "pending" and reg["note"] == note and reg["receipt"] is None
    again = member.post("/api/v1/community-registrations", json={"token": token})
    assert again.status_code == 200 and again.get_json()["id"] == reg["id"]

    queue = liaison.get(f"/api/v1/communities/{world.c1_id}/registrations?status=pending").get_json()
    assert [r["id"] for r in queue] == [reg["id"]] and queue[0]["member"]["name"] == "甲三"

    accepted = liaison.post(f"/api/v1/community-registrations/{reg['id']}/accept", json={"message": "欢迎加入"})
    assert accepted.status_code == 200, accepted.get_json()
    body = accepted.get_json()
    assert body["status"] == "accepted" and body["decided_by"] == "一联络员"
    receipt = body["receipt"]
    assert receipt["receipt_no"].startswith("SBD") and receipt["message"] == "欢迎加入"
    assert "甲三同志（第一支部）" in receipt["text"] and "一号社区报到" in receipt["text"]
    assert receipt["accepted_at"].endswith("+08:00")

    mine = member.get("/api/v1/community-registrations/mine").get_json()
    assert mine["community"]["id"] == world.c1_id and mine["current"]["receipt"] == receipt
    assert member.get("/api/v1/me").get_json()["community_id"] == world.c1_id
    assert q("select community_id from users where id = :u", u=world.ids.a3)[0][0] == world.c1_id
    audit = q("select action, actor_id from audit_log where object_type = 'community_registration'")
    assert audit == [("community.registration.accept", world.ids.liaison1)]
    already = member.post("/api/v1/community-registrations", json={"token": token})
    assert already.status_code == 409 and already.get_json()["error"]["code"] == "registration_already_registered"


def test_decline_with_reason(world, login, q):
    liaison, member = login(world.phones.liaison1), login(world.phones.a4)
    reg = member.post("/api/v1/community-registrations", json={"token": code_token(liaison, world.c1_id)}).get_json()
    no_reason = liaison.post(f"/api/v1/community-registrations/{reg['id']}/decline", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["details"]["fields"]["json"]
    declined = liaison.post(f"/api/v1/community-registrations/{reg['id']}/decline",
                            json={"reason": "地址不在本社区辖区"})
    assert declined.status_code == 200
    assert declined.get_json()["status"] == "declined" and declined.get_json()["decision_note"] == "地址不在本社区辖区"
    assert declined.get_json()["receipt"] is None
    late = liaison.post(f"/api/v1/community-registrations/{reg['id']}/accept", json={})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "registration_not_pending"
    mine = member.get("/api/v1/community-registrations/mine").get_json()
    assert mine["community"] is None and mine["history"][0]["status"] == "declined"
    assert q("select community_id from users where id = :u", u=world.ids.a4)[0][0] is None
    reasons = q("select reason from audit_log where action = 'community.registration.decline'")
    assert reasons == [("地址不在本社区辖区",)]


def test_moving_communities_keeps_history(world, login, q, ctx):
    member = login(world.phones.a3)
    liaison1, liaison2 = login(world.phones.liaison1), login(world.phones.liaison2)
    first = register(member, liaison1, world.c1_id)
    moving = member.post("/api/v1/community-registrations", json={"token": code_token(liaison2, world.c2_id)})
    assert moving.status_code == 201
    # still registered with c1 while the request waits
    assert member.get("/api/v1/community-registrations/mine").get_json()["community"]["id"] == world.c1_id
    second = liaison2.post(f"/api/v1/community-registrations/{moving.get_json()['id']}/accept", json={}).get_json()
    assert second["status"] == "accepted"
    mine = member.get("/api/v1/community-registrations/mine").get_json()
    assert mine["community"]["id"] == world.c2_id and mine["current"]["id"] == second["id"]
    history = {r["id"]: r for r in mine["history"]}
    assert history[first["id"]]["status"] == "ended" and history[first["id"]]["end_reason"] == "moved"
    assert history[first["id"]]["ended_at"] is not None and history[first["id"]]["receipt"] is not None
    assert [r["id"] for r in mine["history"]] == [second["id"], first["id"]]
    assert q("select count(*) from community_registrations where user_id = :u and status = 'accepted'",
             u=world.ids.a3)[0][0] == 1
    moves = audit_rows(ctx, "community.member.move")
    assert len(moves) == 1 and moves[0][0] == world.ids.liaison2
    assert moves[0][1]["community_id"] == world.c1_id and moves[0][2]["community_id"] == world.c2_id
    # the old community's liaison still sees the ended registration in its history
    old = liaison1.get(f"/api/v1/communities/{world.c1_id}/registrations").get_json()
    assert [(r["id"], r["status"]) for r in old] == [(first["id"], "ended")]


def test_member_set_by_admin_moves_by_registration(world, login, q, ctx):
    """a1 was put in c1 by an admin (no registration row); a registration elsewhere still moves them."""
    member, liaison2 = login(world.phones.a1), login(world.phones.liaison2)
    register(member, liaison2, world.c2_id)
    assert q("select community_id from users where id = :u", u=world.ids.a1)[0][0] == world.c2_id
    moves = audit_rows(ctx, "community.member.move")
    assert moves[0][1] == {"community_id": world.c1_id, "registration_id": None}


def test_new_scan_replaces_waiting_request(world, login, q):
    member = login(world.phones.a3)
    liaison1, liaison2 = login(world.phones.liaison1), login(world.phones.liaison2)
    first = member.post("/api/v1/community-registrations", json={"token": code_token(liaison1, world.c1_id)})
    second = member.post("/api/v1/community-registrations", json={"token": code_token(liaison2, world.c2_id)})
    assert first.status_code == second.status_code == 201
    rows = q("select id, status, end_reason from community_registrations order by id")
    assert rows == [(first.get_json()["id"], "ended", "superseded"), (second.get_json()["id"], "pending", "")]
    stale = liaison1.post(f"/api/v1/community-registrations/{first.get_json()['id']}/accept", json={})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "registration_not_pending"


def test_member_ends_own_registration(world, login, q):
    member, liaison = login(world.phones.a3), login(world.phones.liaison1)
    reg = register(member, liaison, world.c1_id)
    other = login(world.phones.a4).post(f"/api/v1/community-registrations/{reg['id']}/end", json={})
    assert other.status_code == 403
    ended = member.post(f"/api/v1/community-registrations/{reg['id']}/end", json={"reason": "搬家"})
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    assert q("select community_id from users where id = :u", u=world.ids.a3)[0][0] is None
    again = member.post(f"/api/v1/community-registrations/{reg['id']}/end", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "registration_not_active"


def test_liaison_of_another_community_refused(world, login, q):
    member = login(world.phones.a3)
    liaison1, liaison2 = login(world.phones.liaison1), login(world.phones.liaison2)
    reg = member.post("/api/v1/community-registrations", json={"token": code_token(liaison1, world.c1_id)}).get_json()
    for path, body in ((f"/api/v1/community-registrations/{reg['id']}/accept", {}),
                       (f"/api/v1/community-registrations/{reg['id']}/decline", {"reason": "不是本社区"}),
                       (f"/api/v1/communities/{world.c1_id}/registration-code/rotate", {})):
        resp = liaison2.post(path, json=body)
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden", path
    for path in (f"/api/v1/communities/{world.c1_id}/registration-qr",
                 f"/api/v1/communities/{world.c1_id}/registrations",
                 f"/api/v1/community-registrations/{reg['id']}"):
        assert liaison2.get(path).status_code == 403, path
    for who in (world.phones.a1, world.phones.org_a):  # members and organizers do not show codes
        assert login(who).get(f"/api/v1/communities/{world.c1_id}/registration-qr").status_code == 403
    assert q("select status from community_registrations") == [("pending",)]
    admin = login(world.phones.admin)
    assert admin.post(f"/api/v1/community-registrations/{reg['id']}/accept", json={}).status_code == 200
    assert login(world.phones.admin).get("/api/v1/communities/999/registration-code").status_code == 404


def test_rotated_code_stops_working(world, login, ctx):
    liaison, member = login(world.phones.liaison1), login(world.phones.a3)
    old = code_token(liaison, world.c1_id)
    rotated = liaison.post(f"/api/v1/communities/{world.c1_id}/registration-code/rotate", json={"reason": "海报被撕"})
    assert rotated.status_code == 200 and rotated.get_json()["key_version"] == 2
    refused = member.post("/api/v1/community-registrations", json={"token": old})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "registration_code_invalid"
    assert refused.get_json()["error"]["details"] == {"reason": "revoked"}
    fresh = rotated.get_json()["token"]
    assert member.post("/api/v1/community-registrations", json={"token": fresh}).status_code == 201
    assert audit_rows(ctx, "community.code.rotate") == [
        (world.ids.liaison1, {"key_version": 1}, {"key_version": 2}, "海报被撕")]


def test_forged_and_foreign_tokens_refused(world, login, make_event, token_for):
    member = login(world.phones.a3)
    good = code_token(login(world.phones.liaison1), world.c1_id)
    forged = qrtoken.sign("not-the-server-secret", qrtoken.parse(good))
    event_token = token_for(make_event("volunteer_service"))
    rotating = qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_COMMUNITY, world.c1_id, 1, 5, "in", False))
    for bad in (forged, event_token, rotating, "garbage", good[:-3]):
        resp = member.post("/api/v1/community-registrations", json={"token": bad})
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "registration_code_invalid", bad
    english = member.post("/api/v1/community-registrations?lang=en", json={"token": forged}).get_json()
    assert english["error"]["message"].startswith("This registration code is not valid")


def test_registration_requires_sign_in(world, anon):
    resp = anon.post("/api/v1/community-registrations", json={"token": "x"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


# -- organization pairing ------------------------------------------------------------------------

def test_admin_pairs_organization_with_community_keeping_history(world, login, q):
    admin = login(world.phones.admin)
    first = admin.post("/api/v1/community-pairings", json={"organization_id": world.branch_a_id,
                                                           "community_id": world.c1_id, "note": "共建"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["active"] is True and first.get_json()["community_name"] == "一号社区"
    dup = admin.post("/api/v1/community-pairings", json={"organization_id": world.branch_a_id,
                                                         "community_id": world.c1_id})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "pairing_exists"
    second = admin.post("/api/v1/community-pairings", json={"organization_id": world.branch_a_id,
                                                            "community_id": world.c2_id})
    assert second.status_code == 201
    history = admin.get(f"/api/v1/community-pairings?organization_id={world.branch_a_id}&include_ended=true")
    assert [(p["community_id"], p["active"]) for p in history.get_json()] == [(world.c2_id, True),
                                                                             (world.c1_id, False)]
    current = admin.get(f"/api/v1/community-pairings?organization_id={world.branch_a_id}").get_json()
    assert [p["id"] for p in current] == [second.get_json()["id"]]
    admin.post("/api/v1/community-pairings", json={"organization_id": world.branch_b_id, "community_id": world.c1_id})

    # scopes: organizers see their subtree, liaisons their communities' partners, nobody else pairs
    org_a = login(world.phones.org_a)
    assert org_a.post("/api/v1/community-pairings", json={"organization_id": world.branch_a_id,
                                                          "community_id": world.c1_id}).status_code == 403
    assert {p["organization_id"] for p in org_a.get("/api/v1/community-pairings").get_json()} == {world.branch_a_id}
    general = login(world.phones.org_general).get("/api/v1/community-pairings").get_json()
    assert {p["organization_id"] for p in general} == {world.branch_a_id, world.branch_b_id}
    liaison1 = login(world.phones.liaison1).get("/api/v1/community-pairings").get_json()
    assert [(p["organization_id"], p["community_id"]) for p in liaison1] == [(world.branch_b_id, world.c1_id)]
    assert login(world.phones.a1).get("/api/v1/community-pairings").status_code == 403

    ended = admin.post(f"/api/v1/community-pairings/{second.get_json()['id']}/end", json={"reason": "调整"})
    assert ended.status_code == 200 and ended.get_json()["active"] is False
    again = admin.post(f"/api/v1/community-pairings/{second.get_json()['id']}/end", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "pairing_already_ended"
    actions = [a for (a,) in q("select action from audit_log where object_type = 'org_community_pairing' order by id")]
    assert actions == ["community.pairing.create"] * 3 + ["community.pairing.end"]


def test_demo_seed_gives_the_liaison_a_queue_and_a_need(app, login):
    from server.auth.models import Community
    from server.community.demo import seed_community_demo
    from server.demo import DEMO_PASSWORD, LIAISON, seed
    from server.extensions import db
    from tests.support import empty_database
    with app.app_context():
        empty_database()
        seed()
        seed_community_demo()  # loads, or finds it loaded once server.demo.seed() calls it itself
        assert seed_community_demo() == "community demo already loaded"
        community_id = db.session.scalar(db.select(Community.id))
        db.session.remove()
    liaison = login(LIAISON, DEMO_PASSWORD)
    queue = liaison.get(f"/api/v1/communities/{community_id}/registrations?status=pending").get_json()
    assert len(queue) == 2
    member = login("13900000101", DEMO_PASSWORD)
    assert member.get("/api/v1/community-registrations/mine").get_json()["current"]["receipt"]["receipt_no"]
    needs = member.get(f"/api/v1/communities/{community_id}/duties").get_json()
    assert [len(d["slots"]) for d in needs] == [2] and needs[0]["slots"][0]["claimed_by_me"] is True
    newcomer = login("13900000125", DEMO_PASSWORD)
    filed = newcomer.post("/api/v1/community-registrations", json={"token": code_token(liaison, community_id)})
    assert filed.status_code == 201
