"""Hours review records: the liaison's verdict, publication (公示) and lock, disputes, per-event service
details for the service record, publication settings, and absentee deductions paid once."""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.common.timeutil import utcnow
from server.extensions import db

EVALUATIONS = ("excellent", "good", "fair", "poor")
DISPUTE_STATUSES = ("open", "answered")


class HoursReview(db.Model):
    """One per reviewed attendance: evaluation, and when its publication ends and it locks."""

    __tablename__ = "hours_reviews"
    __table_args__ = (
        CheckConstraint("evaluation is null or evaluation in ('excellent','good','fair','poor')",
                        name="evaluation_known"),
    )
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True)
    evaluation: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    publicity_days: Mapped[int] = mapped_column(Integer, default=0)
    locks_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)  # None: never locks
    corrections: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HoursDispute(db.Model):
    """A member's objection to their hours; at most one open per attendance; the answer is kept."""

    __tablename__ = "hours_disputes"
    __table_args__ = (
        CheckConstraint("status in ('open','answered')", name="status_known"),
        Index("uq_hours_disputes_one_open", "attendance_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HoursSetting(db.Model):
    """Publication (公示) length for one community or one organization (and the tree below it)."""

    __tablename__ = "hours_settings"
    __table_args__ = (
        CheckConstraint("(community_id is null) <> (organization_id is null)", name="one_scope"),
        CheckConstraint("publicity_days >= 0", name="days_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), unique=True)
    publicity_days: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class EventServiceInfo(db.Model):
    """What the service record shows beyond the event itself: recipient, content, leader, recorder."""

    __tablename__ = "event_service_info"
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    leader_name: Mapped[str] = mapped_column(String(80), default="")
    recorder_name: Mapped[str] = mapped_column(String(80), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AbsenceDeduction(db.Model):
    """A roster member absent from a closed party day; the unique key pays the deduction once."""

    __tablename__ = "absence_deductions"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer, default=0)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("points_ledger.id"), unique=True)
    excused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
