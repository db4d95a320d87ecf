"""Points: rules as data, and an append-only ledger whose sum is the balance."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.common.timeutil import utcnow
from server.extensions import db


class PointsRule(db.Model):
    """One rule per activity kind; a change only affects payments made after it."""

    __tablename__ = "points_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), unique=True)
    checkin_points: Mapped[int] = mapped_column(Integer, default=0)
    late_checkin_points: Mapped[int] = mapped_column(Integer, default=0)
    absence_points: Mapped[int] = mapped_column(Integer, default=0)
    per_hour_points: Mapped[int] = mapped_column(Integer, default=0)
    cap_per_activity: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PointsEntry(db.Model):
    """A payment names its rule; a reversal points at what it reverses."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        Index(
            "uq_points_pay_once", "attendance_id", "rule_code", unique=True,
            sqlite_where=text("entry_type = 'pay'"), postgresql_where=text("entry_type = 'pay'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    rule_code: Mapped[str] = mapped_column(String(40))
    entry_type: Mapped[str] = mapped_column(String(10), default="pay")  # pay|reverse|adjust
    attendance_id: Mapped[int | None] = mapped_column(ForeignKey("attendance.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("points_ledger.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
