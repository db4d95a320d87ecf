"""What the fuzzer found: inputs out of the database's or the calendar's range were 500s, some statuses were
answered but not documented, and error responses had no schema in the OpenAPI document."""
import io

import pytest

from tests import objects

HUGE = 99999999999999999999  # past 2**63: SQLite cannot even bind it
BIG = 2**31  # past PostgreSQL's integer columns


@pytest.mark.parametrize("path", ["/api/v1/events/{n}", "/api/v1/events/{n}/attendance",
                                  "/api/v1/members/{n}/service-record", "/api/v1/communities/{n}/duties"])
@pytest.mark.parametrize("n", [HUGE, BIG])
def test_a_path_id_past_the_integer_columns_names_nothing(path, n, world, login):
    resp = login(world.phones.admin).get(path.format(n=n))
    assert resp.status_code == 404, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method, url, body", [
    ("get", "/api/v1/points/absences?event_id={n}", None),
    ("get", "/api/v1/points/ledger?member_id={n}", None),
    ("get", "/api/v1/points/leaderboard?org_id={n}", None),
    ("get", "/api/v1/points/yearly-totals?member_id={n}", None),
    ("get", "/api/v1/hours?event_id={n}", None),
    ("get", "/api/v1/hours/publication?org_id={n}", None),
    ("get", "/api/v1/events?host_org_id={n}", None),
    ("get", "/api/v1/reports/participation?org_id={n}", None),
    ("get", "/api/v1/community-pairings?organization_id={n}", None),
    ("post", "/api/v1/community-pairings", {"organization_id": "{n}", "community_id": 1}),
    ("post", "/api/v1/hours/bulk-confirm", {"attendance_ids": ["{n}"]}),
    ("put", "/api/v1/hours/settings", {"org_id": "{n}", "publicity_days": 3}),
    ("put", "/api/v1/communities/{c1}/evaluations", {"user_id": "{n}", "period": "2026", "rating": "good"}),
    ("post", "/api/v1/events/{event}/attendance", {"member_id": "{n}", "reason": "忘带手机"}),
    ("get", "/api/v1/events?page={n}", None),
    ("get", "/api/v1/hours/mine?page={n}", None),
    ("get", "/api/v1/me/attendance?page={n}", None),
])
def test_an_id_or_page_past_the_integer_columns_is_an_invalid_field(method, url, body, world, login, app):
    with app.app_context():
        event = objects.party_day(world)
    fill = {"n": HUGE, "c1": world.c1_id, "event": event}
    if body is not None:
        body = {k: ([HUGE] if v == ["{n}"] else HUGE if v == "{n}" else v) for k, v in body.items()}
    resp = getattr(login(world.phones.admin), method)(url.format(**fill), json=body)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-08:00"])
def test_a_time_at_the_ends_of_the_calendar_is_an_invalid_field(when, world, login):
    body = {"kind": "volunteer_service", "title": "远古活动", "starts_at": when, "ends_at": when,
            "host_org_id": world.branch_a_id}
    resp = login(world.phones.admin).post("/api/v1/events", json=body)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert "starts_at" in resp.get_json()["error"]["details"]["fields"]["json"]


@pytest.mark.parametrize("query", [{"from": "0001-01-01"}, {"to": "9999-12-31"}])
def test_a_service_record_period_at_the_ends_of_the_calendar_is_refused(query, world, login):
    resp = login(world.phones.a1).get(f"/api/v1/members/{world.ids.a1}/service-record", query_string=query)
    assert resp.status_code == 422, resp.get_data(as_text=True)


def test_a_participation_month_in_year_one_is_refused(world, login):
    resp = login(world.phones.admin).get("/api/v1/reports/participation",
                                         query_string={"org_id": world.branch_a_id, "month": "0001-01"})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "report_bad_period"


def test_the_hours_setting_of_a_community_that_does_not_exist_is_404(world, login):
    admin = login(world.phones.admin)
    resp = admin.put("/api/v1/hours/settings", json={"community_id": 4242, "publicity_days": 3})
    assert resp.status_code == 404, resp.get_data(as_text=True)
    assert admin.get("/api/v1/hours/settings", query_string={"community_id": 4242}).status_code == 404


# -- the OpenAPI document ------------------------------------------------------------------------------------

@pytest.fixture
def doc(anon):
    return anon.get("/api/v1/openapi.json").get_json()


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield path, method, op


def test_every_error_response_documents_the_error_envelope(doc):
    refs = ("#/components/responses/DEFAULT_ERROR", "#/components/responses/UNPROCESSABLE_ENTITY")
    for path, method, op in _operations(doc):
        for status, resp in op["responses"].items():
            if status == "default" or int(status) < 400:
                continue
            if "$ref" in resp:
                assert resp["$ref"] in refs
                continue
            schema = resp.get("content", {}).get("application/json", {}).get("schema")
            assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def test_statuses_every_operation_of_a_kind_answers_are_documented(doc):
    public = {("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/logout"), ("post", "/api/v1/auth/help"),
              ("get", "/api/v1/codes/{code}"), ("post", "/api/v1/codes/{code}/redeem"),
              ("get", "/api/v1/codes/{code}/qr.png")}  # a one-time code is its own key
    assert doc["security"] == [{"session": []}]
    assert doc["components"]["securitySchemes"]["session"] == {
        "type": "apiKey", "in": "cookie", "name": "qiandao_session",
        "description": doc["components"]["securitySchemes"]["session"]["description"]}
    for path, method, op in _operations(doc):
        statuses = set(op["responses"])
        if (method, path) in public:
            assert op["security"] == []
        else:
            assert "401" in statuses and "security" not in op, f"{method} {path}"
        if "requestBody" in op:
            assert "400" in statuses, f"{method} {path}"
        if "{" in path:
            assert "404" in statuses, f"{method} {path}"
            params = [p for p in doc["paths"][path].get("parameters", []) + op.get("parameters", [])
                      if p["in"] == "path"]
            assert all(p["schema"].get("maximum") == 2**31 - 1 for p in params
                       if p["schema"]["type"] == "integer"), f"{method} {path}"


@pytest.mark.parametrize("body", [["13800000101"], "13800000101", 42, None])
def test_a_login_body_that_is_not_an_object_is_refused_as_invalid(body, anon):
    resp = anon.post("/api/v1/auth/login", json=body)
    assert resp.status_code == 422, resp.get_data(as_text=True)


# -- NUL characters: PostgreSQL cannot store or even compare them (500 there), SQLite took them ------------------

def test_text_with_a_nul_character_is_an_invalid_field(world, login, app, token_for):
    with app.app_context():
        event = objects.party_day(world)
    org = login(world.phones.org_a)
    starts_at, ends_at = "2026-01-01T10:00:00+08:00", "2026-01-01T11:00:00+08:00"
    for method, url, kwargs in [
        ("post", "/api/v1/events", {"json": {"kind": "volunteer_service", "title": "助\x00老", "starts_at": starts_at,
                                             "ends_at": ends_at, "host_org_id": world.branch_a_id}}),
        ("post", f"/api/v1/events/{event}/cancel", {"json": {"reason": "天气\x00"}}),
        ("get", f"/api/v1/events/{event}/attendance", {"query_string": {"q": "甲\x00"}}),
        ("get", "/api/v1/hours", {"query_string": {"q": "\x00"}}),
        ("post", "/api/v1/scans", {"json": {"token": token_for(event) + "\x00",
                                            "client_scan_id": "8f6c1b36-3c8f-4a53-a1f3-0b2f8c1d2e3f"}}),
    ]:
        resp = getattr(org, method)(url, **kwargs)
        assert resp.status_code == 422, (url, resp.get_data(as_text=True))
        assert resp.get_json()["error"]["code"] == "validation_error"


def test_a_roster_with_a_nul_character_is_not_a_readable_file(world, login, q):
    csv = "姓名,手机号,支部\n新\x00成员,13900000999,第一支部\n".encode()
    resp = login(world.phones.admin).post(
        "/api/v1/members/import", content_type="multipart/form-data",
        data={"file": (io.BytesIO(csv), "roster.csv"), "dry_run": "false", "initial_password": "abcdefgh1"})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert resp.get_json()["error"] == {"code": "import_bad_file", "details": {"reason": "NUL character"},
                                        "message": resp.get_json()["error"]["message"]}
    assert q("SELECT id FROM users WHERE phone = '13900000999'") == []


def test_small_holes_of_the_outside_probe(world, login, anon, make_event):
    """Field issue, item 14: no off-site redirect built from the Host header, whole numbers stay whole,
    hours that round to nothing are refused, and ids are ASCII digits."""
    resp = anon.get("//evil.example/x", headers={"Host": "evil.example"})
    assert not (300 <= resp.status_code < 400), resp.headers.get("Location")
    org = login(world.phones.org_a)
    eid = make_event("volunteer_service")
    assert org.patch(f"/api/v1/events/{eid}", json={"capacity": 1.5}).status_code == 422
    assert org.patch(f"/api/v1/events/{eid}", json={"capacity": 2}).status_code == 200
    assert org.get(f"/api/v1/events/{eid}").status_code == 200
    full_width = "".join(chr(0xFF10 + int(d)) for d in str(eid))
    assert org.get(f"/api/v1/events/{full_width}").status_code == 404
