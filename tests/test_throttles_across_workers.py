"""Limits hold as configured on one machine without Redis: every gunicorn worker counts in the same
place (the machine's throttle file for sign-ins, the scan log for scans), so four workers do not let four
times the limit through."""
import uuid
from datetime import timedelta

import pytest
import requests

from tests.live import LiveServer
from tests.support import PASSWORD

WORKERS = 4


@pytest.fixture
def server(db_url, app):
    srv = LiveServer(db_url, workers=WORKERS, extra_env={
        "LOGIN_RATE_LIMIT_PHONE": "5/15minutes", "LOGIN_RATE_LIMIT_ADDR": "12/15minutes",
        "SCAN_RATE_LIMIT": "5/minute"})
    srv.wait_for_workers(WORKERS)
    yield srv
    srv.stop()


def _login(server, phone: str, password: str) -> requests.Response:
    # a new connection each time, so the attempts spread over the workers
    return requests.post(server.url + "/api/v1/auth/login", json={"phone": phone, "password": password},
                         headers={"Connection": "close"}, timeout=30)


def test_per_phone_limit_holds_across_workers(server, world):
    codes = [_login(server, world.phones.a1, "wrong").status_code for _ in range(10)]
    assert codes == [401] * 5 + [429] * 5, codes


def test_per_address_limit_holds_across_workers(server, world):
    phones = [f"1300000{n:04d}" for n in range(16)]
    codes = [_login(server, phone, "wrong").status_code for phone in phones]
    assert codes == [401] * 12 + [429] * 4, codes


def test_scan_limit_holds_across_workers(server, world, make_event, token_for):
    eid = make_event("volunteer_service", start_in=timedelta(minutes=-5))
    member = server.session(world.phones.a2, PASSWORD)
    codes = []
    for _ in range(8):
        member.headers["Connection"] = "close"
        codes.append(member.post(server.url + "/api/v1/scans", json={
            "token": token_for(eid), "client_scan_id": str(uuid.uuid4())}, timeout=30).status_code)
    assert codes == [201, 200, 200, 200, 200, 429, 429, 429], codes
