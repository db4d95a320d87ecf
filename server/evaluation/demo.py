"""Demo data for the evaluation, on top of the other demos: three more branches (one beside the first, two
under a second organ) with this year's meetings so far, attendance as each branch's habits make it (one
keen and tidy, one in the middle, one that missed months and files records late), their records and a
little volunteering with its points, so the committee's view shows stars that differ. Does nothing twice."""
import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from server.attendance.models import Attendance
from server.auth.models import Community, Organization, PartyGroup, RoleGrant, User
from server.auth.services import hash_password
from server.common.timeutil import to_local, utcnow
from server.events.kinds import KINDS, codes_where
from server.events.services import new_event
from server.extensions import db
from server.orglife.demo import MONTHLY, QUARTERLY, _at
from server.orglife.models import MeetingRecord
from server.points.models import PointsEntry

BRANCHES = (  # name, organ, how many come, share of records approved in time, months missed
    ("市民政局第二党支部", None, 0.95, 0.95, ()),
    ("市人社局第一党支部", "市人社局机关党委", 0.85, 0.7, (4,)),
    ("市人社局第二党支部", "市人社局机关党委", 0.7, 0.4, (2, 6, 9)),
)
SURNAMES = "孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方"


def _org(name: str, level: str, parent: Organization) -> Organization:
    org = Organization(name=name, level=level, parent_id=parent.id)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path}{org.id}/"
    return org


def seed_evaluation_demo(password: str, now: datetime | None = None) -> str:
    now = now or utcnow()
    if db.session.scalar(select(Organization.id).where(Organization.name == BRANCHES[0][0])):
        return "evaluation demo already loaded"
    first = db.session.scalar(select(Organization).where(Organization.level == "branch").order_by(Organization.id))
    committee = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    rnd, pw, year = random.Random(7), hash_password(password), to_local(now).year
    community = db.session.scalar(select(Community).order_by(Community.id))
    organs: dict[str, Organization] = {}
    phone = 13900000300
    for name, organ, keen, tidy, missed in BRANCHES:
        parent = (organs.setdefault(organ, _org(organ, "general_branch", committee)) if organ
                  else db.session.get(Organization, first.parent_id))
        branch = _org(name, "branch", parent)
        group = PartyGroup(branch_id=branch.id, name="第一党小组")
        db.session.add(group)
        db.session.flush()
        people = []
        for i in range(12):
            phone += 1
            user = User(name=f"{SURNAMES[len(people) + 12 * len(organs)]}{name[:3]}{i + 1:02d}", phone=str(phone),
                        password_hash=pw, branch_id=branch.id, is_committee=i < 3, party_group_id=group.id,
                        community_id=community.id if rnd.random() < keen else None)
            db.session.add(user)
            people.append(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=people[0].id, role="organizer", organization_id=branch.id))
        rows = []
        for month in range(1, to_local(now).month + 1):
            plan = [*MONTHLY, *(QUARTERLY if month % 3 == 2 else ())]
            for kind, label, day in plan:
                start = _at(year, month, day)
                whole_branch_monthly = KINDS[kind].audience == "organization" and KINDS[kind].min_per == ("month", 1)
                if start + timedelta(hours=2) > now or (month in missed and whole_branch_monthly):
                    continue
                event = new_event(kind, f"{month}月{label}", start, start + timedelta(hours=2), branch.id,
                                  party_group_id=group.id if KINDS[kind].audience == "group" else None,
                                  status="closed")
                db.session.add(event)
                db.session.flush()
                expected = [p for p in people if KINDS[kind].audience != "committee" or p.is_committee]
                for p in expected:
                    if rnd.random() < keen:
                        rows.append({"event_id": event.id, "user_id": p.id, "state": "checked_in",
                                     "checkin_at": start, "checkin_method": "qr", "late": False})
                late = rnd.random() > tidy
                db.session.add(MeetingRecord(event_id=event.id, topic=event.title, status="approved",
                                             approved_at=start + timedelta(days=15 if late else 2)))
        service = new_event(codes_where(host="organization", records_hours=True)[0], "敬老院志愿服务",
                            _at(year, 3, 15, 14), _at(year, 3, 15, 17), branch.id, status="closed")
        db.session.add(service)
        db.session.flush()
        for p in people[:int(len(people) * keen)]:
            rows.append({"event_id": service.id, "user_id": p.id, "state": "confirmed", "checkin_at": service.starts_at,
                         "checkin_method": "qr", "late": False, "hours_confirmed": 3.0})
        for row in rows:
            row.setdefault("hours_confirmed", None)
        db.session.execute(insert(Attendance), rows)
        paid = [{"user_id": r["user_id"], "amount": 5, "rule_code": "demo", "entry_type": "adjust",
                 "reason": "演示数据：签到积分", "created_at": r["checkin_at"]} for r in rows]
        db.session.execute(insert(PointsEntry), paid)
    db.session.commit()
    return f"evaluation demo: {len(BRANCHES)} more branches with this year's meetings, for the star ratings"
