"""Events API: create, list, read, change, cancel, rotate the key; who may do each; validation."""
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from server.common import geo
from server.common.audit import AuditLog
from server.community.models import Duty, DutyClaim, DutySlot
from server.events.models import Event
from server.extensions import db
from tests.support import instant, iso

START, END = "2030-03-01T09:00:00+08:00", "2030-03-01T11:00:00+08:00"
API = "/api/v1/events"


def body(world, **over):
    return {"kind": "volunteer_service", "title": "敬老院志愿服务", "host_org_id": world.branch_a_id,
            "starts_at": START, "ends_at": END, **over}


def duty(world, **over):
    return body(world, **{"kind": "community_duty", "host_org_id": None, "host_community_id": world.c1_id, **over})


def field_errors(resp) -> dict:
    assert resp.status_code == 422, resp.get_json()
    return resp.get_json()["error"]["details"]["fields"]["json"]


def test_create_and_read_with_computed_fields(world, login):
    org = login(world.phones.org_a)
    resp = org.post(API, json=body(world, kind="party_day", title=" 三月主题党日 ", place_name="党群服务中心",
                                   opens_before_minutes=45))
    assert resp.status_code == 201, resp.get_json()
    ev = resp.get_json()
    assert ev["title"] == "三月主题党日" and ev["status"] == "published" and ev["key_version"] == 1
    assert ev["host_org_name"] == "第一支部" and ev["host_community_name"] is None
    assert ev["requires_checkout"] is False and ev["requires_confirmation"] is False  # party_day defaults
    assert ev["audience"] == "organization" and ev["qr_mode"] == "rotating" and ev["geofence_mode"] == "off"
    assert ev["starts_at"] == START and ev["scheduled_hours"] == 2.0 and ev["can_manage"] is True
    assert instant(ev["window_opens_at"]) == instant(START) - timedelta(minutes=45)
    assert instant(ev["window_closes_at"]) == instant(END) + timedelta(minutes=30)
    assert ev["created_by_id"] == world.ids.org_a
    assert org.get(f"{API}/{ev['id']}").get_json() == ev


def test_community_duty_by_liaison_gets_kind_defaults(world, login):
    resp = login(world.phones.liaison1).post(API, json=duty(world))
    assert resp.status_code == 201, resp.get_json()
    ev = resp.get_json()
    assert ev["requires_confirmation"] is True and ev["requires_checkout"] is True
    assert ev["audience"] == "community" and ev["host_community_name"] == "一号社区"


@pytest.mark.parametrize("who, make, status", [
    ("a1", body, 403),                                    # a member creates nothing
    ("org_b", body, 403),                                 # another branch's organizer
    ("liaison2", duty, 403),                              # another community's liaison
    ("liaison1", body, 403),                              # a liaison hosts only community duties
    ("org_a", lambda w: body(w, host_org_id=w.general_id), 403),  # not upward in the tree
    ("org_general", body, 201),                           # general branch covers branch_a
    ("admin", duty, 201),
])
def test_who_may_create(world, login, who, make, status):
    resp = login(getattr(world.phones, who)).post(API, json=make(world))
    assert resp.status_code == status, resp.get_json()
    if status == 403:
        assert resp.get_json()["error"]["code"] == "forbidden"


def test_signed_out_gets_401_everywhere(world, anon, make_event):
    eid = make_event("volunteer_service")
    for resp in (anon.get(API), anon.post(API, json={}), anon.get(f"{API}/{eid}"),
                 anon.patch(f"{API}/{eid}", json={"title": "x"}), anon.post(f"{API}/{eid}/cancel", json={}),
                 anon.post(f"{API}/{eid}/rotate-key")):
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_update_moves_window_and_is_audited(world, login, q):
    org = login(world.phones.org_a)
    eid = org.post(API, json=body(world, opens_before_minutes=60)).get_json()["id"]
    resp = org.patch(f"{API}/{eid}", json={"starts_at": "2030-03-02T14:00:00+08:00",
                                           "ends_at": "2030-03-02T17:30:00+08:00", "capacity": 40})
    assert resp.status_code == 200, resp.get_json()
    ev = resp.get_json()
    assert ev["window_opens_at"] == "2030-03-02T13:00:00+08:00"  # the 60-minute lead is kept
    assert ev["window_closes_at"] == "2030-03-02T18:00:00+08:00"
    assert ev["scheduled_hours"] == 3.5 and ev["capacity"] == 40 and ev["title"] == "敬老院志愿服务"
    ev = org.patch(f"{API}/{eid}", json={"closes_after_minutes": 0}).get_json()
    assert ev["window_closes_at"] == "2030-03-02T17:30:00+08:00"
    rows = q("select actor_id, action, object_id from audit_log where action = 'event.update' order by id")
    assert rows == [(world.ids.org_a, "event.update", eid)] * 2


# all of them see the open event; only the general branch (over branch_a) and the admin may change it
@pytest.mark.parametrize("who, status", [("org_b", 403), ("a1", 403), ("liaison2", 403), ("org_general", 200),
                                         ("admin", 200)])
def test_who_may_update_an_open_branch_a_event(world, login, make_event, who, status):
    eid = make_event("volunteer_service")
    resp = login(getattr(world.phones, who)).patch(f"{API}/{eid}", json={"title": "改名"})
    assert resp.status_code == status, resp.get_json()


def test_invisible_events_are_404_not_403(world, login, make_event):
    duty_c1 = make_event("community_duty")
    party_a = make_event("party_day")
    draft = make_event("volunteer_service", status="draft")
    assert login(world.phones.liaison2).patch(f"{API}/{duty_c1}", json={"title": "x"}).status_code == 404
    assert login(world.phones.liaison1).patch(f"{API}/{duty_c1}", json={"title": "x"}).status_code == 200
    b1 = login(world.phones.b1)
    for eid in (party_a, draft, 999999):
        assert b1.get(f"{API}/{eid}").status_code == 404
        assert b1.post(f"{API}/{eid}/cancel", json={"reason": "x"}).status_code == 404


def test_update_rules(world, login, make_event):
    org = login(world.phones.org_a)
    eid = make_event("volunteer_service")
    assert "kind" in field_errors(org.patch(f"{API}/{eid}", json={"kind": "party_day"}))
    assert org.patch(f"{API}/{eid}", json={"host_org_id": world.branch_b_id}).status_code == 403
    assert "ends_at" in field_errors(org.patch(f"{API}/{eid}", json={"ends_at": "2000-01-01T00:00:00+08:00"}))
    draft = make_event("volunteer_service", status="draft")
    assert org.patch(f"{API}/{draft}", json={"status": "published"}).get_json()["status"] == "published"
    token = org.get(f"{API}/{eid}/qr-token").get_json()["token"]
    login(world.phones.a1).post("/api/v1/scans", json={"token": token, "client_scan_id": str(uuid.uuid4())})
    resp = org.patch(f"{API}/{eid}", json={"status": "draft"})  # someone already checked in
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "conflict"


def test_cancel_requires_reason_is_audited_and_final(world, login, make_event, ctx, scan, token_for):
    eid = make_event("volunteer_service")
    org = login(world.phones.org_a)
    assert "reason" in field_errors(org.post(f"{API}/{eid}/cancel", json={}))
    assert "reason" in field_errors(org.post(f"{API}/{eid}/cancel", json={"reason": ""}))
    resp = org.post(f"{API}/{eid}/cancel", json={"reason": "暴雨预警"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    with ctx():
        rows = [(r.actor_id, r.action, r.object_type, r.object_id, r.before, r.after, r.reason)
                for r in db.session.scalars(select(AuditLog))]
    assert rows == [(world.ids.org_a, "event.cancel", "event", eid, {"status": "published"},
                     {"status": "cancelled"}, "暴雨预警")]
    assert org.post(f"{API}/{eid}/cancel", json={"reason": "again"}).status_code == 409
    assert org.patch(f"{API}/{eid}", json={"title": "x"}).status_code == 409
    assert scan(world.phones.a1, token_for(eid)).get_json()["error"]["code"] == "cancelled"


def test_rotate_key_bumps_version_and_is_audited(world, login, make_event, q):
    eid = make_event("volunteer_service")
    org = login(world.phones.org_general)
    assert org.post(f"{API}/{eid}/rotate-key", json={"reason": "海报外传"}).get_json()["key_version"] == 2
    assert org.post(f"{API}/{eid}/rotate-key").get_json()["key_version"] == 3
    assert q("select action, reason from audit_log order by id") == [
        ("event.rotate_key", "海报外传"), ("event.rotate_key", "")]
    assert q("select key_version from events")[0][0] == 3
    assert login(world.phones.a1).post(f"{API}/{eid}/rotate-key").status_code == 403


@pytest.fixture
def catalogue(world, make_event):
    """Nine events across hosts, audiences and statuses, each named for the visibility test."""
    return {
        "party_a": make_event("party_day"),
        "party_b": make_event("party_day", host_org_id=world.branch_b_id),
        "party_general": make_event("party_day", host_org_id=world.general_id),
        "vol_open": make_event("volunteer_service"),
        "vol_draft_b": make_event("volunteer_service", host_org_id=world.branch_b_id, status="draft"),
        "vol_cancelled": make_event("volunteer_service", status="cancelled"),
        "duty_c1": make_event("community_duty"),
        "duty_c2": make_event("community_duty", host_community_id=world.c2_id),
        "closed_b_only": make_event("volunteer_service", host_org_id=world.branch_b_id, audience="organization",
                                    status="closed"),
    }


VISIBLE = {
    "admin": "party_a party_b party_general vol_open vol_draft_b vol_cancelled duty_c1 duty_c2 closed_b_only",
    "org_a": "party_a party_general vol_open vol_cancelled",
    "org_b": "party_b party_general vol_open vol_draft_b closed_b_only",
    "org_general": "party_a party_b party_general vol_open vol_draft_b vol_cancelled closed_b_only",
    "liaison1": "vol_open duty_c1",
    "a1": "party_a party_general vol_open duty_c1",
    "a3": "party_a party_general vol_open",
    "b1": "party_b party_general vol_open duty_c2 closed_b_only",
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_list_and_read_visibility_per_role(world, login, catalogue, who):
    client = login(getattr(world.phones, who))
    listed = {e["id"] for e in client.get(f"{API}?page_size=100").get_json()["items"]}
    expected = {catalogue[name] for name in VISIBLE[who].split()}
    assert listed == expected
    for eid in catalogue.values():  # the detail answers exactly as the list does
        assert client.get(f"{API}/{eid}").status_code == (200 if eid in expected else 404)


def test_duty_slot_events_are_seen_by_their_claimers(world, login, make_event, ctx):
    eid = make_event("community_duty", audience="claimers")
    with ctx():
        event, duty = db.session.get(Event, eid), Duty(community_id=world.c1_id, title="值守")
        db.session.add(duty)
        db.session.flush()
        slot = DutySlot(duty_id=duty.id, starts_at=event.starts_at, ends_at=event.ends_at, capacity=2, event_id=eid)
        db.session.add(slot)
        db.session.flush()
        db.session.add(DutyClaim(slot_id=slot.id, user_id=world.ids.a3))
        db.session.commit()
        later = iso(event.ends_at + timedelta(hours=1))
    for who, seen in (("a3", True), ("a1", False), ("liaison1", True), ("liaison2", False)):
        client = login(getattr(world.phones, who))
        assert (eid in [e["id"] for e in client.get(API).get_json()["items"]]) is seen
        assert client.get(f"{API}/{eid}").status_code == (200 if seen else 404)
    liaison = login(world.phones.liaison1)
    assert liaison.patch(f"{API}/{eid}", json={"ends_at": later}).status_code == 409  # the slot owns its times
    assert liaison.patch(f"{API}/{eid}", json={"place_name": "活动室"}).status_code == 200


def test_filters_pagination_and_order(world, login, make_event):
    e1 = make_event("volunteer_service", start_in=timedelta(days=2))
    e2 = make_event("party_day", start_in=timedelta(days=1))
    e3 = make_event("community_duty", start_in=timedelta(minutes=-10))  # open now
    e4 = make_event("volunteer_service", start_in=timedelta(days=3), host_org_id=world.branch_b_id, status="draft")
    admin = login(world.phones.admin)

    def ids(query=""):
        page = admin.get(f"{API}?{query}").get_json()
        return [e["id"] for e in page["items"]]

    assert ids() == [e3, e2, e1, e4]
    assert ids("kind=volunteer_service") == [e1, e4]
    assert ids("status=draft") == [e4] and ids(f"host_org_id={world.branch_b_id}") == [e4]
    assert ids(f"host_community_id={world.c1_id}") == [e3]
    assert ids("open_now=true") == [e3]
    tomorrow = quote(admin.get(f"{API}/{e2}").get_json()["starts_at"])
    assert ids(f"from={tomorrow}") == [e2, e1, e4]  # still running at or after
    assert ids(f"to={tomorrow}") == [e3]  # starting before
    assert ids(f"from={tomorrow}&to={tomorrow}") == []
    page = admin.get(f"{API}?page=2&page_size=3").get_json()
    assert page["total"] == 4 and page["page"] == 2 and page["page_size"] == 3
    assert [e["id"] for e in page["items"]] == [e4]
    bad = admin.get(f"{API}?kind=picnic&page_size=0")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]["fields"]["query"]) == {"kind", "page_size"}


def test_list_costs_no_query_per_row(app, world, login, make_event):
    org = login(world.phones.org_general)
    with app.app_context():
        engine = db.engine

    def listing():
        counted = [0]

        def count(*_args, **_kw):
            counted[0] += 1
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            items = org.get(f"{API}?page_size=100").get_json()["items"]
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        return len(items), counted[0]

    for _ in range(2):
        make_event("party_day")
    small = listing()
    for _ in range(10):
        make_event("volunteer_service", host_org_id=world.branch_b_id)
    big = listing()
    assert small[0] == 2 and big[0] == 12
    assert small[1] == big[1] <= 6, (small, big)


def test_validation_messages_name_the_fields(world, login):
    org = login(world.phones.org_a)
    errors = field_errors(org.post(API, json={"kind": "party_day", "title": "  ", "starts_at": START,
                                              "ends_at": START, "geofence_mode": "enforce",
                                              "requires_confirmation": True}))
    assert errors["ends_at"] == ["结束时间必须晚于开始时间"]  # in the request's language, with its code
    bad = {"kind": "party_day", "title": "x", "starts_at": START, "ends_at": START, "host_org_id": world.branch_a_id}
    english = org.post(API, json=bad, headers={"Accept-Language": "en"}).get_json()["error"]["details"]
    assert english["fields"]["json"]["ends_at"] == ["ends_at must be after starts_at"]
    assert english["codes"]["ends_at"] == "event_ends_before_start"
    assert "host_org_id" in errors and "title" in errors and "requires_confirmation" in errors
    assert "lat" in errors["geofence_mode"][0] and "geofence_radius_m" in errors["geofence_mode"][0]
    errors = field_errors(org.post(API, json={"kind": "picnic", "starts_at": "tomorrow", "capacity": 0, "lat": 30}))
    assert errors["title"] == ["必填 / this field is required"] and "ends_at" in errors
    assert errors["kind"][0].startswith("活动类型只能是") and "must be one of" in errors["kind"][0]
    assert "ISO 8601" in errors["starts_at"][0] and "1–100000" in errors["capacity"][0] and "lng" in errors
    errors = field_errors(org.post(API, json=duty(world, host_org_id=world.branch_a_id, requires_confirmation=False,
                                                  audience="organization")))
    assert {"host_org_id", "requires_confirmation", "audience"} <= set(errors)
    errors = field_errors(org.post(API, json=body(world, host_org_id=987654, ends_at="2030-04-15T09:00:00+08:00")))
    assert "不存在" in errors["host_org_id"][0] and "31" in errors["ends_at"][0]
    assert field_errors(org.post(API, json=body(world, surprise=1))) == {"surprise": ["不支持的字段 / unknown field"]}
    assert "audience" in field_errors(org.post(API, json=body(world, audience="community")))
    assert org.post(API, json={"kind": "party_day"}).get_json()["error"]["message"] == "提交的内容有误，请按提示修改"


def test_gcj02_is_stored_as_wgs84(world, login, q):
    org = login(world.phones.org_a)
    resp = org.post(API, json=body(world, lat=39.90923, lng=116.40356, coord_system="gcj02", geofence_mode="enforce",
                                   geofence_radius_m=150))
    assert resp.status_code == 201, resp.get_json()
    (lat, lng), = q("select lat, lng from events")
    assert geo.distance_m(lat, lng, 39.90783, 116.39732) < 2
    assert resp.get_json()["lat"] == pytest.approx(lat)
    eid = resp.get_json()["id"]
    org.patch(f"{API}/{eid}", json={"lat": 39.90923, "lng": 116.40356})  # WGS-84 by default: stored as sent
    assert q("select lat, lng from events") == [(39.90923, 116.40356)]
    resp = org.patch(f"{API}/{eid}", json={"lat": 39.9})
    assert "lng" in field_errors(resp)


def test_text_with_control_characters_is_refused_with_what_to_fix(world, login, q):
    org = login(world.phones.org_a)
    errors = field_errors(org.post(API, json=body(world, title="党日\x07活动")))
    assert errors["title"] == ["活动名称含有不可见的控制字符，请删去后重试 / contains control characters; remove them"]
    assert q("select count(*) from events") == [(0,)]
    resp = org.post(API, json=body(world, title="党日活动", description="第一行\n第二行\t完"))
    assert resp.status_code == 201, resp.get_json()  # tab and line breaks are text
