"""Publication (公示): confirmed hours shown to the community or organization until they lock, and its settings."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from server.attendance.models import Attendance
from server.auth.models import Community, Organization, User
from server.auth.permissions import (
    can_manage_community,
    can_manage_org,
    forbid,
)
from server.common import audit
from server.common.errors import Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.events.kinds import codes_where
from server.events.models import Event
from server.extensions import db
from server.hours.common import commit
from server.hours.models import HoursReview, HoursSetting
from server.hours.queue import item_json, rows_query


def publication(user: User, community_id: int | None, org_id: int | None, now: datetime | None = None) -> dict:
    """Confirmed hours now in publication (公示) for a community or an organization's tree.

    Visible to the community's registered members and liaisons, the organization's members and
    organizers, and admins."""
    now = now or utcnow()
    if (community_id is None) == (org_id is None):
        raise Invalid({"community_id": "community_or_org"}, location="query")
    where = [Attendance.state == "confirmed", HoursReview.locks_at.is_not(None), HoursReview.locks_at > now]
    if community_id is not None:
        if user.community_id != community_id and not can_manage_community(user, community_id):
            forbid({"community_id": community_id})
        where += [Event.kind.in_(codes_where(reviewed_by="liaison")), Event.host_community_id == community_id]
    else:
        org = db.session.get(Organization, org_id)
        if org is None:
            raise NotFound(details={"org_id": org_id})
        member_here = user.branch is not None and user.branch.path.startswith(org.path)
        if not member_here and not can_manage_org(user, org):
            forbid({"org_id": org_id})
        HostOrg = aliased(Organization)
        where += [Event.host_org_id.in_(select(HostOrg.id).where(HostOrg.path.startswith(org.path)))]
    rows = db.session.execute(rows_query().where(*where).order_by(HoursReview.locks_at, Attendance.id)).all()
    items = []
    for r in rows:
        full = item_json(r, now)
        items.append({"attendance_id": full["id"], "member_name": full["member"]["name"],
                      "branch_name": full["member"]["branch_name"], "event": full["event"],
                      "hours_confirmed": full["hours_confirmed"], "locks_at": full["locks_at"],
                      "dispute_open": full["dispute"] is not None})
    return {"community_id": community_id, "org_id": org_id, "items": items}


def _setting_scope(user: User, community_id: int | None, org_id: int | None):
    if (community_id is None) == (org_id is None):
        raise Invalid({"community_id": "community_or_org"})
    if community_id is not None:
        if db.session.get(Community, community_id) is None:
            raise NotFound(details={"community_id": community_id})
        if not can_manage_community(user, community_id):
            forbid({"community_id": community_id})
        return HoursSetting.community_id == community_id
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"org_id": org_id})
    if not can_manage_org(user, org):
        forbid({"org_id": org_id})
    return HoursSetting.organization_id == org_id


def get_setting(user: User, community_id: int | None, org_id: int | None) -> dict:
    setting = db.session.scalar(select(HoursSetting).where(_setting_scope(user, community_id, org_id)))
    return {"community_id": community_id, "org_id": org_id,
            "publicity_days": setting.publicity_days if setting else 0,
            "updated_at": iso_local(setting.updated_at) if setting else None}


def put_setting(user: User, community_id: int | None, org_id: int | None, publicity_days: int,
                reason: str = "") -> dict:
    """Applies to confirmations made from now on; records already confirmed keep their lock date."""
    cond = _setting_scope(user, community_id, org_id)
    setting = db.session.scalar(select(HoursSetting).where(cond))
    before = setting.publicity_days if setting else 0
    if setting is None:
        setting = HoursSetting(community_id=community_id, organization_id=org_id)
        db.session.add(setting)
    setting.publicity_days, setting.updated_by_id = publicity_days, user.id
    db.session.flush()
    audit.record(user.id, "hours.settings", "hours_setting", setting.id, {"publicity_days": before},
                 {"publicity_days": publicity_days, "community_id": community_id, "org_id": org_id},
                 (reason or "").strip())
    commit()
    return get_setting(user, community_id, org_id)
