"""Sign-in, sessions, CSRF and throttling."""
import time
import uuid

from tests.support import PASSWORD


def test_login_me_logout(world, login):
    client = login(world.phones.org_a)
    me = client.get("/api/v1/me").get_json()
    assert me["roles"] == ["member", "organizer"] and me["organizer_of"] == [world.branch_a_id]
    assert me["branch"]["id"] == world.branch_a_id and me["csrf_token"] == client.csrf
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_session_cookie_flags(world, anon):
    resp = anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": PASSWORD})
    cookies = {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"qiandao_session", "qiandao_device"}
    for cookie in cookies.values():
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
        assert "Secure" in cookie  # PUBLIC_BASE_URL is https in tests


def test_session_cookie_is_signed_again_once_a_day_not_on_every_request(world, login, app, monkeypatch):
    client = login(world.phones.a1)
    assert client.get("/api/v1/me").status_code == 200
    assert "Set-Cookie" not in client.get("/api/v1/me").headers  # fresh: nothing to send again
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 2 * 86400)
    resp = client.get("/api/v1/me")
    assert resp.status_code == 200 and "Expires=" in resp.headers["Set-Cookie"]  # two days old: slid forward
    assert "Set-Cookie" not in client.get("/api/v1/me").headers
    lifetime = app.permanent_session_lifetime.total_seconds()
    monkeypatch.setattr(time, "time", lambda: now + 2 * 86400 + lifetime + 60)
    assert client.get("/api/v1/me").status_code == 401  # past the lifetime since it was last signed


def _cookie(client, app):
    return client.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _with_cookie(app, value):
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def test_logout_ends_the_session_server_side(world, login, app, make_event, token_for):
    """A cookie kept from before the logout (copied, or on a stolen phone) no longer answers (field issue, item 8)."""
    client = login(world.phones.a1)
    kept, csrf = _cookie(client, app), client.csrf
    other_device = login(world.phones.a1)
    assert client.post("/api/v1/auth/logout").status_code == 204
    replay = _with_cookie(app, kept)
    assert replay.get("/api/v1/me").status_code == 401
    scan = replay.post("/api/v1/scans", json={"token": token_for(make_event("party_day")),
                                              "client_scan_id": str(uuid.uuid4())}, headers={"X-CSRF-Token": csrf})
    assert scan.status_code == 401
    assert other_device.get("/api/v1/me").status_code == 200  # the member's other phone stays signed in
    assert client.post("/api/v1/auth/logout").status_code == 204  # signing out twice is fine


def test_sign_out_everywhere(world, login, app):
    phone, laptop = login(world.phones.a1), login(world.phones.a1)
    kept = _cookie(laptop, app)
    assert phone.post("/api/v1/auth/logout-all").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401
    assert _with_cookie(app, kept).get("/api/v1/me").status_code == 401
    assert login(world.phones.a1).get("/api/v1/me").status_code == 200  # a new sign-in works


def test_wrong_password_and_unknown_phone_same_answer(world, anon):
    a = anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": "nope"})
    b = anon.post("/api/v1/auth/login", json={"phone": "13999999999", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.get_json() == b.get_json() and a.get_json()["error"]["code"] == "bad_credentials"


def test_unknown_and_known_phones_cost_the_same_hash_work(world, anon, monkeypatch):
    """Timing must not tell which phones exist: one password check and no hashing on either path."""
    from server.auth import services
    calls = {"check": 0, "generate": 0}
    real_check, real_generate = services.check_password_hash, services.generate_password_hash

    def check(*a, **k):
        calls["check"] += 1
        return real_check(*a, **k)

    def generate(*a, **k):
        calls["generate"] += 1
        return real_generate(*a, **k)

    anon.post("/api/v1/auth/login", json={"phone": "13999999998", "password": "nope"})  # the first may make it
    monkeypatch.setattr(services, "check_password_hash", check)
    monkeypatch.setattr(services, "generate_password_hash", generate)
    for phone in (world.phones.a1, "13999999999", world.phones.a2, "13999999997"):
        anon.post("/api/v1/auth/login", json={"phone": phone, "password": "nope"})
    assert calls == {"check": 4, "generate": 0}


def test_login_validation(anon):
    resp = anon.post("/api/v1/auth/login", json={"phone": "abc"})
    assert resp.status_code == 422
    fields = resp.get_json()["error"]["details"]["fields"]["json"]
    assert "phone" in fields and "password" in fields


def test_login_throttled_per_phone(world, anon, app):
    limit = int(app.config["LOGIN_RATE_LIMIT_PHONE"].split("/")[0])
    for _ in range(limit):
        assert anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": "x"}).status_code == 401
    resp = anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": PASSWORD})
    assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "rate_limited"
    # another phone from the same address is not locked out by this phone's failures
    ok = anon.post("/api/v1/auth/login", json={"phone": world.phones.a2, "password": PASSWORD})
    assert ok.status_code == 200


def test_successful_logins_do_not_count(world, anon, app):
    limit = int(app.config["LOGIN_RATE_LIMIT_PHONE"].split("/")[0])
    for _ in range(limit + 3):
        resp = anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": PASSWORD})
        assert resp.status_code == 200


def test_login_throttled_per_address(world, app):
    app.config["LOGIN_RATE_LIMIT_ADDR"] = "3/minute"
    try:
        client = app.test_client()
        for phone in ("13000000001", "13000000002", "13000000003"):
            assert client.post("/api/v1/auth/login", json={"phone": phone, "password": "x"}).status_code == 401
        resp = client.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": PASSWORD})
        assert resp.status_code == 429
        other = app.test_client()
        resp = other.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert resp.status_code == 200
    finally:
        app.config["LOGIN_RATE_LIMIT_ADDR"] = "30/15minutes"


def test_csrf_header_required_for_changes(world, login):
    client = login(world.phones.a1)
    client.csrf = None
    resp = client.post("/api/v1/scans", json={"token": "x", "client_scan_id": str(uuid.uuid4())})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "csrf_failed"
    resp = client.post("/api/v1/scans", json={"token": "x", "client_scan_id": str(uuid.uuid4())},
                       headers={"X-CSRF-Token": "wrong"})
    assert resp.status_code == 403


def test_cross_site_origin_refused(world, login, anon):
    client = login(world.phones.a1)
    resp = client.post("/api/v1/scans", json={"token": "x", "client_scan_id": str(uuid.uuid4())},
                       headers={"Origin": "https://evil.example.com"})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "csrf_failed"
    resp = anon.post("/api/v1/auth/login", json={"phone": world.phones.a1, "password": PASSWORD},
                     headers={"Origin": "https://evil.example.com"})
    assert resp.status_code == 403


def test_deactivated_user_loses_session(world, login, ctx):
    from server.auth.models import User
    from server.extensions import db
    client = login(world.phones.a1)
    with ctx():
        db.session.get(User, world.ids.a1).active = False
        db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_session_epoch_bump_signs_out_everywhere(world, login, ctx):
    from server.auth.models import User
    from server.extensions import db
    client = login(world.phones.a1)
    with ctx():
        db.session.get(User, world.ids.a1).session_epoch += 1
        db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_error_envelope_for_unknown_route(anon):
    resp = anon.get("/api/v1/nope")
    assert resp.status_code == 404
    assert set(resp.get_json()["error"]) == {"code", "message", "details"}


def test_production_requires_secret(monkeypatch, tmp_path):
    import pytest

    from server import create_app
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_owner_not_locked_out_and_429_has_retry_after(app, world):
    """Someone else's failures lock a phone on devices that never signed in to it (wherever they come
    from: the limit is per phone), never on the owner's phone that signed in before; a 429 says when to
    retry (field issue, item 9)."""
    owner = app.test_client()
    assert owner.post("/api/v1/auth/login", json={"phone": world.phones.admin, "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200
    limit = int(app.config["LOGIN_RATE_LIMIT_PHONE"].split("/")[0])
    for n in range(limit):  # from as many addresses as the attacker likes
        attacker = app.test_client()
        assert attacker.post("/api/v1/auth/login", json={"phone": world.phones.admin, "password": "wrong"},
                             environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code == 401
    refused = app.test_client().post("/api/v1/auth/login", json={"phone": world.phones.admin, "password": "wrong"},
                                     environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    # a new device is locked for this phone, even with the right password (it cannot be told from the attacker)
    fresh = app.test_client().post("/api/v1/auth/login", json={"phone": world.phones.admin, "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert fresh.status_code == 429
    # the owner's phone, which signed in before, is not
    again = owner.post("/api/v1/auth/login", json={"phone": world.phones.admin, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert again.status_code == 200
    # and a forged or foreign device cookie counts as a new device
    forged = app.test_client()
    forged.set_cookie("qiandao_device", "eyJkIjoiMDAwMCIsInAiOltdfQ.forged")
    assert forged.post("/api/v1/auth/login", json={"phone": world.phones.admin, "password": PASSWORD}).status_code \
        == 429
