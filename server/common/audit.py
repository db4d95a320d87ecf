"""Audit log: who changed what, before and after, and why."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.common.timeutil import utcnow
from server.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


def record(actor_id: int | None, action: str, obj_type: str, obj_id: int | None,
           before: dict | None, after: dict | None, reason: str = "") -> None:
    """Add an audit row to the caller's transaction, so it commits with the change."""
    db.session.add(AuditLog(actor_id=actor_id, action=action, object_type=obj_type, object_id=obj_id,
                            before=before, after=after, reason=reason))
