"""Double registration (双报到): registrations, pairings, needs with time slots, claims, evaluations."""
from datetime import datetime

from sqlalchemy import (
    JSON,
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import Community, Organization, User
from server.common.timeutil import utcnow
from server.events.models import Event
from server.extensions import db

REGISTRATION_STATUSES = ("pending", "accepted", "declined", "ended")
CLAIM_STATUSES = ("active", "withdrawn")
SLOT_STATUSES = ("open", "cancelled")
DUTY_STATUSES = ("open", "closed", "cancelled")
RATINGS = ("excellent", "good", "fair", "poor")


class CommunitySettings(db.Model):
    """Per-community settings; no row means defaults (key_version 1), so reading never writes."""

    __tablename__ = "community_settings"
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    key_version: Mapped[int] = mapped_column(Integer, default=1)  # bump to revoke printed registration codes
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class CommunityRegistration(db.Model):
    """A member reporting in to a community; the history is kept, one accepted at a time."""

    __tablename__ = "community_registrations"
    __table_args__ = (
        CheckConstraint("status in ('pending','accepted','declined','ended')", name="status_known"),
        # at most one current registration and one waiting request per member
        Index("uq_community_registrations_one_accepted", "user_id", unique=True,
              sqlite_where=text("status = 'accepted'"), postgresql_where=text("status = 'accepted'")),
        Index("uq_community_registrations_one_pending", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        Index("ix_community_registrations_community_status", "community_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    note_address: Mapped[str] = mapped_column(String(255), default="")
    note_skills: Mapped[str] = mapped_column(String(255), default="")
    note_availability: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")  # decline reason, or the liaison's welcome
    started_at: Mapped[datetime | None] = mapped_column(DateTime)  # when accepted
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(255), default="")

    community: Mapped[Community] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")


class OrgCommunityPairing(db.Model):
    """An organization paired with a partner community by an admin; one current pairing per organization."""

    __tablename__ = "org_community_pairings"
    __table_args__ = (
        Index("uq_org_community_pairings_one_current", "organization_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    note: Mapped[str] = mapped_column(String(255), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    community: Mapped[Community] = relationship(lazy="joined")


class Duty(db.Model):
    """A need the community posts (需求清单): what, where, which skills; people are wanted per slot."""

    __tablename__ = "community_duties"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place_name: Mapped[str] = mapped_column(String(200), default="")
    skills: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship(lazy="joined")
    slots: Mapped[list["DutySlot"]] = relationship(back_populates="duty", order_by="DutySlot.starts_at",
                                                   lazy="selectin")


class DutySlot(db.Model):
    """One time slot of a duty, with its own community_duty event (audience "claimers")."""

    __tablename__ = "duty_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("community_duties.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    duty: Mapped[Duty] = relationship(back_populates="slots", lazy="joined")
    event: Mapped[Event] = relationship(lazy="select")


class DutyClaim(db.Model):
    """A member's claim (认领) of a slot; withdrawing keeps the row, claiming again revives it."""

    __tablename__ = "duty_claims"
    __table_args__ = (
        UniqueConstraint("slot_id", "user_id"),  # also the index the "claimers" eligibility check uses
        CheckConstraint("status in ('active','withdrawn')", name="status_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("duty_slots.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    claimed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdraw_reason: Mapped[str] = mapped_column(String(120), default="", server_default=text("''"))  # a move

    slot: Mapped[DutySlot] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class MemberEvaluation(db.Model):
    """The liaison's evaluation of a member for a period ("2026" or "2026Q3"), shown in the reports."""

    __tablename__ = "community_evaluations"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id", "period"),
        CheckConstraint("rating in ('excellent','good','fair','poor')", name="rating_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    rating: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
