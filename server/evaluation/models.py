"""Evaluation (可量化、可评价): the scoring sheet's versions, a year's rating (draft until published, then
its figures are stored and locked) and the admins' documented adjustments."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.common.timeutil import utcnow
from server.extensions import db


class ScoreSheet(db.Model):
    """One version of a year's scoring sheet: indicators with weights and targets, and the star thresholds."""

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("year", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RatingYear(db.Model):
    """A published year: the sheet it was computed with (a copy) and when; its branches' rows are stored."""

    __tablename__ = "rating_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sheet: Mapped[dict] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BranchRating(db.Model):
    """A branch's published rating: score, stars and every indicator's figures, as they were on publishing."""

    __tablename__ = "branch_ratings"
    __table_args__ = (UniqueConstraint("year", "branch_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("rating_years.year"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    score: Mapped[float | None] = mapped_column(Float)  # None: nothing to count yet
    stars: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict] = mapped_column(JSON)


class RatingAdjustment(db.Model):
    """An admin's documented adjustment of a branch's year: a veto (一票否决: no stars) or points off the score."""

    __tablename__ = "rating_adjustments"
    __table_args__ = (CheckConstraint("kind in ('veto','deduct')", name="adjustment_kind_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[float] = mapped_column(Float, default=0)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
