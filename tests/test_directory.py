"""Directory look-ups for staff screens, each limited to the caller's scope."""
from server.auth import cards


def test_organizations_managed_per_role(world, login):
    names = lambda c, q="": [o["name"] for o in c.get("/api/v1/organizations" + q).get_json()]  # noqa: E731
    assert names(login(world.phones.org_general), "?managed=true") == ["总支", "第一支部", "第二支部"]
    assert names(login(world.phones.org_a), "?managed=true") == ["第一支部"]
    assert names(login(world.phones.a1), "?managed=true") == []
    assert names(login(world.phones.a1)) == ["委员会", "总支", "第一支部"]  # my branch line
    assert len(names(login(world.phones.admin), "?managed=true")) == 4


def test_communities_managed_per_role(world, login):
    get = lambda c, q="": [x["name"] for x in c.get("/api/v1/communities" + q).get_json()]  # noqa: E731
    assert get(login(world.phones.liaison1), "?managed=true") == ["一号社区"]
    assert get(login(world.phones.org_a), "?managed=true") == []
    assert sorted(get(login(world.phones.a1))) == ["一号社区", "二号社区"]


def test_member_search_is_scoped(world, login, anon):
    hits = lambda c, q: {h["name"] for h in c.get(f"/api/v1/members?q={q}").get_json()}  # noqa: E731
    assert hits(login(world.phones.org_a), "甲") == {"甲一", "甲二", "甲三", "甲四", "甲组织者"}
    assert hits(login(world.phones.org_b), "甲") == set()
    assert hits(login(world.phones.liaison1), "甲") == {"甲一", "甲二"}  # registered with c1
    assert hits(login(world.phones.org_a), "13800000201") == set()
    assert hits(login(world.phones.admin), "13800000201") == {"乙一"}
    resp = login(world.phones.a1).get("/api/v1/members?q=甲")
    assert resp.status_code == 403
    assert anon.get("/api/v1/members?q=甲").status_code == 401
    assert login(world.phones.org_a).get("/api/v1/members").status_code == 422


def test_card_holder(world, login, ctx):
    with ctx():
        token = cards.card_token(world.ids.a1)
    assert login(world.phones.org_a).get(f"/api/v1/cards/{token}").get_json()["name"] == "甲一"
    assert login(world.phones.a1).get(f"/api/v1/cards/{token}").status_code == 200
    assert login(world.phones.liaison1).get(f"/api/v1/cards/{token}").status_code == 200
    assert login(world.phones.org_b).get(f"/api/v1/cards/{token}").status_code == 403
    assert login(world.phones.a2).get(f"/api/v1/cards/{token}").status_code == 403
    bad = login(world.phones.org_a).get(f"/api/v1/cards/{token[:-3]}xyz")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"
