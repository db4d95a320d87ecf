"""Points rules as data (admins edit them), the party-day absentee deduction paid once per member and
event, excusing a deduction (a reversing entry), and a member's yearly totals.

Amounts are copied onto ledger entries when paid, so changing a rule only affects later payments.
"""
from datetime import datetime

from sqlalchemy import insert, select

import server.points.messages  # noqa: F401  (registers the message codes)
from server.attendance.models import Attendance
from server.auth.models import Organization, User
from server.auth.permissions import can_manage_event, can_manage_org, forbid, is_admin, require_admin
from server.common import audit
from server.common.audit import AuditLog
from server.common.errors import Conflict, Invalid, NotFound
from server.common.i18n import lang, message
from server.common.timeutil import iso_local, to_local, utcnow
from server.events import audience
from server.events.kinds import KINDS
from server.events.models import Event
from server.extensions import db
from server.hours.models import AbsenceDeduction
from server.points.ledger import DEFAULT_RULES, rule_for
from server.points.models import PointsEntry, PointsRule

RULE_FIELDS = ("checkin_points", "late_checkin_points", "absence_points", "per_hour_points", "cap_per_activity")
RULE_TEXT = {  # what each rule code pays, per kind that has it; {kind} is the kind's label
    "checkin": "points_code_checkin", "late_checkin": "points_code_late_checkin",
    "absence": "points_code_absence", "hours": "points_code_hours",
}


def rule_codes() -> dict[str, str]:
    """Every rule code the ledger can hold, described in the request's language, from the kinds table."""
    codes = {}
    for kind in KINDS.values():
        named = {"kind": kind.label(lang())}
        wanted = (["checkin", "late_checkin"] if kind.pays_at_checkin else []) + \
            (["absence"] if kind.deducts_absence else []) + (["hours"] if kind.records_hours else [])
        codes.update({kind.rule_code(what): message(RULE_TEXT[what], **named) for what in wanted})
    codes["<kind>.hours.<n>"] = message("points_code_repaid")
    return codes


def rule_json(rule: PointsRule) -> dict:
    return {"kind": rule.kind, **{f: getattr(rule, f) for f in RULE_FIELDS}, "updated_at": iso_local(rule.updated_at)}


def list_rules() -> dict:
    rules = db.session.scalars(select(PointsRule).order_by(PointsRule.kind)).all()
    order = {k: i for i, k in enumerate(KINDS)}
    return {"rules": [rule_json(r) for r in sorted(rules, key=lambda r: order.get(r.kind, 99))],
            "codes": rule_codes()}


def update_rules(user: User, changes: list[dict], reason: str = "") -> dict:
    """Change some fields of some kinds' rules; each changed rule is audited with before and after."""
    require_admin(user)
    kinds = [c["kind"] for c in changes]
    if len(set(kinds)) != len(kinds):
        raise Invalid({"rules": "rules_kind_twice"})
    rules = {r.kind: r for r in db.session.scalars(select(PointsRule))}
    changed = []
    for change in changes:
        rule = rules.get(change["kind"])
        if rule is None:
            rule = PointsRule(kind=change["kind"], **DEFAULT_RULES.get(change["kind"], {}))
            db.session.add(rule)
            db.session.flush()
        before = {f: getattr(rule, f) for f in RULE_FIELDS}
        for f in RULE_FIELDS:
            if f in change:
                setattr(rule, f, change[f])
        after = {f: getattr(rule, f) for f in RULE_FIELDS}
        if after != before:
            rule.updated_at = utcnow()
            diff = [f for f in RULE_FIELDS if before[f] != after[f]]
            audit.record(user.id, "points.rule.update", "points_rule", rule.id,
                         {"kind": rule.kind, **{f: before[f] for f in diff}},
                         {"kind": rule.kind, **{f: after[f] for f in diff}}, (reason or "").strip())
            changed.append(rule.kind)
    db.session.commit()
    return {**list_rules(), "changed": changed}


# ---------------------------------------------------------------- absentee deduction

def roster_absentees(event: Event):
    """Active members of the host organization's tree with no live (non-annulled) attendance."""
    present = select(Attendance.user_id).where(Attendance.event_id == event.id, Attendance.state != "annulled")
    narrow = audience.roster_of(event, User)  # a committee or Party group meeting expects part of the tree
    return (select(User.id).join(Organization, Organization.id == User.branch_id)
            .where(Organization.path.startswith(event.host_org.path), User.active.is_(True),
                   User.id.not_in(present), *([] if narrow is None else [narrow])))


def deduct_absentees(event: Event, actor_id: int | None = None, now: datetime | None = None) -> dict:
    """Write the absence deduction for each roster member who never checked in, in the caller's
    transaction. Bulk statements only; absence_deductions' unique (event_id, user_id) pays once."""
    now = now or utcnow()
    kind = KINDS[event.kind]
    if not kind.deducts_absence or event.host_org is None:
        return {"absent": 0, "points": 0}
    already = select(AbsenceDeduction.user_id).where(AbsenceDeduction.event_id == event.id)
    absent = list(db.session.scalars(roster_absentees(event).where(User.id.not_in(already)).order_by(User.id)))
    if not absent:
        return {"absent": 0, "points": 0}
    rule = rule_for(kind.code)
    amount = min(rule.absence_points, 0) if rule is not None else 0
    reason = f"缺席{kind.label_zh}：{event.title}"[:255]
    entry_of: dict[int, int] = {}
    if amount:
        rows = db.session.execute(
            insert(PointsEntry).returning(PointsEntry.id, PointsEntry.user_id, sort_by_parameter_order=True),
            [{"user_id": uid, "amount": amount, "rule_code": kind.rule_code("absence"), "entry_type": "pay",
              "attendance_id": None, "reverses_id": None, "reason": reason, "actor_id": actor_id,
              "created_at": now} for uid in absent]).all()
        entry_of = {r.user_id: r.id for r in rows}
    db.session.execute(insert(AbsenceDeduction), [
        {"event_id": event.id, "user_id": uid, "amount": amount, "entry_id": entry_of.get(uid), "excused": False,
         "created_at": now} for uid in absent])
    db.session.execute(insert(AuditLog), [
        {"actor_id": actor_id, "action": "points.absence", "object_type": "user", "object_id": uid,
         "before": None, "after": {"event_id": event.id, "amount": amount, "rule_code": kind.rule_code("absence")},
         "reason": reason, "created_at": now} for uid in absent])
    return {"absent": len(absent), "points": amount * len(absent)}


def _absence_event(user: User, absence: AbsenceDeduction) -> Event:
    event = db.session.get(Event, absence.event_id)
    if not can_manage_event(user, event):
        forbid({"event_id": event.id})
    return event


def list_absences(user: User, event_id: int) -> dict:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(details={"event_id": event_id})
    if not can_manage_event(user, event):
        forbid({"event_id": event_id})
    rows = db.session.execute(
        select(AbsenceDeduction, User.name, Organization.name.label("branch_name"))
        .join(User, User.id == AbsenceDeduction.user_id).outerjoin(Organization, Organization.id == User.branch_id)
        .where(AbsenceDeduction.event_id == event_id).order_by(Organization.name, User.name, User.id)).all()
    return {"event_id": event_id, "items": [absence_json(a, name, branch) for a, name, branch in rows]}


def absence_json(a: AbsenceDeduction, name: str, branch_name: str | None) -> dict:
    return {"id": a.id, "event_id": a.event_id, "member_id": a.user_id, "name": name, "branch_name": branch_name,
            "amount": a.amount, "excused": a.excused, "created_at": iso_local(a.created_at)}


def excuse_absence(user: User, absence_id: int, reason: str) -> dict:
    """An event manager excuses an absence (请假, or a late manual check-in): a reversing entry."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": "reason_required"})
    absence = db.session.get(AbsenceDeduction, absence_id)
    if absence is None:
        raise NotFound(details={"absence_id": absence_id})
    _absence_event(user, absence)
    if absence.excused:
        raise Conflict("points_absence_excused", {"absence_id": absence_id})
    reversed_amount = 0
    if absence.entry_id is not None:
        entry = db.session.get(PointsEntry, absence.entry_id)
        db.session.add(PointsEntry(user_id=entry.user_id, attendance_id=None, rule_code=entry.rule_code,
                                   amount=-entry.amount, entry_type="reverse", reverses_id=entry.id,
                                   actor_id=user.id, reason=reason[:255]))
        reversed_amount = -entry.amount
    absence.excused = True
    audit.record(user.id, "points.absence.excuse", "user", absence.user_id,
                 {"absence_id": absence.id, "excused": False},
                 {"absence_id": absence.id, "excused": True, "points_reversed": reversed_amount}, reason)
    try:
        db.session.commit()
    except Exception:  # the reverses_id unique key: a racing excuse lost
        db.session.rollback()
        raise Conflict("points_absence_excused", {"absence_id": absence_id}) from None
    name, branch = db.session.execute(select(User.name, Organization.name).outerjoin(
        Organization, Organization.id == User.branch_id).where(User.id == absence.user_id)).one()
    return {**absence_json(absence, name, branch), "points_reversed": reversed_amount}


# ---------------------------------------------------------------- yearly totals

def yearly_totals(viewer: User, member_id: int | None) -> dict:
    """Per local calendar year: the net total and its split by activity kind. One query."""
    member = viewer
    if member_id is not None and member_id != viewer.id:
        member = db.session.get(User, member_id)
        if member is None and is_admin(viewer):
            raise NotFound(details={"member_id": member_id})
        if member is None or not can_manage_org(viewer, member.branch):
            forbid({"member_id": member_id})
    years: dict[int, dict] = {}
    for created_at, amount, code in db.session.execute(
            select(PointsEntry.created_at, PointsEntry.amount, PointsEntry.rule_code)
            .where(PointsEntry.user_id == member.id)):
        year = to_local(created_at).year
        slot = years.setdefault(year, {"year": year, "total": 0, "by_kind": {k: 0 for k in KINDS}})
        slot["total"] += amount
        kind = code.split(".", 1)[0]
        slot["by_kind"][kind] = slot["by_kind"].get(kind, 0) + amount
    return {"member_id": member.id, "name": member.name, "years": [years[y] for y in sorted(years, reverse=True)]}
