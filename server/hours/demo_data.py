"""Demo data for hours and reports, added on top of server.demo.seed(): a week of community duty waiting
for the liaison (one member forgot to check out), last month's party day closed with its absentees, and
a volunteer shift already paid. Call seed_hours_demo() after demo.seed(); it does nothing twice."""
from datetime import datetime, timedelta

from sqlalchemy import select

from server.attendance import core
from server.auth.models import Community, Organization, RoleGrant, User
from server.common.timeutil import local_zone, to_local, to_utc_naive, utcnow
from server.events.models import Event
from server.events.services import new_event
from server.extensions import db
from server.hours import closing
from server.hours.models import EventServiceInfo

MARK = "日常值守"


def _local_day(now: datetime, days_ago: int, hour: int) -> datetime:
    day = to_local(now).date() - timedelta(days=days_ago)
    return to_utc_naive(datetime(day.year, day.month, day.day, hour, tzinfo=local_zone()))


def seed_hours_demo(now: datetime | None = None) -> str:
    now = (now or utcnow()).replace(second=0, microsecond=0)
    if db.session.scalar(select(Event.id).where(Event.title.contains(MARK)).limit(1)):
        return "hours demo already loaded"
    community = db.session.scalar(select(Community).order_by(Community.id))
    branch = db.session.scalar(select(Organization).where(Organization.level == "branch").order_by(Organization.id))
    if community is None or branch is None:
        return "hours demo needs the base demo (a community and a branch)"
    liaison_id = db.session.scalar(select(RoleGrant.user_id).where(RoleGrant.role == "liaison",
                                                                   RoleGrant.community_id == community.id))
    organizer_id = db.session.scalar(select(RoleGrant.user_id).where(RoleGrant.role == "organizer",
                                                                     RoleGrant.organization_id == branch.id))
    registered = list(db.session.scalars(select(User.id).where(User.community_id == community.id,
                                                               User.active.is_(True)).order_by(User.id).limit(8)))
    roster = list(db.session.scalars(select(User.id).where(User.branch_id == branch.id, User.active.is_(True))
                                     .order_by(User.id)))
    duties = 0
    for days_ago in range(7, 0, -1):  # a week of morning duty, three members a day
        start = _local_day(now, days_ago, 9)
        label = to_local(start).strftime("%m月%d日")
        event = new_event("community_duty", f"{community.name}{MARK}（{label}）", start, start + timedelta(hours=2),
                          host_community_id=community.id, place_name=f"{community.name}党群服务中心",
                          created_by_id=liaison_id)
        db.session.add(event)
        db.session.flush()
        db.session.add(EventServiceInfo(event_id=event.id, recipient=f"{community.name}居民",
                                        content="值守、秩序引导、为老人代办", leader_name="", recorder_name=""))
        for i in range(3):
            member = registered[(days_ago * 3 + i) % len(registered)] if registered else None
            if member is None:
                continue
            att, _ = core.check_in(event, member, start - timedelta(minutes=5), "qr")
            if days_ago == 3 and i == 2:
                continue  # forgot to check out: no_checkout when the event closes
            leave = event.ends_at - timedelta(minutes=30 if i == 1 else 0)
            core.check_out(event, att, leave, "qr")
        duties += 1
    party_start = _local_day(now, 30, 14)
    party = new_event("party_day", "上月主题党日：学习党章", party_start, party_start + timedelta(hours=2),
                      host_org_id=branch.id, place_name="党员活动室", created_by_id=organizer_id)
    db.session.add(party)
    db.session.flush()
    for i, member in enumerate(roster[: max(1, len(roster) * 4 // 5)]):  # four in five came; a few late
        core.check_in(party, member, party_start + timedelta(minutes=12 if i % 7 == 6 else -5), "qr")
    shift_start = _local_day(now, 10, 14)
    shift = new_event("volunteer_service", "社区环境清洁（上周）", shift_start, shift_start + timedelta(hours=3),
                      host_org_id=branch.id, place_name=f"{community.name}", created_by_id=organizer_id)
    db.session.add(shift)
    db.session.flush()
    for member in roster[:6]:
        att, _ = core.check_in(shift, member, shift_start, "qr")
        core.check_out(shift, att, shift.ends_at, "qr")
    db.session.commit()
    closed = closing.close_ended_events(now)
    return (f"hours demo loaded: {duties} days of community duty pending for the liaison, "
            f"{closed['closed']} events closed ({closed['no_checkout']} without check-out, "
            f"{closed['absent']} party-day absentees)")
