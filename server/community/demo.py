"""Demo data for double registration, loaded after server.demo.seed() (call seed_community_demo() there).

On the demo community: the branch paired with it; receipts for the members already placed there;
two requests waiting in the liaison's queue; a need with two upcoming slots, one claimed.
Members 13900000116-13900000130 are not registered (120 and 121 have requests waiting), so one of
them can scan the registration code and go through the whole loop.
"""
from datetime import timedelta

from sqlalchemy import func, select

from server.auth.models import Community, Organization, RoleGrant, User
from server.common.timeutil import utcnow
from server.community.models import CommunityRegistration, Duty, DutyClaim, DutySlot, OrgCommunityPairing
from server.events.services import new_event
from server.extensions import db

COMMUNITY_NAME = "幸福里社区"


def seed_community_demo() -> str:
    if db.session.scalar(select(func.count()).select_from(Duty)):
        return "community demo already loaded"
    community = db.session.scalar(select(Community).where(Community.name == COMMUNITY_NAME)) or \
        db.session.scalar(select(Community).order_by(Community.id))
    branch = db.session.scalar(select(Organization).where(Organization.level == "branch").order_by(Organization.id))
    if community is None or branch is None:
        return "community demo skipped: no community or branch"
    liaison = db.session.scalar(select(User).join(RoleGrant).where(
        RoleGrant.role == "liaison", RoleGrant.community_id == community.id).order_by(User.id))
    admin = db.session.scalar(select(User).join(RoleGrant).where(RoleGrant.role == "admin").order_by(User.id))
    now = utcnow().replace(second=0, microsecond=0)
    db.session.add(OrgCommunityPairing(organization_id=branch.id, community_id=community.id, note="支部共建",
                                       started_at=now - timedelta(days=200), created_by_id=admin.id if admin else None))

    registered = db.session.scalars(select(User).where(User.community_id == community.id, User.branch_id.is_not(None))
                                    .order_by(User.id)).all()
    for i, member in enumerate(registered):
        at = now - timedelta(days=90 - i)
        db.session.add(CommunityRegistration(
            community_id=community.id, user_id=member.id, status="accepted", created_at=at - timedelta(days=1),
            decided_at=at, started_at=at, decided_by_id=liaison.id if liaison else None,
            decision_note="欢迎到幸福里社区报到！", note_address="幸福路小区"))
    waiting = db.session.scalars(select(User).where(User.community_id.is_(None), User.branch_id.is_not(None),
                                                    User.phone.like("1390000012%")).order_by(User.id).limit(2)).all()
    for member, skills in zip(waiting, ("电脑维修", "书法"), strict=False):
        db.session.add(CommunityRegistration(community_id=community.id, user_id=member.id, status="pending",
                                             created_at=now - timedelta(hours=3), note_address="幸福路 12 号",
                                             note_skills=skills, note_availability="周末"))

    duty = Duty(community_id=community.id, title="为独居老人送午餐",
                description="从社区食堂取餐，送到独居老人家中，并陪老人聊聊天。", place_name="幸福里社区食堂",
                skills=["沟通", "细心"], status="open", created_by_id=liaison.id if liaison else None)
    db.session.add(duty)
    db.session.flush()
    slots = []
    for days in (1, 3):
        start = (now + timedelta(days=days)).replace(hour=3, minute=30)  # 11:30 in Shanghai
        event = new_event("community_duty", duty.title, start, start + timedelta(hours=2),
                          host_community_id=community.id, audience="claimers", description=duty.description,
                          place_name=duty.place_name, created_by_id=duty.created_by_id)
        db.session.add(event)
        db.session.flush()
        slot = DutySlot(duty=duty, starts_at=start, ends_at=start + timedelta(hours=2), capacity=3,
                        event_id=event.id, status="open")
        db.session.add(slot)
        slots.append(slot)
    db.session.flush()
    if registered:
        db.session.add(DutyClaim(slot_id=slots[0].id, user_id=registered[0].id, status="active", claimed_at=now))
    db.session.commit()
    return (f"community demo loaded: {len(registered)} receipts, {len(waiting)} waiting requests, "
            f"need “{duty.title}” with {len(slots)} slots")
