"""One Scope per request: its Python checks and their SQL twins agree for every kind of caller and event,
and loading an event for a purpose answers 404 to whoever may not see it, 403 to whoever sees it only."""
import pytest
from sqlalchemy import select

from server.auth.models import User
from server.auth.scope import scope_of
from server.common.errors import Forbidden, NotFound
from server.events import lookup
from server.events.models import Event
from server.extensions import db

CALLERS = ("admin", "org_a", "org_b", "org_general", "liaison1", "liaison2", "a1", "a2", "b1")


@pytest.fixture
def events(world, make_event):
    """One event of every kind and status a caller can meet, hosted by branch_a, branch_b and c1."""
    return [
        make_event("party_day"), make_event("party_day", host_org_id=world.branch_b_id),
        make_event("party_day", status="draft"), make_event("volunteer_service"),
        make_event("volunteer_service", host_org_id=world.branch_b_id, status="cancelled"),
        make_event("community_duty"), make_event("community_duty", host_community_id=world.c2_id),
    ]


def _user(world, who) -> User:
    return db.session.scalar(select(User).where(User.phone == getattr(world.phones, who)))


@pytest.mark.parametrize("who", CALLERS)
def test_python_checks_and_sql_twins_agree(world, events, ctx, who):
    with ctx():
        scope = scope_of(_user(world, who))
        rows = db.session.scalars(select(Event).where(Event.id.in_(events))).all()
        for check, clause in ((lookup.sees, lookup.sees_clause), (lookup.manages, lookup.manages_clause),
                              (lookup.reviews, lookup.reviews_clause)):
            in_python = {e.id for e in rows if check(scope, e)}
            in_sql = set(db.session.scalars(select(Event.id).where(Event.id.in_(events), clause(scope))))
            assert in_python == in_sql, (who, check.__name__)


def test_what_each_caller_sees_manages_and_reviews(world, events, ctx):
    party_a, party_b, draft_a, service_a, cancelled_b, duty_c1, duty_c2 = events
    with ctx():
        def ids(who, check):
            scope = scope_of(_user(world, who))
            return {e for e in events if check(scope, db.session.get(Event, e))}
        assert ids("admin", lookup.sees) == set(events)
        assert ids("org_a", lookup.manages) == {party_a, draft_a, service_a}
        assert ids("org_general", lookup.manages) == {party_a, party_b, draft_a, service_a, cancelled_b}
        assert ids("org_a", lookup.reviews) == {service_a}  # party days record no hours
        assert ids("liaison1", lookup.reviews) == ids("liaison1", lookup.manages) == {duty_c1}
        assert ids("a1", lookup.sees) == {party_a, service_a, duty_c1}  # not drafts, not others' branches
        assert ids("b1", lookup.sees) == {party_b, service_a, duty_c2}  # open is open to all; not cancelled
        assert ids("a1", lookup.manages) == set()


def test_event_for_hides_what_a_caller_may_not_see(world, events, ctx):
    party_a, party_b, *_ = events
    with ctx():
        member = scope_of(_user(world, "a1"))
        assert lookup.event_for(member, party_a, "see").id == party_a
        with pytest.raises(Forbidden):
            lookup.event_for(member, party_a, "manage")
        with pytest.raises(NotFound):
            lookup.event_for(member, party_b, "manage")
        with pytest.raises(NotFound):
            lookup.event_for(member, 999_999, "see")
        assert lookup.event_for(scope_of(_user(world, "org_general")), party_b, "manage").id == party_b


def test_scope_is_read_once_per_request(world, app):
    with app.test_request_context():
        user = _user(world, "org_a")
        assert scope_of(user) is scope_of(user)
