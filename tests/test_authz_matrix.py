"""Authorization matrix: every /api/v1 endpoint (rule × method of the app's url_map) against every kind of
caller, each expecting one status: allowed (the 2xx the endpoint answers) or refused.

Callers (users of tests.support.build_world):
    anon           signed out                                   → 401 everywhere but the public endpoints
    owner          a1: owns the record (a1's attendance, claim, registration, card…); branch_a, community c1
    member         a2: another member of the same branch and community, who owns nothing here
    outsider       b1: a member of branch_b and community c2
    org            org_a: organizer of the object's organization (branch_a)
    org_other      org_b: organizer of another organization (branch_b)
    liaison        liaison1: liaison of the object's community (c1)
    liaison_other  liaison2: liaison of another community (c2)
    admin

Objects: events are branch_a's (a party day: audience branch_a), hours records are a1's community duty at
c1 (reviewed by c1's liaison), needs and registrations are c1's. A row that changes something gives each
caller an object of its own, so every caller meets the same state.

Refusals follow what each endpoint's code intends: 403 for a caller outside its scope, except events, which
answer 404 to a caller who may not even see the event (its existence does not leak) and 403 to one who sees
it without managing it; 409 where the endpoint acts only on the caller's own record (withdraw a claim).

A new endpoint without a row fails test_every_endpoint_has_a_row."""
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from server.common.timeutil import utcnow
from tests import objects, support

CALLERS = ("anon", "owner", "member", "outsider", "org", "org_other", "liaison", "liaison_other", "admin")
USER_OF = {"owner": "a1", "member": "a2", "outsider": "b1", "org": "org_a", "org_other": "org_b",
           "liaison": "liaison1", "liaison_other": "liaison2", "admin": "admin"}
SIGNED_IN = CALLERS[1:]
REVIEWERS = ("org", "org_other", "liaison", "liaison_other", "admin")  # anyone with a scope to manage


def allow(ok: int, *allowed: str, refused: int = 403, **others: int) -> dict[str, int]:
    """`ok` for the callers named, `refused` for the other signed-in ones, 401 signed out; others override."""
    table = {caller: refused for caller in SIGNED_IN}
    table.update({caller: ok for caller in allowed}, anon=401)
    table.update(others)
    return table


def public(ok: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, ok)


# Events: a caller who cannot see the event gets 404; one who sees it (its branch's members) but does not
# manage it gets 403.
EVENT_MANAGERS = {"refused": 404, "owner": 403, "member": 403}


class Ctx:
    """What a row's `make` sees: the world, the caller, and objects shared by all callers of the row."""

    def __init__(self, w):
        self.w, self.caller, self._shared = w, None, {}

    def once(self, name: str, make: Callable):
        if name not in self._shared:
            self._shared[name] = make()
        return self._shared[name]


@dataclass
class Row:
    method: str
    path: str  # template: {name} for each path parameter of the url_map rule
    expect: dict[str, int]
    make: Callable[[Ctx], dict] = field(default=lambda c: {})  # → path params, query, json, data


def when(days: float = 1, hours: float = 2) -> tuple[str, str]:
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    return support.iso(start), support.iso(start + timedelta(hours=hours))


def slot_body() -> dict:
    starts_at, ends_at = when()
    return {"starts_at": starts_at, "ends_at": ends_at, "capacity": 3}


def event_body(c: Ctx) -> dict:
    starts_at, ends_at = when()
    return {"kind": "volunteer_service", "title": "新活动", "starts_at": starts_at, "ends_at": ends_at,
            "host_org_id": c.w.branch_a_id}


def party(c: Ctx) -> dict:
    return {"event_id": c.once("party", lambda: objects.party_day(c.w))}


def fresh_party(c: Ctx) -> dict:
    return {"event_id": objects.party_day(c.w)}


def annul_target(c: Ctx, state: str = "checked_in") -> dict:
    event_id = objects.party_day(c.w)
    return {"event_id": event_id, "attendance_id": objects.attendance(event_id, c.w.ids.a1, state)}


def held(c: Ctx) -> dict:
    """A delayed scan of a1 at a party day of branch_a, held for review (fresh for each caller)."""
    event_id = objects.party_day(c.w)
    return {"event_id": event_id, "scan_id": objects.held_scan(event_id, c.w.ids.a1)}


def duty_record(c: Ctx) -> dict:
    """a1's pending hours at c1, shared by the callers of a reading row."""
    return {"attendance_id": c.once("duty_att", lambda: objects.duty_attendance(c.w))}


def fresh_duty_record(c: Ctx, state: str = "pending") -> dict:
    return {"attendance_id": objects.duty_attendance(c.w, "a1", state)}


def duty_event(c: Ctx) -> dict:
    return {"event_id": c.once("duty_event", lambda: objects.duty_event(c.w))}


def need(c: Ctx) -> dict:
    return {"duty_id": c.once("need", lambda: objects.duty(c.w))[0]}


def fresh_slot(c: Ctx) -> dict:
    return {"slot_id": objects.duty(c.w)[1]}


def claimed_slot(c: Ctx) -> dict:
    """A slot a1 holds a claim on (fresh for each caller)."""
    _duty, slot_id = objects.duty(c.w)
    objects.claim(slot_id, c.w.ids.a1)
    return {"slot_id": slot_id}


def c1(c: Ctx) -> dict:
    return {"community_id": c.w.c1_id}


def c1_token(c: Ctx) -> str:
    return objects.registration_token(c.w.c1_id)


def import_form(_c: Ctx) -> dict:
    return {"data": {"file": (io.BytesIO(objects.ROSTER_CSV), "roster.csv"), "dry_run": "true"}}


YEAR = {"year": utcnow().year}

ROWS = [
    # -- sign-in ----------------------------------------------------------------------------------
    Row("POST", "/api/v1/auth/login", public(200),
        lambda c: {"json": {"phone": getattr(c.w.phones, USER_OF.get(c.caller, "a1")),
                            "password": support.PASSWORD}}),
    Row("POST", "/api/v1/auth/logout", public(204)),
    Row("POST", "/api/v1/auth/logout-all", allow(204, *SIGNED_IN)),
    Row("GET", "/api/v1/me", allow(200, *SIGNED_IN)),

    # -- accounts: codes (public, the code is the key), staff issuing them, my account ------------------------------
    Row("GET", "/api/v1/codes/{code}", public(200), lambda c: {"code": objects.activation_code(c.w)["code"]}),
    Row("POST", "/api/v1/codes/{code}/redeem", public(200), lambda c: objects.activation_code(c.w)),
    Row("GET", "/api/v1/codes/{code}/qr.png", public(200), lambda c: {"code": "ABCDE-FGHJK"}),
    Row("POST", "/api/v1/auth/help", public(202),
        lambda c: {"json": {"phone": getattr(c.w.phones, USER_OF.get(c.caller, "a1"))}}),
    Row("POST", "/api/v1/organizations/{org_id}/activation-slips", allow(201, "org", "admin"),
        lambda c: {"org_id": c.w.branch_a_id, "json": {}}),
    Row("GET", "/api/v1/organizations/{org_id}/activation", allow(200, "org", "admin"),
        lambda c: {"org_id": c.w.branch_a_id}),
    Row("POST", "/api/v1/organizations/{org_id}/join-code", allow(201, "org", "admin"),
        lambda c: {"org_id": c.w.branch_a_id, "json": {}}),
    Row("DELETE", "/api/v1/organizations/{org_id}/join-code", allow(204, "org", "admin"),
        lambda c: {"org_id": c.w.branch_a_id}),
    Row("POST", "/api/v1/members/{member_id}/reset-code", allow(201, "org", "admin"),
        lambda c: {"member_id": c.w.ids.a1}),
    Row("GET", "/api/v1/password-help", allow(200, "org", "org_other", "admin")),
    Row("GET", "/api/v1/people", allow(200, "org", "org_other", "admin")),
    Row("GET", "/api/v1/account", allow(200, *SIGNED_IN)),
    Row("POST", "/api/v1/account/password", allow(200, *SIGNED_IN),
        lambda c: {"json": {"current_password": support.PASSWORD, "new_password": support.PASSWORD}}),
    Row("POST", "/api/v1/account/phone", allow(200, *SIGNED_IN),
        lambda c: {"json": {"password": support.PASSWORD, "phone": getattr(c.w.phones, USER_OF[c.caller])}}
        if c.caller != "anon" else {"json": {"password": "x", "phone": "13800000101"}}),
    Row("GET", "/api/v1/openapi.json", public(200)),

    # -- events: a party day of branch_a -------------------------------------------------------------
    Row("GET", "/api/v1/events", allow(200, *SIGNED_IN)),
    Row("POST", "/api/v1/events", allow(201, "org", "admin"), lambda c: {"json": event_body(c)}),
    Row("GET", "/api/v1/events/{event_id}", allow(200, "owner", "member", "org", "admin", refused=404), party),
    Row("PATCH", "/api/v1/events/{event_id}", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**fresh_party(c), "json": {"title": "改名"}}),
    Row("POST", "/api/v1/events/{event_id}/cancel", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**fresh_party(c), "json": {"reason": "天气原因"}}),
    Row("POST", "/api/v1/events/{event_id}/rotate-key", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**fresh_party(c), "json": {}}),
    Row("GET", "/api/v1/events/{event_id}/qr-token", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**party(c), "query": {"direction": "in"}}),
    Row("GET", "/api/v1/events/{event_id}/qr", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**party(c), "query": {"direction": "in", "format": "svg"}}),

    # -- attendance of an event: its managers (404 to whoever may not see the event) --------------------
    Row("GET", "/api/v1/events/{event_id}/attendance", allow(200, "org", "admin", **EVENT_MANAGERS), party),
    Row("POST", "/api/v1/events/{event_id}/attendance", allow(201, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**fresh_party(c), "json": {"member_id": c.w.ids.a1, "reason": "忘带手机"}}),
    Row("POST", "/api/v1/events/{event_id}/attendance/{attendance_id}/annul",
        allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**annul_target(c), "json": {"reason": "代签"}}),
    Row("POST", "/api/v1/events/{event_id}/attendance/{attendance_id}/restore",
        allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**annul_target(c, "annulled"), "json": {"reason": "误作废"}}),
    Row("GET", "/api/v1/events/{event_id}/roster", allow(200, "org", "admin", **EVENT_MANAGERS), party),
    Row("GET", "/api/v1/events/{event_id}/attendance.csv", allow(200, "org", "admin", **EVENT_MANAGERS), party),
    Row("GET", "/api/v1/events/{event_id}/attendance.xlsx", allow(200, "org", "admin", **EVENT_MANAGERS), party),
    Row("GET", "/api/v1/me/attendance", allow(200, *SIGNED_IN)),

    # -- scans: anyone signed in, at an event open to all ------------------------------------------------
    Row("POST", "/api/v1/scans", allow(201, *SIGNED_IN),
        lambda c: {"json": {"token": support.token_for(c.once("open", lambda: objects.open_service(c.w))),
                            "client_scan_id": str(uuid.uuid4())}}),
    Row("GET", "/api/v1/events/{event_id}/held-scans", allow(200, "org", "admin", **EVENT_MANAGERS), party),
    Row("POST", "/api/v1/events/{event_id}/held-scans/{scan_id}", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {**held(c), "json": {"decision": "accept"}}),

    # -- a member's own records: a1's ----------------------------------------------------------------------
    Row("GET", "/api/v1/members/{member_id}/card.png", allow(200, "owner", "org", "admin"),
        lambda c: {"member_id": c.w.ids.a1}),
    # -- people, for staff: a3 of branch_a (organizer of branch_a, admin) ------------------------------
    Row("GET", "/api/v1/members/{member_id}", allow(200, "org", "admin"), lambda c: {"member_id": c.w.ids.a3}),
    Row("POST", "/api/v1/members/{member_id}/deactivate", allow(200, "org", "admin"),
        lambda c: {"member_id": c.w.ids.a3, "json": {"reason": "调离"}}),
    Row("POST", "/api/v1/members/{member_id}/reactivate", allow(200, "org", "admin"),
        lambda c: {"member_id": c.w.ids.a3, "json": {"reason": "返回"}}),
    Row("POST", "/api/v1/members/{member_id}/move", allow(200, "org", "admin"),
        lambda c: {"member_id": c.w.ids.a3, "json": {"community_id": c.w.c2_id, "reason": "搬家"}}),
    Row("POST", "/api/v1/members/{member_id}/roles", allow(201, "admin"),
        lambda c: {"member_id": c.w.ids.a3, "json": {"role": "organizer", "organization_id": c.w.branch_a_id,
                                                     "reason": "任命为支部书记"}}),
    Row("POST", "/api/v1/members/{member_id}/roles/{grant_id}/remove", allow(200, "admin"),
        lambda c: {"member_id": c.w.ids.org_a, "grant_id": objects.grant_of(c.w.ids.org_a),
                   "json": {"reason": "换届"}}),
    Row("POST", "/api/v1/members/{member_id}/card/reissue", allow(200, "owner", "org", "admin"),
        lambda c: {"member_id": c.w.ids.a1, "json": {"reason": "会员卡丢失"}}),
    Row("GET", "/api/v1/members/{member_id}/service-record", allow(200, "owner", "org", "liaison", "admin"),
        lambda c: {"member_id": c.w.ids.a1}),
    Row("GET", "/api/v1/points/ledger", allow(200, "owner", "org", "admin"),
        lambda c: {"query": {"member_id": c.w.ids.a1}}),
    Row("GET", "/api/v1/points/yearly-totals", allow(200, "owner", "org", "admin"),
        lambda c: {"query": {"member_id": c.w.ids.a1}}),
    Row("GET", "/api/v1/points/leaderboard", allow(200, "owner", "member", "org", "admin"),
        lambda c: {"query": {"org_id": c.w.branch_a_id}}),

    # -- points rules and absences -----------------------------------------------------------------------
    Row("GET", "/api/v1/points/rules", allow(200, *SIGNED_IN)),
    Row("PUT", "/api/v1/points/rules", allow(200, "admin"),
        lambda c: {"json": {"rules": [{"kind": "party_day", "checkin_points": 2}], "reason": "调整"}}),
    Row("GET", "/api/v1/points/absences", allow(200, "org", "admin"), lambda c: {"query": party(c)}),
    Row("POST", "/api/v1/points/absences/{absence_id}/excuse", allow(200, "org", "admin"),
        lambda c: {"absence_id": objects.absence(c.w, "a1"), "json": {"reason": "请假"}}),

    # -- hours: a1's community duty at c1, reviewed by c1's liaison ---------------------------------------
    Row("GET", "/api/v1/hours", allow(200, *REVIEWERS)),
    Row("GET", "/api/v1/hours/mine", allow(200, *SIGNED_IN)),
    Row("GET", "/api/v1/hours/{attendance_id}", allow(200, "owner", "liaison", "admin"), duty_record),
    Row("POST", "/api/v1/hours/{attendance_id}/confirm", allow(200, "liaison", "admin"),
        lambda c: {**fresh_duty_record(c), "json": {}}),
    Row("POST", "/api/v1/hours/{attendance_id}/adjust", allow(200, "liaison", "admin"),
        lambda c: {**fresh_duty_record(c), "json": {"hours": 1, "reason": "核减"}}),
    Row("POST", "/api/v1/hours/{attendance_id}/reject", allow(200, "liaison", "admin"),
        lambda c: {**fresh_duty_record(c), "json": {"reason": "未到岗"}}),
    Row("POST", "/api/v1/hours/{attendance_id}/set", allow(200, "liaison", "admin"),
        lambda c: {**fresh_duty_record(c, "no_checkout"), "json": {"hours": 1, "reason": "补录"}}),
    Row("POST", "/api/v1/hours/bulk-confirm", allow(200, "liaison", "admin"),
        lambda c: {"json": {"attendance_ids": [fresh_duty_record(c)["attendance_id"]]}}),
    Row("POST", "/api/v1/hours/{attendance_id}/disputes", allow(201, "owner"),
        lambda c: {**fresh_duty_record(c), "json": {"message": "时长少算了"}}),
    Row("POST", "/api/v1/hours/disputes/{dispute_id}/answer", allow(200, "liaison", "admin"),
        lambda c: {"dispute_id": objects.dispute(fresh_duty_record(c)["attendance_id"]),
                   "json": {"answer": "已核实"}}),
    Row("GET", "/api/v1/hours/publication", allow(200, "owner", "member", "liaison", "admin"),
        lambda c: {"query": c1(c)}),
    Row("GET", "/api/v1/hours/settings", allow(200, "liaison", "admin"), lambda c: {"query": c1(c)}),
    Row("PUT", "/api/v1/hours/settings", allow(200, "liaison", "admin"),
        lambda c: {"json": {**c1(c), "publicity_days": 3}}),
    Row("GET", "/api/v1/hours/events/{event_id}/service-info", allow(200, "liaison", "admin", **EVENT_MANAGERS),
        duty_event),
    Row("PUT", "/api/v1/hours/events/{event_id}/service-info", allow(200, "liaison", "admin", **EVENT_MANAGERS),
        lambda c: {**duty_event(c), "json": {"recipient": "社区老人"}}),

    # -- reports and roster import of branch_a -------------------------------------------------------------
    Row("GET", "/api/v1/reports/participation", allow(200, "org", "admin"),
        lambda c: {"query": {"org_id": c.w.branch_a_id}}),
    Row("POST", "/api/v1/members/import", allow(200, "org", "org_other", "admin"), import_form),
    Row("GET", "/api/v1/members/import/template", allow(200, "org", "org_other", "admin")),
    Row("GET", "/api/v1/organizations/{organization_id}/community-report", allow(200, "org", "admin"),
        lambda c: {"organization_id": c.w.branch_a_id, "query": YEAR}),
    Row("GET", "/api/v1/organizations/{organization_id}/community-report.xlsx", allow(200, "org", "admin"),
        lambda c: {"organization_id": c.w.branch_a_id, "query": YEAR}),

    # -- needs and claims of c1 ----------------------------------------------------------------------------
    Row("GET", "/api/v1/communities/{community_id}/duties", allow(200, "owner", "member", "liaison", "admin"), c1),
    Row("POST", "/api/v1/communities/{community_id}/duties", allow(201, "liaison", "admin"),
        lambda c: {**c1(c), "json": {"title": "助老", "slots": [slot_body()]}}),
    Row("GET", "/api/v1/duties/{duty_id}", allow(200, "owner", "member", "liaison", "admin"), need),
    Row("PATCH", "/api/v1/duties/{duty_id}", allow(200, "liaison", "admin"),
        lambda c: {**need(c), "json": {"title": "助老服务"}}),
    Row("POST", "/api/v1/duties/{duty_id}/slots", allow(201, "liaison", "admin"),
        lambda c: {**need(c), "json": slot_body()}),
    Row("PATCH", "/api/v1/duty-slots/{slot_id}", allow(200, "liaison", "admin"),
        lambda c: {**fresh_slot(c), "json": {"capacity": 8}}),
    Row("POST", "/api/v1/duty-slots/{slot_id}/cancel", allow(200, "liaison", "admin"), fresh_slot),
    Row("POST", "/api/v1/duty-slots/{slot_id}/claim", allow(201, "owner", "member"), fresh_slot),
    Row("POST", "/api/v1/duty-slots/{slot_id}/withdraw", allow(200, "owner", refused=409), claimed_slot),
    Row("GET", "/api/v1/duty-slots/{slot_id}/claims", allow(200, "liaison", "admin"),
        lambda c: {"slot_id": c.once("claimed", lambda: claimed_slot(c)["slot_id"])}),
    Row("GET", "/api/v1/duty-claims/mine", allow(200, *SIGNED_IN)),

    # -- registration (报到) with c1 -------------------------------------------------------------------------
    Row("GET", "/api/v1/communities/{community_id}/registration-qr", allow(200, "liaison", "admin"), c1),
    Row("GET", "/api/v1/communities/{community_id}/registration-code", allow(200, "liaison", "admin"), c1),
    Row("POST", "/api/v1/communities/{community_id}/registration-code/rotate", allow(200, "liaison", "admin"),
        lambda c: {**c1(c), "json": {"reason": "换码"}}),
    Row("GET", "/api/v1/communities/{community_id}/registrations", allow(200, "liaison", "admin"), c1),
    Row("GET", "/api/v1/community-registrations/preview", allow(200, *SIGNED_IN),
        lambda c: {"query": {"token": c1_token(c)}}),
    Row("POST", "/api/v1/community-registrations", allow(201, *SIGNED_IN),  # a new community for each caller
        lambda c: {"json": {"token": objects.registration_token(objects.community())}}),
    Row("GET", "/api/v1/community-registrations/mine", allow(200, *SIGNED_IN)),
    Row("GET", "/api/v1/community-registrations/{registration_id}", allow(200, "owner", "liaison", "admin"),
        lambda c: {"registration_id": c.once("reg", lambda: objects.accepted_registration(c.w, "a1"))}),
    Row("POST", "/api/v1/community-registrations/{registration_id}/accept", allow(200, "liaison", "admin"),
        lambda c: {"registration_id": objects.pending_registration(c.w, "a1"), "json": {}}),
    Row("POST", "/api/v1/community-registrations/{registration_id}/decline", allow(200, "liaison", "admin"),
        lambda c: {"registration_id": objects.pending_registration(c.w, "a1"), "json": {"reason": "不在本社区"}}),
    Row("POST", "/api/v1/community-registrations/{registration_id}/end", allow(200, "owner", "liaison", "admin"),
        lambda c: {"registration_id": objects.pending_registration(c.w, "a1"), "json": {"reason": "搬家"}}),

    # -- organizational life: Party groups and committee members (branch_a's organizer, admins) ------------------
    Row("GET", "/api/v1/orglife/groups", allow(200, "org", "admin"), lambda c: {"query": {"org_id": c.w.branch_a_id}}),
    Row("POST", "/api/v1/orglife/groups", allow(201, "org", "admin"),
        lambda c: {"json": {"branch_id": c.w.branch_a_id, "name": f"党小组{uuid.uuid4().hex[:6]}"}}),
    Row("PATCH", "/api/v1/orglife/members/{member_id}", allow(200, "org", "admin", refused=404),
        lambda c: {"member_id": c.w.ids.a1, "json": {"is_committee": True, "reason": "支委改选"}}),

    # leave (请假) and make-up (补课): members ask and record their own, the event's managers decide
    Row("GET", "/api/v1/orglife/leave", allow(200, *SIGNED_IN)),
    Row("POST", "/api/v1/orglife/leave", allow(201, "owner", "member", "org", refused=404, admin=403),
        lambda c: {"json": {"event_id": objects.party_day(c.w, start_in=timedelta(days=1)), "reason": "出差"}}),
    Row("POST", "/api/v1/orglife/leave/{leave_id}/approve", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"leave_id": objects.leave_request(c.w), "json": {"note": "同意"}}),
    Row("POST", "/api/v1/orglife/leave/{leave_id}/withdraw", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"leave_id": objects.approved_leave(c.w), "json": {"reason": "本人已到场"}}),
    Row("POST", "/api/v1/orglife/leave/{leave_id}/decline", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"leave_id": objects.leave_request(c.w), "json": {"note": "请参加"}}),
    Row("GET", "/api/v1/orglife/events/{event_id}/leave", allow(200, "org", "admin", **EVENT_MANAGERS), party),
    Row("GET", "/api/v1/orglife/makeups", allow(200, *SIGNED_IN)),
    Row("POST", "/api/v1/orglife/makeups", allow(201, "owner", "member", "org", refused=404, admin=403),
        lambda c: {"json": {"event_id": objects.party_day(c.w, start_in=timedelta(days=-1)),
                            "content": "自学会议精神", "studied_at": support.iso(utcnow())}}),
    Row("POST", "/api/v1/orglife/makeups/{makeup_id}/confirm", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"makeup_id": objects.makeup(c.w)}),
    Row("GET", "/api/v1/orglife/events/{event_id}/makeups", allow(200, "org", "admin", **EVENT_MANAGERS), party),

    # meeting records (会议记录): the meeting's managers file, approve, amend and attach
    Row("GET", "/api/v1/orglife/events/{event_id}/record", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"event_id": c.once("record", lambda: objects.meeting_record(c.w))}),
    Row("PUT", "/api/v1/orglife/events/{event_id}/record", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"event_id": objects.party_day(c.w), "json": {"topic": "学习", "minutes": "记录"}}),
    Row("POST", "/api/v1/orglife/events/{event_id}/record/approve", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"event_id": objects.meeting_record(c.w)}),
    Row("POST", "/api/v1/orglife/events/{event_id}/record/attachments",
        allow(201, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"event_id": objects.meeting_record(c.w), "data": {"file": (io.BytesIO(objects.PNG), "a.png")}}),
    Row("GET", "/api/v1/orglife/attachments/{attachment_id}", allow(200, "org", "admin", **EVENT_MANAGERS),
        lambda c: {"attachment_id": c.once("attachment", lambda: objects.record_attachment(c.w))}),

    # requirements (admins edit), the compliance calendar (branch_a's organizer), calendar feeds (one's own)
    Row("GET", "/api/v1/orglife/requirements", allow(200, *SIGNED_IN)),
    Row("PUT", "/api/v1/orglife/requirements", allow(200, "admin"),
        lambda c: {"json": {"year": 2030, "items": [{"kind": "party_lecture", "period": "year", "min_count": 2}],
                            "reason": "年度计划"}}),
    Row("GET", "/api/v1/orglife/compliance", allow(200, "org", "admin"),
        lambda c: {"query": {"org_id": c.w.branch_a_id}}),
    Row("GET", "/api/v1/orglife/compliance.xlsx", allow(200, "org", "admin"),
        lambda c: {"query": {"org_id": c.w.branch_a_id}}),
    Row("GET", "/api/v1/orglife/feeds", allow(200, *SIGNED_IN)),
    Row("POST", "/api/v1/orglife/feeds", allow(201, *SIGNED_IN), lambda c: {"json": {}}),
    Row("POST", "/api/v1/orglife/feeds/{feed_id}/revoke", allow(200, "owner", refused=404),
        lambda c: {"feed_id": objects.feed(c.w.ids.a1)[0]}),
    Row("GET", "/api/v1/orglife/feeds/{token}.ics", public(200),
        lambda c: {"token": c.once("feed", lambda: objects.feed(c.w.ids.a1)[1])}),

    Row("GET", "/api/v1/orglife/birthdays", allow(200, "org", "admin"),
        lambda c: {"query": {"org_id": c.w.branch_a_id, "month": "2025-07"}}),
    Row("GET", "/api/v1/orglife/inbox", allow(200, *SIGNED_IN)),
    Row("GET", "/api/v1/orglife/me/birthday", allow(200, *SIGNED_IN)),

    # -- evaluation: ratings of branch_a (its organizer), the tree (admins), admins decide -------------------------
    Row("GET", "/api/v1/evaluation/sheet", allow(200, *SIGNED_IN), lambda c: {"query": YEAR}),
    Row("PUT", "/api/v1/evaluation/sheet", allow(200, "admin"), lambda c: {"json": {
        "year": YEAR["year"], "indicators": [{"code": "compliance", "weight": 100, "target": 1}],
        "stars": [60, 70, 80, 90, 95], "reason": "试行"}}),
    Row("GET", "/api/v1/evaluation/ratings", allow(200, "org", "admin"),
        lambda c: {"query": {**YEAR, "org_id": c.w.branch_a_id}}),
    Row("GET", "/api/v1/evaluation/ratings.xlsx", allow(200, "org", "admin"),
        lambda c: {"query": {**YEAR, "org_id": c.w.branch_a_id}}),
    Row("GET", "/api/v1/evaluation/ratings/{branch_id}", allow(200, "org", "admin"),
        lambda c: {"branch_id": c.w.branch_a_id, "query": YEAR}),
    Row("POST", "/api/v1/evaluation/adjustments", allow(201, "admin"), lambda c: {"json": {
        **YEAR, "branch_id": c.w.branch_a_id, "kind": "deduct", "points": 1, "reason": "迟报"}}),
    Row("POST", "/api/v1/evaluation/publish", allow(201, "admin"), lambda c: {"json": {"year": 2001}}),
    Row("GET", "/api/v1/evaluation/live", allow(200, "org", "admin"), lambda c: {"query": {"org_id": c.w.branch_a_id}}),

    # -- directory for the staff screens ----------------------------------------------------------------------
    Row("GET", "/api/v1/organizations", allow(200, *SIGNED_IN)),
    Row("GET", "/api/v1/communities", allow(200, *SIGNED_IN)),
    Row("GET", "/api/v1/members", allow(200, *REVIEWERS), lambda c: {"query": {"q": "甲"}}),
    Row("GET", "/api/v1/cards/{token}", allow(200, "owner", "org", "liaison", "admin"),
        lambda c: {"token": objects.card_token(c.w.ids.a1)}),

    # -- pairings (admin), evaluations and the community's report (c1's liaison) ---------------------------------
    Row("GET", "/api/v1/community-pairings", allow(200, *REVIEWERS)),
    Row("POST", "/api/v1/community-pairings", allow(201, "admin"),
        lambda c: {"json": {"organization_id": c.w.branch_a_id, "community_id": c.w.c1_id}}),
    Row("POST", "/api/v1/community-pairings/{pairing_id}/end", allow(200, "admin"),
        lambda c: {"pairing_id": objects.pairing(c.w), "json": {"reason": "调整"}}),
    Row("GET", "/api/v1/communities/{community_id}/evaluations", allow(200, "liaison", "admin"), c1),
    Row("PUT", "/api/v1/communities/{community_id}/evaluations", allow(200, "liaison", "admin"),
        lambda c: {**c1(c), "json": {"user_id": c.w.ids.a1, "period": str(utcnow().year), "rating": "good"}}),
    Row("GET", "/api/v1/communities/{community_id}/report", allow(200, "liaison", "admin"),
        lambda c: {**c1(c), "query": YEAR}),
    Row("GET", "/api/v1/communities/{community_id}/report.xlsx", allow(200, "liaison", "admin"),
        lambda c: {**c1(c), "query": YEAR}),
]


def api_endpoints(app) -> set[tuple[str, str]]:
    """(method, path template) of every /api/v1 rule of the app, `<int:x>` and `<x>` written `{x}`."""
    endpoints = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        template = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        endpoints |= {(method, template) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return endpoints


def test_every_endpoint_has_a_row(app):
    """A new endpoint (or method) needs a row saying who may call it; a row must name a real endpoint."""
    rows = [(r.method, r.path) for r in ROWS]
    assert len(rows) == len(set(rows)), "an endpoint has two rows"
    endpoints = api_endpoints(app)
    missing, stale = sorted(endpoints - set(rows)), sorted(set(rows) - endpoints)
    assert not missing, "endpoints without a row in the authorization matrix: " + ", ".join(map(" ".join, missing))
    assert not stale, "rows for no endpoint: " + ", ".join(map(" ".join, stale))


def _send(client, row: Row, req: dict):
    params = {k: v for k, v in req.items() if k not in ("query", "json", "data")}
    kwargs = {"query_string": req.get("query")}
    if "json" in req:
        kwargs["json"] = req["json"]
    if "data" in req:
        kwargs.update(data=req["data"], content_type="multipart/form-data")
    return getattr(client, row.method.lower())(row.path.format(**params), **kwargs)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path.removeprefix('/api/v1')}")
def test_who_may_call(row, app, world, login, anon):
    ctx, got = Ctx(world), {}
    for caller in CALLERS:
        client = anon if caller == "anon" else login(getattr(world.phones, USER_OF[caller]))
        ctx.caller = caller
        with app.app_context():
            req = row.make(ctx)
        resp = _send(client, row, req)
        got[caller] = (resp.status_code, resp.get_data()[:160].decode(errors="replace"))
    wrong = {c: got[c] for c in CALLERS if got[c][0] != row.expect[c]}
    assert not wrong, f"{row.method} {row.path}:\n" + "\n".join(
        f"  {caller:<14} expected {row.expect[caller]}, got {status}: {body}"
        for caller, (status, body) in wrong.items())
