"""Fuzzing: schemathesis generates requests from the app's own OpenAPI document (/api/v1/openapi.json) for
every operation, valid ones and invalid ones, and sends them to the WSGI app signed in as each role (session
cookie and X-CSRF-Token header). Every answer must be free of 5xx, carry a status code the document names for
that operation and a documented content type, and match the schema documented for it.

Bounded for the suite: a few examples per operation and generation mode, a fixed seed (derandomize), no
deadline per example (the time is bounded by the counts). Half the cases aim at real objects (the ids of
a small seeded world), so the fuzzer gets past the 404s into the services."""
import os
import time
from collections import defaultdict

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.extensions import db
from tests import objects, support

ROLES = ("a1", "org_a", "liaison1", "admin")  # member, organizer, liaison, admin
# per operation, generation mode and half (generated ids, real ids); raise it for a deeper run
MAX_EXAMPLES = int(os.environ.get("QIANDAO_FUZZ_EXAMPLES", "6"))
# No operation is excluded. Signing out ends a session server-side, so the two sign-out operations are fuzzed
# with a throwaway session of another member (a4), and every other request keeps the role's own session.
SESSION_ENDERS = ("POST /api/v1/auth/logout", "POST /api/v1/auth/logout-all")


def documented_status_code(ctx, response, case):
    """status_code_conformance accepts anything when an operation has a `default` response (flask-smorest
    documents the error envelope as `default` on every operation), so it never fails here: this check wants
    the status code itself listed."""
    documented = {str(code) for code in case.operation.responses.status_codes if str(code) != "default"}
    if str(response.status_code) not in documented:
        raise AssertionError(f"status {response.status_code} is not documented (documented: "
                             f"{', '.join(sorted(documented))})")


CHECKS = [not_a_server_error, status_code_conformance, documented_status_code, content_type_conformance,
          response_schema_conformance]


def _seed(w) -> dict:
    """Real ids for the path parameters, one object of each kind the API names."""
    party = objects.party_day(w)
    duty_att = objects.duty_attendance(w, "a1")
    duty_id, slot_id = objects.duty(w)
    objects.claim(slot_id, w.ids.a1)
    objects.accepted_registration(w, "a1")
    return {
        "event_id": party, "attendance_id": duty_att, "member_id": w.ids.a1, "community_id": w.c1_id,
        "organization_id": w.branch_a_id, "duty_id": duty_id, "slot_id": slot_id,
        "registration_id": objects.pending_registration(w, "a3"), "pairing_id": objects.pairing(w),
        "dispute_id": objects.dispute(duty_att), "absence_id": objects.absence(w),
        "token": objects.card_token(w.ids.a1),
    }


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _session_of(app, phone: str) -> tuple[dict, dict]:
    client = app.test_client()
    resp = client.post("/api/v1/auth/login", json={"phone": phone, "password": support.PASSWORD})
    assert resp.status_code == 200, resp.get_json()
    name = app.config["SESSION_COOKIE_NAME"]
    # identity: schemathesis's WSGI transport reads bodies as they come and would not unpack gzip
    # (compression has its own tests: tests/test_web_static.py)
    return {name: client.get_cookie(name).value}, {"X-CSRF-Token": resp.get_json()["csrf_token"],
                                                   "Accept-Encoding": "identity"}


def _fuzz(operation, mode, known: dict, cookies: dict, headers: dict, failures: dict) -> None:
    params = {p.name: known[p.name] for p in operation.path_parameters if p.name in known}
    strategies = [operation.as_strategy(generation_mode=mode)]
    if params and len(params) == len(list(operation.path_parameters)):
        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=params))

    @hypothesis.settings(max_examples=MAX_EXAMPLES * len(strategies), derandomize=True, deadline=None,
                         database=None, phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def run(case):
        response = case.call(headers=headers, cookies=cookies)
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Failure) as exc:  # collected, and reported together at the end
            for failure in getattr(exc, "exceptions", (exc,)):
                key = (operation.label, mode.value, response.status_code, failure.title)
                failures.setdefault(key, f"{case.as_curl_command()}\n{failure.message[:1500]}\n"
                                         f"{response.text[:500]}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # negative mode: nothing in this operation can be made invalid
        pass


@pytest.mark.parametrize("role", ROLES)
def test_fuzz_as(role, app, api_schema):
    with app.app_context():
        w = support.build_world()
        known = _seed(w)
        db.session.remove()
    cookies, headers = _session_of(app, getattr(w.phones, role))
    failures: dict = {}
    started, per_op = time.monotonic(), defaultdict(float)
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            t0 = time.monotonic()
            session = _session_of(app, w.phones.a4) if operation.label in SESSION_ENDERS else (cookies, headers)
            _fuzz(operation, mode, known, *session, failures)
            per_op[operation.label] += time.monotonic() - t0
    elapsed = time.monotonic() - started
    print(f"\nfuzz as {role}: {elapsed:.1f}s; slowest: "
          + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(per_op.items(), key=lambda kv: -kv[1])[:3]))
    assert not failures, f"{len(failures)} failures\n\n" + "\n\n".join(
        f"{label} [{mode}] → {status}: {title}\n{text}"
        for (label, mode, status, title), text in sorted(failures.items()))
