"""Request guards (field issue, items 7 and 12): a body over the limit is refused before anything reads it,
and JSON nested too deep or carrying a lone surrogate answers 400 in the envelope, never 500."""
import io

import pytest

DEEP = "[" * 400 + "]" * 400


def test_an_oversized_body_is_refused_before_it_is_read(anon, app):
    big = b'{"phone": "13800000101", "password": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    resp = anon.post("/api/v1/auth/login", data=big, content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"
    assert resp.get_json()["error"]["details"] == {"max_bytes": app.config["MAX_BODY_BYTES"]}


def test_a_roster_upload_may_be_larger(world, login):
    admin = login(world.phones.admin)
    csv = ("姓名,手机号,所在支部\n" + "张三,13700000000,第一支部\n" * 70000).encode()
    assert len(csv) > 1024 * 1024
    resp = admin.post("/api/v1/members/import", data={"file": (io.BytesIO(csv), "名册.csv")},
                      content_type="multipart/form-data")
    assert resp.status_code != 413, resp.get_json()  # judged by the importer's own limits


@pytest.mark.parametrize("body", [DEEP, '{"phone": "13800000101", "password": ' + DEEP + "}",
                                  '{"phone": "\\ud800", "password": "x"}', '{"\\udfff": 1}'])
def test_malformed_json_on_login_is_400_not_500(anon, body):
    resp = anon.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert resp.status_code == 400, resp.get_data(as_text=True)[:200]
    assert resp.get_json()["error"]["code"] == "bad_json"


def test_malformed_json_on_an_authenticated_endpoint(world, login):
    org = login(world.phones.org_a)
    for body in ('{"kind": "party_day", "title": "\\ud800", "starts_at": "2030-01-01T09:00:00+08:00"}',
                 '{"title": ' + DEEP + "}"):
        resp = org.post("/api/v1/events", data=body, content_type="application/json")
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_json", resp.get_data()[:200]
    ok = org.post("/api/v1/events", data='{"title": "中文 ✓ 𠮷"}', content_type="application/json")
    assert ok.status_code == 422  # ordinary text (astral plane included) goes on to validation
