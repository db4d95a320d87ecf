"""Objects the authorization matrix and the fuzzer act on, made straight in the database (fast, and
independent of the endpoints under test). Call inside an app context, after support.build_world().

Every factory returns ids and commits, so each caller of a row can get an object of its own."""
import uuid
from datetime import timedelta
from itertools import count

from sqlalchemy import select, update

from server.attendance.models import Attendance
from server.auth import cards
from server.auth.models import Community, User
from server.common.timeutil import utcnow
from server.community.models import CommunityRegistration, Duty, DutyClaim, DutySlot, OrgCommunityPairing
from server.community.registration import services as registrations
from server.events.models import Event
from server.events.services import new_event
from server.extensions import db
from server.hours.models import AbsenceDeduction, HoursDispute
from server.points import rules_admin
from server.scans.models import Scan
from tests import support

_seq = count(1)


def _now():
    return utcnow().replace(microsecond=0)


def party_day(w, start_in=timedelta(minutes=-10), **fields) -> int:
    """A published party day of branch_a, open for check-in now (audience: branch_a's members)."""
    return support.make_event(w, "party_day", start_in, 2, title=f"主题党日{next(_seq)}", **fields)


def open_service(w, **fields) -> int:
    """A published volunteer_service of branch_a open to every member, open for check-in now."""
    return support.make_event(w, "volunteer_service", timedelta(minutes=-10), 2, title=f"志愿服务{next(_seq)}",
                              **fields)


def duty_event(w) -> int:
    """A published community_duty of c1 (audience: its registered members), started an hour ago."""
    return support.make_event(w, "community_duty", timedelta(hours=-1), 2, title=f"社区服务{next(_seq)}")


def attendance(event_id: int, user_id: int, state: str = "pending", hours: float = 1.0) -> int:
    """An attendance as a scan would leave it: checked in 50 minutes ago, then (state) checked out."""
    now = _now()
    att = Attendance(event_id=event_id, user_id=user_id, state=state, checkin_at=now - timedelta(minutes=50),
                     checkin_method="qr")
    if state not in ("checked_in", "no_checkout"):
        att.checkout_at, att.checkout_method, att.hours_claimed = now, "qr", hours
    if state == "checked_out":
        att.hours_confirmed = hours
    db.session.add(att)
    db.session.commit()
    return att.id


def held_scan(event_id: int, user_id: int, delay_s: int = 600) -> int:
    """A delayed scan of `user_id` held for the organizer's review, as the scan service leaves it."""
    now = _now()
    scan = Scan(client_scan_id=str(uuid.uuid4()), user_id=user_id, event_id=event_id, direction="in",
                token="held", scanned_at=now - timedelta(seconds=delay_s), received_at=now, offline=True,
                outcome="pending_review", http_status=202,
                response={"outcome": "pending_review", "review": {"reason": "late", "delay_s": delay_s}})
    db.session.add(scan)
    db.session.commit()
    return scan.id


def grant_of(user_id: int) -> int:
    from server.auth.models import RoleGrant
    return db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == user_id).order_by(RoleGrant.id))


def duty_attendance(w, user_key: str = "a1", state: str = "pending") -> int:
    """An attendance of `user_key` at a fresh community_duty of c1, waiting for the liaison (pending)."""
    return attendance(duty_event(w), getattr(w.ids, user_key), state)


def dispute(att_id: int) -> int:
    att = db.session.get(Attendance, att_id)
    d = HoursDispute(attendance_id=att_id, user_id=att.user_id, message="时长少算了", status="open", answer="",
                     created_at=_now())
    db.session.add(d)
    db.session.commit()
    return d.id


def absence(w, user_key: str = "a1") -> int:
    """The absence deduction of `user_key` at a party day of branch_a that closed yesterday."""
    event_id = party_day(w, start_in=timedelta(days=-1))
    event = db.session.get(Event, event_id)
    event.status = "closed"
    rules_admin.deduct_absentees(event)
    db.session.commit()
    return db.session.scalar(select(AbsenceDeduction.id).where(AbsenceDeduction.event_id == event_id,
                                                               AbsenceDeduction.user_id == getattr(w.ids, user_key)))


def duty(w, community_id: int | None = None, hours_ahead: int = 24, capacity: int = 5) -> tuple[int, int]:
    """An open need of c1 with one slot starting tomorrow, its own claimers-only event: (duty id, slot id)."""
    community_id = community_id or w.c1_id
    start = _now() + timedelta(hours=hours_ahead)
    d = Duty(community_id=community_id, title=f"需求{next(_seq)}", description="", place_name="", skills=[],
             status="open", created_by_id=w.ids.liaison1)
    db.session.add(d)
    db.session.flush()
    event = new_event("community_duty", d.title, start, start + timedelta(hours=2), host_community_id=community_id,
                      audience="claimers", created_by_id=w.ids.liaison1)
    db.session.add(event)
    db.session.flush()
    slot = DutySlot(duty_id=d.id, starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity,
                    event_id=event.id, status="open")
    db.session.add(slot)
    db.session.commit()
    return d.id, slot.id


def claim(slot_id: int, user_id: int) -> int:
    c = DutyClaim(slot_id=slot_id, user_id=user_id, status="active", claimed_at=_now())
    db.session.add(c)
    db.session.commit()
    return c.id


def pending_registration(w, user_key: str = "a3", community_id: int | None = None) -> int:
    """A waiting request (报到) of `user_key` at c1; an earlier waiting request of theirs is ended first,
    as a new scan would (one pending request per member)."""
    user_id = getattr(w.ids, user_key)
    db.session.execute(update(CommunityRegistration).where(
        CommunityRegistration.user_id == user_id, CommunityRegistration.status == "pending")
        .values(status="ended", ended_at=_now(), end_reason="superseded"))
    reg = CommunityRegistration(community_id=community_id or w.c1_id, user_id=user_id, status="pending",
                                created_at=_now())
    db.session.add(reg)
    db.session.commit()
    return reg.id


def accepted_registration(w, user_key: str = "a1") -> int:
    """The accepted registration behind the world's `user.community_id` (a1 and a2 with c1, b1 with c2)."""
    user = db.session.get(User, getattr(w.ids, user_key))
    reg = CommunityRegistration(community_id=user.community_id, user_id=user.id, status="accepted",
                                created_at=_now(), decided_at=_now(), decided_by_id=w.ids.admin, started_at=_now())
    db.session.add(reg)
    db.session.commit()
    return reg.id


def pairing(w, organization_id: int | None = None, community_id: int | None = None) -> int:
    """The organization's current pairing with a partner community (its earlier one ends: one at a time)."""
    organization_id = organization_id or w.branch_a_id
    db.session.execute(update(OrgCommunityPairing).where(OrgCommunityPairing.organization_id == organization_id,
                                                         OrgCommunityPairing.ended_at.is_(None))
                       .values(ended_at=_now()))
    p = OrgCommunityPairing(organization_id=organization_id, community_id=community_id or w.c1_id,
                            note="", started_at=_now(), created_by_id=w.ids.admin)
    db.session.add(p)
    db.session.commit()
    return p.id


def community(name: str | None = None) -> int:
    c = Community(name=name or f"新社区{next(_seq)}")
    db.session.add(c)
    db.session.commit()
    return c.id


def registration_token(community_id: int) -> str:
    """The token of the community's current registration code (as printed on its poster)."""
    return registrations._token(community_id, registrations.key_version(community_id))


def card_token(user_id: int) -> str:
    return cards.card_token(user_id)


ROSTER_CSV = "姓名,手机号,支部\n新成员,13900000999,第一支部\n".encode()


def leave_request(w, who: str = "a1") -> int:
    """A pending leave request of `who` from a party day of branch_a starting tomorrow."""
    from server.orglife.models import LeaveRequest
    event_id = party_day(w, start_in=timedelta(days=1))
    req = LeaveRequest(event_id=event_id, user_id=getattr(w.ids, who), reason="出差", status="pending")
    db.session.add(req)
    db.session.commit()
    return req.id


def approved_leave(w, who: str = "a1") -> int:
    """An approved leave request, with its excused attendance, as the approval leaves them."""
    from server.attendance import lifecycle
    from server.orglife.models import LeaveRequest
    req = db.session.get(LeaveRequest, leave_request(w, who))
    req.status = "approved"
    lifecycle.excuse(req.event_id, req.user_id, w.ids.org_a, "请假获批：出差", _now())
    db.session.commit()
    return req.id


def makeup(w, who: str = "a1") -> int:
    """An unconfirmed make-up of `who` for a party day of branch_a that ended yesterday."""
    from server.orglife.models import MakeUp
    event_id = party_day(w, start_in=timedelta(days=-1))
    m = MakeUp(event_id=event_id, user_id=getattr(w.ids, who), content="学习会议精神", studied_at=_now())
    db.session.add(m)
    db.session.commit()
    return m.id


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
       b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")  # a 1×1 PNG


def meeting_record(w, status: str = "filed") -> int:
    """A party day of branch_a that started 10 minutes ago, with its record filed (or approved); its event id."""
    from server.orglife.models import MeetingRecord
    event_id = party_day(w)
    db.session.add(MeetingRecord(event_id=event_id, topic="学习", first_topic="", presided_by="", minutes_by="",
                                 minutes="", decisions="", status=status, amendments=0))
    db.session.commit()
    return event_id


def record_attachment(w) -> int:
    """A PNG attached to a filed record of branch_a, written to ORG_FILES_DIR; its id."""
    import os
    import secrets

    from server.orglife import records
    from server.orglife.models import MeetingRecord, RecordAttachment
    event_id = meeting_record(w)
    record_id = db.session.scalar(select(MeetingRecord.id).where(MeetingRecord.event_id == event_id))
    stored = secrets.token_hex(16) + ".png"
    os.makedirs(records.files_dir(), exist_ok=True)
    with open(os.path.join(records.files_dir(), stored), "wb") as out:
        out.write(PNG)
    a = RecordAttachment(record_id=record_id, filename="会场.png", stored_name=stored, mime="image/png", size=len(PNG))
    db.session.add(a)
    db.session.commit()
    return a.id


def feed(user_id: int) -> tuple[int, str]:
    """A live member calendar feed of user_id: (feed id, token)."""
    from server.auth.models import User as Member
    from server.orglife import feeds
    made = feeds.create(db.session.get(Member, user_id), "member", None)
    return made["id"], made["token"]


def imported_member(w) -> tuple[int, str, str]:
    """A member of branch_a as a roster import leaves them (no password): (id, phone, name)."""
    from server.auth.services import UNUSABLE_PASSWORD
    n = next(_seq)
    phone, name = f"1370000{n:04d}", f"导入{n}"
    user = User(name=name, phone=phone, password_hash=UNUSABLE_PASSWORD, branch_id=w.branch_a_id)
    db.session.add(user)
    db.session.commit()
    return user.id, phone, name


def activation_code(w) -> dict:
    """A fresh activation code of a fresh imported member: the path param and the body that redeems it."""
    from server.auth import codes
    from server.auth.models import AccountCode
    user_id, phone, name = imported_member(w)
    code = codes.new_code()
    db.session.add(AccountCode(code_hash=codes.digest(code), purpose="activation", user_id=user_id,
                               issued_by_id=w.ids.org_a, expires_at=_now() + timedelta(days=1)))
    db.session.commit()
    return {"code": code, "json": {"phone": phone, "name": name, "password": "activate-1234"}}
