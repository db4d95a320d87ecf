"""Paying and reversing points; the ledger is append-only and its sum is the balance."""
from sqlalchemy import func, select

from server.extensions import db
from server.points.models import PointsEntry, PointsRule

DEFAULT_RULES = {
    "party_day": {"checkin_points": 5, "late_checkin_points": 3, "absence_points": -2, "per_hour_points": 0},
    "volunteer_service": {"checkin_points": 0, "late_checkin_points": 0, "absence_points": 0, "per_hour_points": 10},
    "community_duty": {"checkin_points": 0, "late_checkin_points": 0, "absence_points": 0, "per_hour_points": 10},
}


def ensure_default_rules() -> None:
    """Create the rule rows that are missing (the migration also seeds them)."""
    have = set(db.session.scalars(select(PointsRule.kind)))
    for kind, values in DEFAULT_RULES.items():
        if kind not in have:
            db.session.add(PointsRule(kind=kind, **values))


def rule_for(kind: str) -> PointsRule | None:
    return db.session.scalar(select(PointsRule).where(PointsRule.kind == kind))


def pay(user_id: int, attendance_id: int, rule_code: str, amount: int,
        actor_id: int | None = None, reason: str = "") -> int:
    """Add a payment; the unique index refuses a second one for the same rule and attendance."""
    if amount:
        db.session.add(PointsEntry(user_id=user_id, attendance_id=attendance_id, rule_code=rule_code,
                                   amount=amount, entry_type="pay", actor_id=actor_id, reason=reason))
    return amount


def hours_points(rule: PointsRule | None, hours: float) -> int:
    if rule is None or not hours:
        return 0
    amount = int(rule.per_hour_points * hours)
    return min(amount, rule.cap_per_activity) if rule.cap_per_activity is not None else amount


def reverse_for_attendance(attendance_id: int, actor_id: int | None, reason: str) -> int:
    """Write a reversing entry for every unreversed entry of the attendance; returns the total reversed."""
    reversed_ids = select(PointsEntry.reverses_id).where(PointsEntry.reverses_id.is_not(None))
    open_entries = db.session.scalars(
        select(PointsEntry).where(PointsEntry.attendance_id == attendance_id,
                                  PointsEntry.entry_type != "reverse",
                                  PointsEntry.id.not_in(reversed_ids))
    ).all()
    total = 0
    for entry in open_entries:
        db.session.add(PointsEntry(user_id=entry.user_id, attendance_id=attendance_id, rule_code=entry.rule_code,
                                   amount=-entry.amount, entry_type="reverse", reverses_id=entry.id,
                                   actor_id=actor_id, reason=reason))
        total -= entry.amount
    return total


def balance(user_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointsEntry.amount), 0))
                                 .where(PointsEntry.user_id == user_id)))
