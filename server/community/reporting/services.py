"""Reporting back (反馈): per quarter or year, each member's registration and community service.

One report shape, two sides: a branch (its organization subtree's members) and a community (its
registrants, plus anyone who claimed or served there in the period, counting only its own duties).
Counts: duties claimed = active claims on open slots starting in the period; attended = attendance on
community_duty events starting in the period, not annulled or rejected; confirmed hours = sum of
hours_confirmed where the attendance is 'confirmed'. Flags: not_registered (no community) and
under_threshold (confirmed hours below the yearly threshold, pro-rated to a quarter).
A fixed number of queries, whatever the number of members.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import case, func, or_, select

from server.attendance import lifecycle
from server.attendance.models import Attendance
from server.auth.models import Community, Organization, User
from server.auth.permissions import can_manage_org, forbid
from server.common.timeutil import local_zone, to_utc_naive
from server.community.access import community_or_404, get_or_404, require_liaison
from server.community.models import CommunityRegistration, Duty, DutyClaim, DutySlot, MemberEvaluation
from server.events.kinds import codes_where
from server.events.models import Event
from server.extensions import db

RATING_LABELS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
DUTY_KINDS = codes_where(host="community")  # served in the member's own community


@dataclass
class Period:
    year: int
    quarter: int | None
    starts_at: datetime  # naive UTC, inclusive
    ends_at: datetime  # naive UTC, exclusive

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年度"


def period_of(year: int, quarter: int | None) -> Period:
    """Quarter and year boundaries in the deployment's time zone, stored as naive UTC."""
    zone = local_zone()
    first_month = 3 * (quarter - 1) + 1 if quarter else 1
    start = datetime(year, first_month, 1, tzinfo=zone)
    end_year, end_month = (year, first_month + 3) if quarter and quarter < 4 else (year + 1, 1)
    return Period(year, quarter, to_utc_naive(start), to_utc_naive(datetime(end_year, end_month, 1, tzinfo=zone)))


def yearly_threshold(override: float | None) -> float:
    if override is not None:
        return float(override)
    return float(current_app.config.get("COMMUNITY_MIN_HOURS_PER_YEAR", 50))


def branch_report(user: User, organization_id: int, year: int, quarter: int | None,
                  min_hours: float | None = None) -> dict:
    """Members of the organization and every branch below it; organizers of the subtree and admins."""
    org = get_or_404(Organization, organization_id)
    if not can_manage_org(user, org):
        forbid({"organization_id": organization_id})
    members = (select(User.id).join(Organization, Organization.id == User.branch_id)
               .where(Organization.path.startswith(org.path), User.active.is_(True)))
    scope = {"type": "organization", "id": org.id, "name": org.name}
    return _report(scope, members, None, period_of(year, quarter), yearly_threshold(min_hours))


def community_report(user: User, community_id: int, year: int, quarter: int | None,
                     min_hours: float | None = None) -> dict:
    """The community's side: its registrants and whoever served it in the period; its liaisons and admins."""
    community = community_or_404(community_id)
    require_liaison(user, community_id)
    period = period_of(year, quarter)
    claimed_here = (select(DutyClaim.user_id).join(DutySlot, DutySlot.id == DutyClaim.slot_id)
                    .join(Duty, Duty.id == DutySlot.duty_id)
                    .where(Duty.community_id == community_id, DutySlot.starts_at >= period.starts_at,
                           DutySlot.starts_at < period.ends_at))
    served_here = (select(Attendance.user_id).join(Event, Event.id == Attendance.event_id)
                   .where(Event.host_community_id == community_id, Event.kind.in_(DUTY_KINDS),
                          Event.starts_at >= period.starts_at, Event.starts_at < period.ends_at))
    members = select(User.id).where(or_(User.community_id == community_id, User.id.in_(claimed_here),
                                        User.id.in_(served_here)))
    scope = {"type": "community", "id": community.id, "name": community.name}
    return _report(scope, members, community_id, period, yearly_threshold(min_hours))


def _report(scope: dict, members, community_id: int | None, period: Period, year_threshold: float) -> dict:
    threshold = round(year_threshold / 4, 2) if period.quarter else year_threshold
    in_period = (Event.starts_at >= period.starts_at, Event.starts_at < period.ends_at)
    people = db.session.execute(
        select(User, Organization.name, Community.name)
        .outerjoin(Organization, Organization.id == User.branch_id)
        .outerjoin(Community, Community.id == User.community_id)
        .where(User.id.in_(members)).order_by(Organization.path, User.name, User.id)).unique().all()

    claims_q = (select(DutyClaim.user_id, func.count()).join(DutySlot, DutySlot.id == DutyClaim.slot_id)
                .where(DutyClaim.user_id.in_(members), DutyClaim.status == "active", DutySlot.status == "open",
                       DutySlot.starts_at >= period.starts_at, DutySlot.starts_at < period.ends_at))
    if community_id is not None:
        claims_q = claims_q.join(Duty, Duty.id == DutySlot.duty_id).where(Duty.community_id == community_id)
    claims = dict(db.session.execute(claims_q.group_by(DutyClaim.user_id)).all())

    confirmed = case((Attendance.state == "confirmed", func.coalesce(Attendance.hours_confirmed, 0)), else_=0)
    attended = case((Attendance.state.in_(lifecycle.ATTENDED), 1), else_=0)
    att_q = (select(Attendance.user_id, func.sum(attended), func.sum(confirmed))
             .join(Event, Event.id == Attendance.event_id)
             .where(Attendance.user_id.in_(members), Event.kind.in_(DUTY_KINDS), *in_period))
    if community_id is not None:
        att_q = att_q.where(Event.host_community_id == community_id)
    service = {uid: (int(n or 0), float(h or 0)) for uid, n, h in
               db.session.execute(att_q.group_by(Attendance.user_id)).all()}

    since = dict(db.session.execute(select(CommunityRegistration.user_id, CommunityRegistration.started_at).where(
        CommunityRegistration.user_id.in_(members), CommunityRegistration.status == "accepted")).all())

    eval_q = (select(MemberEvaluation, Community.name).join(Community, Community.id == MemberEvaluation.community_id)
              .where(MemberEvaluation.user_id.in_(members), MemberEvaluation.period == period.code))
    if community_id is not None:
        eval_q = eval_q.where(MemberEvaluation.community_id == community_id)
    evaluations = {}
    for ev, cname in db.session.execute(eval_q.order_by(MemberEvaluation.updated_at, MemberEvaluation.id)).all():
        evaluations[ev.user_id] = {"rating": ev.rating, "rating_label": RATING_LABELS[ev.rating],
                                   "comment": ev.comment, "community_id": ev.community_id, "community_name": cname}

    rows = []
    for user, branch_name, community_name in people:
        times, hours = service.get(user.id, (0, 0.0))
        flags = []
        if user.community_id is None:
            flags.append("not_registered")
        if hours < threshold:
            flags.append("under_threshold")
        rows.append({"user_id": user.id, "name": user.name, "phone": user.phone, "branch_id": user.branch_id,
                     "branch_name": branch_name, "registered": user.community_id is not None,
                     "community_id": user.community_id, "community_name": community_name,
                     "registered_since": since.get(user.id), "duties_claimed": int(claims.get(user.id, 0)),
                     "attended": times, "hours_confirmed": round(hours, 2),
                     "evaluation": evaluations.get(user.id), "flags": flags})
    totals = {"members": len(rows), "registered": sum(r["registered"] for r in rows),
              "not_registered": sum("not_registered" in r["flags"] for r in rows),
              "under_threshold": sum("under_threshold" in r["flags"] for r in rows),
              "duties_claimed": sum(r["duties_claimed"] for r in rows), "attended": sum(r["attended"] for r in rows),
              "hours_confirmed": round(sum(r["hours_confirmed"] for r in rows), 2)}
    return {"scope": scope,
            "period": {"year": period.year, "quarter": period.quarter, "code": period.code, "label": period.label,
                       "starts_at": period.starts_at, "ends_at": period.ends_at},
            "threshold_hours": threshold, "threshold_hours_per_year": year_threshold, "totals": totals, "rows": rows}

