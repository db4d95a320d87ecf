"""Points read API: a member's ledger and who may see it; leaderboards by period and scope."""
from datetime import timedelta

import pytest

from server.attendance import core
from server.common.timeutil import to_local, to_utc_naive, utcnow
from server.events.models import Event
from server.extensions import db
from server.points.models import PointsEntry

LEDGER, BOARD = "/api/v1/points/ledger", "/api/v1/points/leaderboard"


def add_points(ctx, user_id, amount, at=None, rule="adjust.test"):
    with ctx():
        db.session.add(PointsEntry(user_id=user_id, amount=amount, rule_code=rule, entry_type="adjust",
                                   created_at=at or utcnow()))
        db.session.commit()


def test_own_ledger_newest_first_paginated(world, make_event, ctx, login):
    eid = make_event("party_day", start_in=timedelta(minutes=-2))
    with ctx():
        event = db.session.get(Event, eid)
        core.check_in(event, world.ids.a1, utcnow() - timedelta(hours=1), "qr")
        db.session.commit()
    add_points(ctx, world.ids.a1, 3)
    add_points(ctx, world.ids.a2, 100)  # someone else's
    member = login(world.phones.a1)
    body = member.get(LEDGER).get_json()
    assert body["member_id"] == world.ids.a1 and body["balance"] == 8 and body["total"] == 2
    newest, oldest = body["items"]
    assert (newest["amount"], newest["event_id"]) == (3, None)
    assert (oldest["amount"], oldest["rule_code"], oldest["event_id"]) == (5, "party_day.checkin", eid)
    assert oldest["event_title"] == "测试party_day" and oldest["created_at"].endswith("+08:00")
    page2 = member.get(LEDGER, query_string={"page": 2, "page_size": 1}).get_json()
    assert [i["amount"] for i in page2["items"]] == [5] and page2["balance"] == 8
    assert member.get(LEDGER, query_string={"page_size": 0}).status_code == 422


@pytest.mark.parametrize("who, whose, status", [
    ("a1", "a1", 200), ("a1", "a2", 403), ("b1", "a1", 403),
    ("org_a", "a1", 200), ("org_a", "b1", 403), ("org_b", "a1", 403), ("org_general", "b1", 200),
    ("liaison1", "a1", 403), ("liaison2", "b1", 403), ("admin", "b1", 200), ("admin", None, 404), ("org_a", None, 403),
])
def test_ledger_visibility(world, ctx, login, who, whose, status):
    add_points(ctx, world.ids.b1, 7)
    member_id = getattr(world.ids, whose) if whose else 999999
    resp = login(getattr(world.phones, who)).get(LEDGER, query_string={"member_id": member_id})
    assert resp.status_code == status, resp.get_json()
    if status == 200:
        assert resp.get_json()["member_id"] == member_id
    else:
        assert "balance" not in resp.get_json()


def test_ledger_signed_out(anon):
    assert anon.get(LEDGER).status_code == 401 and anon.get(BOARD).status_code == 401


@pytest.fixture
def scores(world, ctx, app):
    """a1 10 now + 100 long ago; a2 10 now; a3 7 last month; b1 50 now; a4 inactive with 1000."""
    with app.app_context():
        month_start = to_local(utcnow()).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        last_month, same_year = to_utc_naive(month_start) - timedelta(hours=1), month_start.month != 1
    ids = world.ids
    for uid, amount, at in [(ids.a1, 10, None), (ids.a1, 100, utcnow() - timedelta(days=400)), (ids.a2, 10, None),
                            (ids.a3, 7, last_month), (ids.b1, 50, None), (ids.a4, 1000, None)]:
        add_points(ctx, uid, amount, at)
    with ctx():
        from server.auth.models import User
        db.session.get(User, ids.a4).active = False
        db.session.commit()
    return same_year


def board(client, **params):
    resp = client.get(BOARD, query_string=params)
    assert resp.status_code == 200, resp.get_json()
    return [(r["rank"], r["member_id"], r["points"]) for r in resp.get_json()["items"]]


def test_leaderboard_numbers(world, scores, login):
    ids, admin = world.ids, login(world.phones.admin)
    a = world.branch_a_id
    assert board(admin, org_id=a, period="month") == [(1, ids.a1, 10), (1, ids.a2, 10)]
    year = [(1, ids.a1, 10), (1, ids.a2, 10)] + ([(3, ids.a3, 7)] if scores else [])
    assert board(admin, org_id=a, period="year") == year
    assert board(admin, org_id=a, period="all") == [(1, ids.a1, 110), (2, ids.a2, 10), (3, ids.a3, 7)]
    assert board(admin, org_id=world.general_id) == [(1, ids.b1, 50), (2, ids.a1, 10), (2, ids.a2, 10)]
    assert board(admin, community_id=world.c1_id) == [(1, ids.a1, 10), (1, ids.a2, 10)]
    assert board(admin) == [(1, ids.b1, 50), (2, ids.a1, 10), (2, ids.a2, 10)]  # city-wide
    body = login(world.phones.a1).get(BOARD).get_json()  # a member defaults to their own branch
    assert body["org_id"] == a and body["period"] == "month" and body["since"].endswith("+08:00")
    assert body["items"][0]["name"] == "甲一" and body["items"][0]["branch_name"] == "第一支部"


@pytest.mark.parametrize("who, params, status", [
    ("a1", {"org_id": "branch_a"}, 200), ("a1", {"org_id": "branch_b"}, 403), ("a1", {"org_id": "general"}, 403),
    ("a1", {"community_id": "c1"}, 403),
    ("org_a", {"org_id": "branch_a"}, 200), ("org_a", {"org_id": "general"}, 403),
    ("org_a", {"org_id": "branch_b"}, 403),
    ("org_b", {"org_id": "branch_a"}, 403),
    ("org_general", {"org_id": "branch_b"}, 200), ("org_general", {"org_id": "committee"}, 403),
    ("liaison1", {"community_id": "c1"}, 200), ("liaison2", {"community_id": "c1"}, 403),
    ("liaison1", {"org_id": "branch_a"}, 403), ("liaison1", {}, 422),
    ("admin", {"community_id": "c2"}, 200), ("admin", {"org_id": "committee"}, 200),
    ("admin", {"org_id": "branch_a", "community_id": "c1"}, 422), ("a1", {"period": "week"}, 422),
])
def test_leaderboard_scopes(world, login, who, params, status):
    query = {k: getattr(world, v + "_id") for k, v in params.items() if k != "period"}
    query.update({k: v for k, v in params.items() if k == "period"})
    resp = login(getattr(world.phones, who)).get(BOARD, query_string=query)
    assert resp.status_code == status, resp.get_json()
    if status != 200:
        assert resp.get_json()["error"]["code"] in ("forbidden", "validation_error")


def test_leaderboard_unknown_org(world, login):
    resp = login(world.phones.admin).get(BOARD, query_string={"org_id": 999999})
    assert resp.status_code == 404
