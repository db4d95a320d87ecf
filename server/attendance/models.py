"""Attendance: one row per (event, member), the record organizers report upward."""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.common.timeutil import utcnow
from server.extensions import db

METHOD_TEXT = {"qr": ("扫码", "QR scan"), "offline_qr": ("离线扫码", "Offline QR scan"),
               "manual": ("手工登记", "By hand"), "card": ("扫会员卡", "Member card")}
METHODS = tuple(METHOD_TEXT)


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="checked_in")
    checkin_at: Mapped[datetime | None] = mapped_column(DateTime)
    checkin_method: Mapped[str | None] = mapped_column(String(12))
    checkout_at: Mapped[datetime | None] = mapped_column(DateTime)
    checkout_method: Mapped[str | None] = mapped_column(String(12))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    hours_claimed: Mapped[float | None] = mapped_column(Float)
    hours_confirmed: Mapped[float | None] = mapped_column(Float)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")

    # Optimistic lock: two racing updates of one row cannot both win.
    __mapper_args__ = {"version_id_col": version}
