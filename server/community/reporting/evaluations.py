"""The liaison's evaluation (评价) of a member for a year or a quarter, shown in the reports."""
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from server.auth.models import User
from server.common import audit
from server.common.errors import Conflict, Unprocessable
from server.community.access import community_or_404, get_or_404, member_brief, require_liaison
from server.community.models import CommunityRegistration, Duty, DutyClaim, DutySlot, MemberEvaluation
from server.community.reporting.services import RATING_LABELS
from server.extensions import db


def _known_here(member: User, community_id: int) -> bool:
    """Registered with the community now or before, or claimed one of its duties."""
    if member.community_id == community_id:
        return True
    registered = select(CommunityRegistration.id).where(
        CommunityRegistration.user_id == member.id, CommunityRegistration.community_id == community_id,
        CommunityRegistration.started_at.is_not(None))
    claimed = (select(DutyClaim.id).join(DutySlot, DutySlot.id == DutyClaim.slot_id)
               .join(Duty, Duty.id == DutySlot.duty_id)
               .where(DutyClaim.user_id == member.id, Duty.community_id == community_id))
    return db.session.scalar(select(or_(registered.exists(), claimed.exists()))) or False


def put(user: User, community_id: int, data: dict) -> dict:
    """Create or replace the evaluation of (community, member, period); audited."""
    community_or_404(community_id)
    require_liaison(user, community_id)
    member = get_or_404(User, data["user_id"])
    if not _known_here(member, community_id):
        raise Unprocessable("evaluation_not_registered", {"user_id": member.id})
    ev = db.session.scalar(select(MemberEvaluation).where(
        MemberEvaluation.community_id == community_id, MemberEvaluation.user_id == member.id,
        MemberEvaluation.period == data["period"]).with_for_update())
    before = {"rating": ev.rating, "comment": ev.comment} if ev else None
    if ev is None:
        ev = MemberEvaluation(community_id=community_id, user_id=member.id, period=data["period"])
        db.session.add(ev)
    ev.rating, ev.comment, ev.evaluator_id = data["rating"], data.get("comment", ""), user.id
    try:
        db.session.flush()
    except IntegrityError:  # a second liaison created the same evaluation at this moment
        db.session.rollback()
        raise Conflict()
    audit.record(user.id, "community.evaluation", "community_evaluation", ev.id, before,
                 {"rating": ev.rating, "comment": ev.comment, "period": ev.period, "user_id": member.id})
    db.session.commit()
    return evaluation_json(ev, member)


def listing(user: User, community_id: int, period: str | None) -> list[dict]:
    community_or_404(community_id)
    require_liaison(user, community_id)
    stmt = (select(MemberEvaluation, User).join(User, User.id == MemberEvaluation.user_id)
            .where(MemberEvaluation.community_id == community_id))
    if period:
        stmt = stmt.where(MemberEvaluation.period == period)
    rows = db.session.execute(stmt.order_by(MemberEvaluation.period.desc(), User.name, User.id)).unique().all()
    return [evaluation_json(ev, member) for ev, member in rows]


def evaluation_json(ev: MemberEvaluation, member: User) -> dict:
    return {"id": ev.id, "community_id": ev.community_id, "member": member_brief(member), "period": ev.period,
            "rating": ev.rating, "rating_label": RATING_LABELS[ev.rating], "comment": ev.comment,
            "updated_at": ev.updated_at}
