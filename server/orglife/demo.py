"""Demo data for organizational life, on top of server.demo.seed(): the first branch's year so far with its
meetings held (the monthly party day, committee and group meetings, each quarter's general meeting and
lecture), one month's party day missed (overdue on the compliance calendar), a leave approved, a make-up
confirmed and an approved meeting record. Call seed_orglife_demo() after demo.seed(); it does nothing twice."""
from datetime import datetime, timedelta

from sqlalchemy import select

from server.attendance import core, lifecycle
from server.attendance.models import Attendance
from server.auth.models import Organization, PartyGroup, RoleGrant, User
from server.common.timeutil import local_zone, to_local, to_utc_naive, utcnow
from server.events.services import new_event
from server.extensions import db
from server.orglife.models import LeaveRequest, MakeUp, MeetingRecord

GROUP = "第一党小组"
MONTHLY = (("party_day", "主题党日", 10), ("committee_meeting", "支委会", 5), ("group_meeting", "党小组会", 12))
QUARTERLY = (("branch_assembly", "支部党员大会", 20), ("party_lecture", "党课", 25))


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return to_utc_naive(datetime(year, month, day, hour, tzinfo=local_zone()))


def seed_orglife_demo(now: datetime | None = None) -> str:
    now = now or utcnow()
    branch = db.session.scalar(select(Organization).where(Organization.level == "branch").order_by(Organization.id))
    if branch is None or db.session.scalar(select(PartyGroup.id).where(PartyGroup.name == GROUP)):
        return "organizational life demo already loaded"
    secretary = db.session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.role == "organizer", RoleGrant.organization_id == branch.id))
    members = list(db.session.scalars(select(User).where(User.branch_id == branch.id, User.id != secretary.id)
                                      .order_by(User.id)))
    group = PartyGroup(branch_id=branch.id, name=GROUP)
    db.session.add(group)
    db.session.flush()
    secretary.is_committee = True
    for i, m in enumerate(members):
        m.is_committee = i < 2
        m.party_group_id = group.id if i < 10 else None
        m.joined_party_on = datetime(1990 + i % 30, 7 if i % 3 else to_local(now).month, 1 + i % 27).date()
    year, this_month = to_local(now).year, to_local(now).month
    missed = this_month - 2 if this_month > 2 else None  # that month's party day was never held (overdue)
    held = []
    for month in range(1, this_month):
        for kind, label, day in MONTHLY + (QUARTERLY if month % 3 == 1 else ()):
            if kind == "party_day" and month == missed:
                continue
            start = _at(year, month, day)
            event = new_event(kind, f"{month}月{label}", start, start + timedelta(hours=2), branch.id,
                              place_name="党群服务中心", created_by_id=secretary.id,
                              **({"party_group_id": group.id} if kind == "group_meeting" else {}))
            db.session.add(event)
            held.append(event)
    coming = []
    for i, (kind, label, _day) in enumerate(MONTHLY + QUARTERLY):  # one open for check-in now, one ahead
        extra = {"party_group_id": group.id} if kind == "group_meeting" else {}
        for start, when in ((now.replace(second=0, microsecond=0) + timedelta(minutes=10), "本次"),
                            (now.replace(second=0, microsecond=0) + timedelta(days=7 + 3 * i), "下次")):
            if kind == "party_day":
                continue  # server.demo.seed() has its own
            coming.append(new_event(kind, f"{when}{label}", start, start + timedelta(hours=2), branch.id,
                                    place_name="党群服务中心", created_by_id=secretary.id, **extra))
    db.session.add_all(coming)
    db.session.flush()
    for event in held:  # most of the branch came
        expected = [m for m in [secretary, *members] if (event.audience != "committee" or m.is_committee)
                    and (event.audience != "group" or m.party_group_id == group.id)]
        for m in expected[: max(1, len(expected) * 4 // 5)]:
            core.check_in(event, m.id, event.starts_at, "qr")
    note = "no past meetings this year yet"
    if held:
        last = [e for e in held if e.audience == "organization"][-1]
        on_leave, absent = members[-1], members[-2]
        db.session.add(LeaveRequest(event_id=last.id, user_id=on_leave.id, reason="出差在外，无法参加",
                                    status="approved", decided_by_id=secretary.id,
                                    decided_at=last.starts_at - timedelta(days=1),
                                    created_at=last.starts_at - timedelta(days=2)))
        if db.session.scalar(select(Attendance.id).where(Attendance.event_id == last.id,
                                                         Attendance.user_id == on_leave.id)) is None:
            lifecycle.excuse(last.id, on_leave.id, secretary.id, "请假获批：出差在外，无法参加", last.starts_at)
        db.session.add(MakeUp(event_id=last.id, user_id=absent.id, content="自学会议精神和学习材料，撰写心得",
                              studied_at=last.ends_at + timedelta(days=2), confirmed_by_id=secretary.id,
                              confirmed_at=last.ends_at + timedelta(days=3)))
        db.session.add(MeetingRecord(event_id=last.id, topic=last.title, first_topic="学习习近平总书记重要讲话精神",
                                     presided_by=secretary.name, minutes_by=members[0].name,
                                     minutes="传达学习上级精神，交流学习体会。",
                                     decisions="一、开展专题学习；二、做好结对帮扶。",
                                     status="approved", filed_by_id=secretary.id, approved_by_id=secretary.id,
                                     approved_at=last.ends_at + timedelta(days=1), amendments=0))
        note = f"{len(held)} meetings held this year, a leave, a make-up, an approved record"
    db.session.commit()
    return f"organizational life: {note}" + (f"; {missed}月主题党日 overdue" if missed else "")
