"""Organizational life tables: leave requests (请假), make-ups (补课), meeting records (会议记录) and their files."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.common.timeutil import utcnow
from server.extensions import db

LEAVE_STATUSES = ("pending", "approved", "declined", "withdrawn")


class LeaveRequest(db.Model):
    """A member's request for leave from one meeting or Party day, asked before it starts; one per member."""

    __tablename__ = "leave_requests"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MakeUp(db.Model):
    """A make-up (补课) for a member who missed a meeting: what they studied and when, confirmed by the secretary."""

    __tablename__ = "makeups"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    studied_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


RECORD_STATUSES = ("filed", "approved")


class MeetingRecord(db.Model):
    """The record of a meeting (会议记录), filed by its organizer after it; approved by the secretary it is
    locked, and a later change is an amendment with a reason (the audit log keeps before and after)."""

    __tablename__ = "meeting_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    first_topic: Mapped[str] = mapped_column(String(500), default="")  # 第一议题: the study item
    presided_by: Mapped[str] = mapped_column(String(80), default="")
    minutes_by: Mapped[str] = mapped_column(String(80), default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="filed")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    amendments: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class RecordAttachment(db.Model):
    """A photo or PDF of a meeting, stored on disk (ORG_FILES_DIR) under a random name."""

    __tablename__ = "record_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("meeting_records.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Requirement(db.Model):
    """An admin's minimum frequency of one kind of meeting for one year (else the kinds table's default)."""

    __tablename__ = "orglife_requirements"
    __table_args__ = (UniqueConstraint("year", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10))  # month, quarter or year
    min_count: Mapped[int] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedToken(db.Model):
    """A private calendar feed URL: only a SHA-256 of its random part is kept; revoked_at ends it."""

    __tablename__ = "feed_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scope: Mapped[str] = mapped_column(String(10))  # member, or branch (org_id)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
