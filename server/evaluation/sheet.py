"""The scoring sheet as data: per year, versioned. Each indicator has a weight and a target (the value that
earns the full weight); the stars are score thresholds for one to five stars. Admins edit a year's sheet by
saving a new version; a published year keeps a copy of the version it was computed with."""
from datetime import datetime

from sqlalchemy import func, select

import server.evaluation.messages  # noqa: F401  (registers the message codes)
from server.auth.models import User
from server.auth.permissions import require_admin
from server.common import audit
from server.common.errors import Invalid
from server.common.timeutil import iso_local, utcnow
from server.evaluation.models import ScoreSheet
from server.events.kinds import KINDS, codes_where
from server.extensions import db

# The indicators the rating can compute: code → (zh, en, unit). What each counts: server/evaluation/indicators.py.
INDICATORS = {
    "attendance_rate": ("主题党日参与率", "Party day participation", "ratio"),
    "compliance": ("三会一课完成率", "Meetings held as required", "ratio"),
    "record_timeliness": ("会议记录及时率", "Meeting records on time", "ratio"),
    "registration": ("双报到覆盖率", "Registered with a community", "ratio"),
    "served": ("社区服务达标率", "Served the yearly hours", "ratio"),
    "hours_per_member": ("人均志愿服务时长", "Service hours per member", "hours"),
    "points_per_member": ("人均积分", "Points per member", "points"),
}

# The monthly meeting of the whole branch (主题党日), found by its flags, is what participation rates by default.
MONTHLY_BRANCH_MEETINGS = list(codes_where(audience="organization", min_per=("month", 1)))

DEFAULT = {
    "indicators": [
        {"code": "attendance_rate", "weight": 25, "target": 0.9, "kinds": MONTHLY_BRANCH_MEETINGS},
        {"code": "compliance", "weight": 25, "target": 1.0},
        {"code": "record_timeliness", "weight": 10, "target": 0.9, "days": 7},
        {"code": "registration", "weight": 10, "target": 0.95},
        {"code": "served", "weight": 10, "target": 0.6},
        {"code": "hours_per_member", "weight": 10, "target": 20},
        {"code": "points_per_member", "weight": 10, "target": 50},
    ],
    "stars": [60, 70, 80, 90, 95],
}


def current(year: int) -> dict:
    """The year's sheet: its newest version, or the default (version 0) when none was saved."""
    row = db.session.scalar(select(ScoreSheet).where(ScoreSheet.year == year)
                            .order_by(ScoreSheet.version.desc()).limit(1))
    if row is None:
        return {"year": year, "version": 0, **DEFAULT, "saved_at": None}
    return {"year": year, "version": row.version, **row.body, "saved_at": iso_local(row.created_at)}


def _check(body: dict) -> dict:
    """The sheet's rules: known indicators once each, weights that sum to 100, positive targets, rising stars."""
    errors = {}
    codes = [i["code"] for i in body["indicators"]]
    if len(set(codes)) != len(codes) or not set(codes) <= set(INDICATORS):
        errors["indicators"] = "evaluation_sheet_indicators"
    elif abs(sum(i["weight"] for i in body["indicators"]) - 100) > 1e-6:
        errors["indicators"] = "evaluation_sheet_weights"
    for n, item in enumerate(body["indicators"] if not errors else []):  # one message per field: the list's first
        if item["target"] <= 0:
            errors[f"indicators.{n}.target"] = "evaluation_sheet_target"
        if any(k not in KINDS or not KINDS[k].expects_roster for k in item.get("kinds", [])):
            errors[f"indicators.{n}.kinds"] = "evaluation_sheet_kinds"
    stars = body["stars"]
    rising = all(a < b for a, b in zip(stars, stars[1:], strict=False))
    if len(stars) != 5 or not rising or not 0 <= stars[0] <= stars[-1] <= 100:
        errors["stars"] = "evaluation_sheet_stars"
    if errors:
        raise Invalid(errors)
    return body


def save(actor: User, year: int, body: dict, reason: str, now: datetime | None = None) -> dict:
    """A new version of the year's sheet (admins; audited with the version it replaces)."""
    require_admin(actor)
    body = _check({"indicators": body["indicators"], "stars": body["stars"]})
    before = current(year)
    version = (db.session.scalar(select(func.max(ScoreSheet.version)).where(ScoreSheet.year == year)) or 0) + 1
    db.session.add(ScoreSheet(year=year, version=version, body=body, reason=reason.strip(), created_by_id=actor.id,
                              created_at=now or utcnow()))
    audit.record(actor.id, "evaluation.sheet.save", "score_sheet", year, {"version": before["version"]},
                 {"version": version, **body}, reason.strip())
    db.session.commit()
    return current(year)
