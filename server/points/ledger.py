"""The points ledger: paying, reversing and re-paying. Append-only; a balance is a sum; a correction is
a reversing entry, never an edit; the unique (attendance, rule code) index pays a rule once."""
from sqlalchemy import insert, or_, select

from server.events.kinds import KINDS
from server.extensions import db
from server.points.models import PointsEntry, PointsRule

PAY = insert(PointsEntry.__table__)

DEFAULT_RULES = {code: dict(zip(("checkin_points", "late_checkin_points", "absence_points", "per_hour_points"),
                                  kind.default_rule, strict=True)) for code, kind in KINDS.items()}


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


def pay_at_once(user_id: int, attendance_id: int, rule_code: str, amount: int, actor_id: int | None = None) -> int:
    """pay() as one Core insert, for the check-in paths that write nothing else through the ORM."""
    if amount:
        db.session.connection().execute(PAY, {
            "user_id": user_id, "attendance_id": attendance_id, "rule_code": rule_code, "amount": amount,
            "entry_type": "pay", "actor_id": actor_id, "reason": ""})
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


def restore_for_attendance(attendance_id: int, actor_id: int | None, reason: str) -> int:
    """Undo the reversals of an annulment: each reversal not yet undone gets a 'restore' entry paying the
    reversed amount back (pointing at the reversal: its unique reverses_id makes it once). Returns the total."""
    undone = select(PointsEntry.reverses_id).where(PointsEntry.entry_type == "restore")
    reversals = db.session.scalars(select(PointsEntry).where(
        PointsEntry.attendance_id == attendance_id, PointsEntry.entry_type == "reverse",
        PointsEntry.id.not_in(undone)).order_by(PointsEntry.id)).all()
    total = 0
    for entry in reversals:
        db.session.add(PointsEntry(user_id=entry.user_id, attendance_id=attendance_id, rule_code=entry.rule_code,
                                   amount=-entry.amount, entry_type="restore", reverses_id=entry.id,
                                   actor_id=actor_id, reason=reason))
        total -= entry.amount
    return total


def hours_code(kind: str) -> str:
    return KINDS[kind].rule_code("hours")


def hours_entries(att_id: int, kind: str) -> list[PointsEntry]:
    """Every hours entry of the attendance: the first payment, re-payments "<code>.<n>" and reversals."""
    base = hours_code(kind)
    return list(db.session.scalars(select(PointsEntry).where(
        PointsEntry.attendance_id == att_id,
        or_(PointsEntry.rule_code == base, PointsEntry.rule_code.like(base + ".%")))))


def reverse_hours(entries: list[PointsEntry], actor_id: int, reason: str) -> int:
    """Reverse every hours payment not yet reversed; returns the (negative) total."""
    reversed_ids = {e.reverses_id for e in entries if e.entry_type == "reverse"}
    total = 0
    for e in entries:
        if e.entry_type != "reverse" and e.id not in reversed_ids:
            db.session.add(PointsEntry(user_id=e.user_id, attendance_id=e.attendance_id, rule_code=e.rule_code,
                                       amount=-e.amount, entry_type="reverse", reverses_id=e.id,
                                       actor_id=actor_id, reason=reason))
            total -= e.amount
    return total


def pay_hours(kind: str, user_id: int, att_id: int, hours: float, entries: list[PointsEntry], actor_id: int | None,
              reason: str = "") -> int:
    """Pay confirmed hours: the first time under "<kind>.hours", after a reversal under the next free
    "<kind>.hours.<n>", because the ledger pays one rule code once per attendance."""
    base, rule = hours_code(kind), rule_for(kind)
    amount = hours_points(rule, hours)
    pays = [e for e in entries if e.entry_type == "pay"]
    if not pays:
        return pay(user_id, att_id, base, amount, actor_id, reason)
    rounds = [1] + [int(e.rule_code.rsplit(".", 1)[1]) for e in pays
                    if e.rule_code != base and e.rule_code.rsplit(".", 1)[1].isdigit()]
    return pay(user_id, att_id, f"{base}.{max(rounds) + 1}", amount, actor_id, reason)
