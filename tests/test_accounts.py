"""Accounts for a whole city (issue 12, items 1-3): activation slips and the branch join QR, reset codes from
a member's request, and my account. Codes are single-use, expire, are replaced by newer ones, never reveal
who is on the roster, are throttled against guessing, and every issue and use is audited."""
import pytest

from server.auth.services import UNUSABLE_PASSWORD
from server.extensions import db
from tests import support
from tests.conftest import sql
from tests.qrdecode import decode_png

NEW = "新密码-2026-12"


@pytest.fixture
def imported(world, ctx):
    """a3 and a4 as a roster import leaves them: on the roster, without a password."""
    with ctx():
        sql("update users set password_hash = :h where id in (:a, :b)", h=UNUSABLE_PASSWORD, a=world.ids.a3,
            b=world.ids.a4)
        db.session.commit()
    return world


def _slips(client, org_id, **body):
    resp = client.post(f"/api/v1/organizations/{org_id}/activation-slips", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _redeem(client, code, phone, name, password=NEW):
    return client.post(f"/api/v1/codes/{code}/redeem", json={"phone": phone, "name": name, "password": password})


def _code_of(slips, name):
    return next(s["code"] for s in slips["slips"] if s["name"] == name)


def test_slips_cover_the_members_without_a_password_and_their_qr_opens_the_code(imported, login, anon):
    org = login(imported.phones.org_a)
    body = _slips(org, imported.branch_a_id, days=7)
    assert [(s["name"], s["masked_phone"]) for s in body["slips"]] == [("甲三", "138****0103"), ("甲四", "138****0104")]
    slip = body["slips"][0]
    assert len(slip["code"]) == 11 and slip["url"].endswith("/a/" + slip["code"].replace("-", ""))
    png = anon.get(f"/api/v1/codes/{slip['code']}/qr.png")
    assert png.status_code == 200 and decode_png(png.data) == slip["url"]  # a real decoder reads the slip's QR
    info = anon.get(f"/api/v1/codes/{slip['code'].lower()}").get_json()  # typed in lower case, with the dash
    assert info["purpose"] == "activation" and info["branch_name"] == "第一支部"
    assert info["masked_phone"] == "138****0103" and "name" not in info
    assert login(imported.phones.org_b).post(f"/api/v1/organizations/{imported.branch_a_id}/activation-slips",
                                             json={}).status_code == 403
    assert org.post("/api/v1/organizations/999999/activation-slips", json={}).status_code == 404
    assert org.post(f"/api/v1/organizations/{imported.branch_a_id}/activation-slips",
                    json={"days": 90}).status_code == 422


def test_a_slip_activates_once_and_signs_the_member_in(imported, login, anon, app, q):
    code = _code_of(_slips(login(imported.phones.org_a), imported.branch_a_id), "甲三")
    wrong_name = _redeem(anon, code, imported.phones.a3, "甲四")
    wrong_phone = _redeem(anon, code, imported.phones.a4, "甲三")
    assert wrong_name.status_code == wrong_phone.status_code == 422
    assert wrong_name.get_json()["error"] == wrong_phone.get_json()["error"]  # which one was wrong is not told
    assert wrong_name.get_json()["error"]["code"] == "code_holder_mismatch"
    client = anon
    done = _redeem(client, code, "+86 138-0000-0103", " 甲 三 ")
    assert done.status_code == 200 and done.get_json()["name"] == "甲三"
    assert client.get("/api/v1/me").status_code == 200  # signed in on this phone
    again = _redeem(anon, code, imported.phones.a3, "甲三")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "code_spent"
    assert login(imported.phones.a3, NEW).get("/api/v1/me").status_code == 200
    actions = [r[0] for r in q("select action from audit_log where object_id = :u and object_type = 'user' "
                               "order by id", u=imported.ids.a3)]
    assert actions == ["account.activation.issue", "account.activation.use"]
    status = login(imported.phones.org_a).get(f"/api/v1/organizations/{imported.branch_a_id}/activation").get_json()
    assert status["activated"] == status["members"] - 1 and [w["name"] for w in status["waiting"]] == ["甲四"]


def test_reprinting_replaces_the_old_slip_and_expired_codes_say_so(imported, login, anon, ctx):
    org = login(imported.phones.org_a)
    old = _code_of(_slips(org, imported.branch_a_id), "甲三")
    new = _code_of(_slips(org, imported.branch_a_id, member_ids=[imported.ids.a3]), "甲三")
    replaced = _redeem(anon, old, imported.phones.a3, "甲三")
    assert replaced.status_code == 409 and replaced.get_json()["error"]["code"] == "code_replaced"
    with ctx():
        sql("update account_codes set expires_at = '2020-01-01 00:00:00' where ended_at is null")
        db.session.commit()
    expired = _redeem(anon, new, imported.phones.a3, "甲三")
    assert expired.status_code == 409 and expired.get_json()["error"]["code"] == "code_expired"
    outsider = org.post(f"/api/v1/organizations/{imported.branch_a_id}/activation-slips",
                        json={"member_ids": [imported.ids.b1]})
    assert outsider.status_code == 404  # only members of the branch get slips from its organizer


def test_guessed_codes_are_unknown_and_throttled(imported, anon, app, monkeypatch):
    monkeypatch.setitem(app.config, "CODE_RATE_LIMIT_ADDR", "3/15minutes")
    answers = [anon.get(f"/api/v1/codes/ABCDE-FGH{c}K").status_code for c in "JKMN"]
    assert answers == [404, 404, 404, 429]
    assert anon.get("/api/v1/codes/not-a-code/qr.png").status_code == 404


def test_the_join_qr_lets_members_of_the_branch_activate_by_phone_and_name(imported, login, anon, q):
    org = login(imported.phones.org_a)
    join = org.post(f"/api/v1/organizations/{imported.branch_a_id}/join-code", json={"hours": 2})
    assert join.status_code == 201
    code = join.get_json()["code"]
    info = anon.get(f"/api/v1/codes/{code}").get_json()
    assert info["purpose"] == "join" and info["masked_phone"] is None
    outsider = _redeem(anon, code, imported.phones.b1, "乙一")  # on the roster, but of another branch
    stranger = _redeem(anon, code, "13912345678", "甲三")
    assert outsider.get_json()["error"] == stranger.get_json()["error"]
    assert outsider.status_code == 422
    already = _redeem(anon, code, imported.phones.a1, "甲一")
    assert already.status_code == 409 and already.get_json()["error"]["code"] == "account_already_active"
    assert _redeem(anon, code, imported.phones.a3, "甲三").status_code == 200
    assert _redeem(anon, code, imported.phones.a4, "甲四").status_code == 200  # one QR, many members
    assert _redeem(anon, code, imported.phones.a4, "甲四").get_json()["error"]["code"] == "account_already_active"
    newer = org.post(f"/api/v1/organizations/{imported.branch_a_id}/join-code", json={}).get_json()["code"]
    assert anon.get(f"/api/v1/codes/{code}").get_json()["error"]["code"] == "code_replaced"
    assert org.delete(f"/api/v1/organizations/{imported.branch_a_id}/join-code").status_code == 204
    assert anon.get(f"/api/v1/codes/{newer}").get_json()["error"]["code"] == "code_replaced"
    assert [r[0] for r in q("select action from audit_log where object_type = 'organization' order by id")] == [
        "account.join.issue", "account.join.issue", "account.join.end"]


def test_a_forgotten_password_is_reset_by_a_code_from_the_organizer(world, login, anon, q):
    phone_session = login(world.phones.a1)
    known = anon.post("/api/v1/auth/help", json={"phone": world.phones.a1})
    unknown = anon.post("/api/v1/auth/help", json={"phone": "13912345678"})
    assert known.status_code == unknown.status_code == 202 and known.get_json() == unknown.get_json()
    org = login(world.phones.org_a)
    asks = org.get("/api/v1/password-help").get_json()
    assert [(h["name"], h["masked_phone"]) for h in asks] == [("甲一", "138****0101")]
    assert login(world.phones.org_b).get("/api/v1/password-help").get_json() == []
    assert login(world.phones.a2).get("/api/v1/password-help").status_code == 403
    assert login(world.phones.org_b).post(f"/api/v1/members/{world.ids.a1}/reset-code").status_code == 403
    issued = org.post(f"/api/v1/members/{world.ids.a1}/reset-code")
    assert issued.status_code == 201
    code = issued.get_json()["code"]
    assert org.get("/api/v1/password-help").get_json() == []  # handled
    assert anon.get(f"/api/v1/codes/{code}").get_json()["purpose"] == "reset"
    assert _redeem(anon, code, world.phones.a1, "甲二").status_code == 422
    assert _redeem(anon, code, world.phones.a1, "甲一").status_code == 200
    assert phone_session.get("/api/v1/me").status_code == 401  # every other session ended
    assert anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": support.PASSWORD}
                     ).status_code == 401
    assert login(world.phones.a1, NEW).get("/api/v1/me").status_code == 200
    assert [r[0] for r in q("select action from audit_log where object_id = :u order by id", u=world.ids.a1)] == [
        "account.reset.issue", "account.reset.use"]


def test_an_imported_member_cannot_sign_in_before_activating(imported, anon):
    refused = anon.post("/api/v1/auth/login", json={"phone": imported.phones.a3, "password": "!imported"})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "bad_credentials"


def test_my_account_changes_password_and_phone_with_the_password(world, login, q, app):
    other_device = login(world.phones.a1)
    me = login(world.phones.a1)
    body = me.get("/api/v1/account").get_json()
    assert body["branch"]["name"] == "第一支部" and body["community"]["name"] == "一号社区"
    wrong = me.post("/api/v1/account/password", json={"current_password": "nope", "new_password": NEW})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "current_password_wrong"
    short = me.post("/api/v1/account/password", json={"current_password": support.PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    changed = me.post("/api/v1/account/password", json={"current_password": support.PASSWORD, "new_password": NEW})
    assert changed.status_code == 200
    me.csrf = changed.get_json()["csrf_token"]
    assert me.get("/api/v1/me").status_code == 200 and other_device.get("/api/v1/me").status_code == 401
    taken = me.post("/api/v1/account/phone", json={"password": NEW, "phone": world.phones.a2})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "phone_taken"
    assert me.post("/api/v1/account/phone", json={"password": "nope", "phone": "13912340000"}).status_code == 422
    moved = me.post("/api/v1/account/phone", json={"password": NEW, "phone": "139 1234 0000"})
    assert moved.status_code == 200 and moved.get_json()["phone"] == "13912340000"
    assert login("13912340000", NEW).get("/api/v1/me").status_code == 200
    assert [r[0] for r in q("select action from audit_log where object_id = :u order by id", u=world.ids.a1)] == [
        "account.password.change", "account.phone.change"]


def test_a_deactivated_member_cannot_use_their_slip(imported, login, anon):
    org = login(imported.phones.org_a)
    code = _code_of(_slips(org, imported.branch_a_id), "甲三")
    assert org.post(f"/api/v1/members/{imported.ids.a3}/deactivate", json={"reason": "调离"}).status_code == 200
    refused = _redeem(anon, code, imported.phones.a3, "甲三")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "inactive_user"
