"""Racing scans against a real multi-worker gunicorn server: the database settles every race."""
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tests.live import LiveServer
from tests.support import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(db_url, app):
    live = LiveServer(db_url, workers=4, extra_env={"SCAN_OFFLINE_GRACE_SECONDS": str(7 * 86400)})
    yield live
    live.stop()


def _fire(session, url, bodies):
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(lambda b: session.post(url + "/api/v1/scans", json=b, timeout=30), bodies))


def test_different_scans_racing_leave_one_attendance_and_one_payment(server, world, make_event, token_for, q):
    eid = make_event("party_day", start_in=timedelta(minutes=-1))
    token = token_for(eid)
    sessions = [server.session(world.phones.a1, PASSWORD) for _ in range(4)]
    bodies = [{"token": token, "client_scan_id": str(uuid.uuid4())} for _ in range(24)]
    with ThreadPoolExecutor(max_workers=24) as pool:
        responses = list(pool.map(
            lambda ib: sessions[ib[0] % 4].post(server.url + "/api/v1/scans", json=ib[1], timeout=30),
            enumerate(bodies)))
    outcomes = sorted(r.json().get("outcome") for r in responses)
    assert [r.status_code for r in responses].count(201) == 1, outcomes
    assert outcomes.count("already_checked_in") == 23
    uid = world.ids.a1
    assert q("select count(*) from attendance where user_id = :u", u=uid)[0][0] == 1
    assert q("select count(*), sum(amount) from points_ledger where user_id = :u", u=uid)[0] == (1, 5)
    assert q("select count(*) from scans where user_id = :u", u=uid)[0][0] == 24


def test_same_client_scan_id_racing_gets_one_answer(server, world, make_event, token_for, q):
    eid = make_event("volunteer_service")
    session = server.session(world.phones.a2, PASSWORD)
    body = {"token": token_for(eid), "client_scan_id": str(uuid.uuid4())}
    responses = _fire(session, server.url, [body] * 16)
    assert {r.status_code for r in responses} == {201}
    assert len({r.text for r in responses}) == 1
    assert q("select count(*) from scans where user_id = :u", u=world.ids.a2)[0][0] == 1
    assert q("select count(*) from attendance where user_id = :u", u=world.ids.a2)[0][0] == 1


def test_racing_checkouts_pay_hours_once(server, world, make_event, token_for, q):
    from server.common.timeutil import utcnow
    from tests.support import iso
    eid = make_event("volunteer_service", start_in=timedelta(hours=-1), hours=2)
    session = server.session(world.phones.a3, PASSWORD)
    arrived = utcnow() - timedelta(hours=1)
    first = session.post(server.url + "/api/v1/scans", json={
        "token": token_for(eid, at=arrived), "client_scan_id": str(uuid.uuid4()), "scanned_at": iso(arrived)})
    assert first.status_code == 201, first.text
    out = token_for(eid, "out")
    responses = _fire(session, server.url, [{"token": out, "client_scan_id": str(uuid.uuid4())} for _ in range(12)])
    outcomes = [r.json()["outcome"] for r in responses]
    assert outcomes.count("checked_out") == 1 and outcomes.count("already_checked_out") == 11
    assert q("select count(*), sum(amount) from points_ledger where user_id = :u", u=world.ids.a3)[0] == (1, 10)


def test_capacity_holds_under_racing_members(server, world, make_event, token_for, q):
    eid = make_event("volunteer_service", capacity=2)
    token = token_for(eid)
    phones = [world.phones.a1, world.phones.a2, world.phones.a3, world.phones.a4, world.phones.b1]
    sessions = [server.session(p, PASSWORD) for p in phones]
    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda s: s.post(server.url + "/api/v1/scans", json={
            "token": token, "client_scan_id": str(uuid.uuid4())}, timeout=30), sessions))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 201, 409, 409, 409]
    assert q("select count(*) from attendance where event_id = :e", e=eid)[0][0] == 2
