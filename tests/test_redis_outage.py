"""A dead throttle store (Redis) must not refuse sign-ins or scans: the app counts in memory instead."""
import uuid

import pytest

from tests.live import LiveServer, free_port
from tests.support import PASSWORD

pytestmark = pytest.mark.slow


def test_login_and_scan_work_while_redis_is_down(db_url, app, world, make_event, token_for, q):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    server = LiveServer(db_url, workers=1, extra_env={"REDIS_URL": dead})
    try:
        session = server.session(world.phones.a1, PASSWORD)  # raises unless 200
        eid = make_event("volunteer_service")
        resp = session.post(server.url + "/api/v1/scans",
                            json={"token": token_for(eid), "client_scan_id": str(uuid.uuid4())}, timeout=30)
        assert resp.status_code == 201, resp.text
    finally:
        server.stop()
    assert q("select count(*) from attendance where event_id = :e", e=eid)[0][0] == 1
