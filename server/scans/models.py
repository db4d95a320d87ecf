"""Scan log: every attempt at the front door, append-only; also the idempotency record."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.common.timeutil import utcnow
from server.extensions import db


class Scan(db.Model):
    __tablename__ = "scans"
    # (user_id, received_at): the throttle counts a member's scans of the last minute
    __table_args__ = (UniqueConstraint("user_id", "client_scan_id"), Index("ix_scans_user_received", "user_id",
                                                                              "received_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    client_scan_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    attendance_id: Mapped[int | None] = mapped_column(ForeignKey("attendance.id"))
    direction: Mapped[str | None] = mapped_column(String(3))
    token: Mapped[str] = mapped_column(String(120), default="")
    scanned_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(24), index=True)
    http_status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSON)


class ScanReview(db.Model):
    """The organizer's one decision on a delayed scan held for review (the scan row itself stays as sent)."""

    __tablename__ = "scan_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    decision: Mapped[str] = mapped_column(String(8))  # accept / refuse
    outcome: Mapped[str] = mapped_column(String(24))  # what accepting did (checked_in, already_checked_in, ...)
    attendance_id: Mapped[int | None] = mapped_column(ForeignKey("attendance.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
