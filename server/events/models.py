"""Events: what a QR code checks people into."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import Community, Organization
from server.common.timeutil import utcnow
from server.events.kinds import CODES
from server.extensions import db

KINDS = CODES  # the kinds table (server/events/kinds.py) is their one home
STATUSES = ("draft", "published", "cancelled", "closed")
GEOFENCE_MODES = ("off", "record", "enforce")
QR_MODES = ("rotating", "static")
AUDIENCES = ("open", "organization", "community", "claimers", "committee", "group")  # committee: 支委; group: 党小组


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("window_closes_at >= ends_at", name="window_after_end"),
        CheckConstraint("window_opens_at <= starts_at", name="window_before_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    host_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    host_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    window_opens_at: Mapped[datetime] = mapped_column(DateTime)
    window_closes_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # "open now" finds few rows
    place_name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    geofence_radius_m: Mapped[int | None] = mapped_column(Integer)
    geofence_mode: Mapped[str] = mapped_column(String(10), default="off")
    capacity: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(20), default="open")
    party_group_id: Mapped[int | None] = mapped_column(ForeignKey("party_groups.id"), index=True)  # audience "group"
    requires_checkout: Mapped[bool] = mapped_column(Boolean, default=True)
    requires_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    late_after_minutes: Mapped[int] = mapped_column(Integer, default=5)
    qr_mode: Mapped[str] = mapped_column(String(10), default="rotating")
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="published", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    host_org: Mapped[Organization | None] = relationship(lazy="joined")
    host_community: Mapped[Community | None] = relationship(lazy="joined")

    @property
    def host_path(self) -> str | None:
        return self.host_org.path if self.host_org else None

    @property
    def scheduled_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600
