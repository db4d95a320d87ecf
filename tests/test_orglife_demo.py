"""The demo shows a branch's year: meetings held, one party day overdue, a leave approved, a make-up
confirmed, an approved record; and the secretary sees it through the API."""
from sqlalchemy import select

from server.auth.models import Organization
from server.common.timeutil import to_local, utcnow
from server.demo import DEMO_PASSWORD, ORGANIZER, seed
from server.extensions import db
from server.orglife.demo import seed_orglife_demo
from tests.support import empty_database


def test_demo_year_of_a_branch(app, login, q):
    with app.app_context():
        empty_database()
        assert "organizational life" in seed()
        assert seed_orglife_demo() == "organizational life demo already loaded"
        branch_id = db.session.scalar(select(Organization.id).where(Organization.level == "branch")
                                      .order_by(Organization.id))  # the first branch (the evaluation demo adds more)
        month = to_local(utcnow()).month
        db.session.remove()
    secretary = login(ORGANIZER, DEMO_PASSWORD)
    cal = secretary.get(f"/api/v1/orglife/compliance?org_id={branch_id}").get_json()
    party = next(k for k in cal["branches"][0]["kinds"] if k["kind"] == "party_day")
    statuses = [c["status"] for c in party["cells"]]
    if month > 2:
        assert statuses[month - 3] == "overdue" and cal["behind"][0]["org_id"] == branch_id
        assert statuses[: month - 3] == ["held"] * (month - 3) and statuses[month - 2] == "held"
    assert q("select status from leave_requests") == [("approved",)]
    assert q("select count(*) from attendance where state = 'excused'")[0][0] == 1
    assert q("select confirmed_at is not null from makeups")[0][0] in (True, 1)
    assert q("select r.status from meeting_records r join events e on e.id = r.event_id "
             "where e.host_org_id = :b", b=branch_id) == [("approved",)]
