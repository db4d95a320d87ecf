"""Organizations, communities, users and their role grants."""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.common.timeutil import utcnow
from server.extensions import db

ROLES = ("member", "organizer", "liaison", "admin")


class Organization(db.Model):
    """A node of the Party organization tree; path ("/1/4/9/") makes subtree checks one LIKE."""

    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20), default="branch")  # committee|general_branch|branch
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    path: Mapped[str] = mapped_column(String(255), default="/", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @staticmethod
    def ids_under(path: str):
        """The subtree's ids as a SELECT, for `x.in_()`: one spelling of "under this organization"."""
        return select(Organization.id).where(Organization.path.startswith(path))


class PartyGroup(db.Model):
    """A Party group (党小组) of one branch: whom a Party group meeting expects."""

    __tablename__ = "party_groups"
    __table_args__ = (UniqueConstraint("branch_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Community(db.Model):
    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    is_committee: Mapped[bool] = mapped_column(Boolean, default=False)  # 支委
    party_group_id: Mapped[int | None] = mapped_column(ForeignKey("party_groups.id"), index=True)  # 党小组
    joined_party_on: Mapped[date | None] = mapped_column(Date)  # 入党时间: the political birthday
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Since when the member is in branch_id (None: since always); earlier branches are past_memberships.
    branch_since: Mapped[datetime | None] = mapped_column(DateTime)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # The member card's version: reissuing a card adds one, and a card of an older version is refused.
    card_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    branch: Mapped[Organization | None] = relationship(lazy="joined")
    grants: Mapped[list["RoleGrant"]] = relationship(lazy="select", cascade="all, delete-orphan")

    @property
    def branch_path(self) -> str | None:
        return self.branch.path if self.branch else None

    def has_role(self, role: str) -> bool:
        return role == "member" or any(g.role == role for g in self.grants)

    @property
    def roles(self) -> list[str]:
        return ["member"] + sorted({g.role for g in self.grants})


class RoleGrant(db.Model):
    """A role with its scope: organizer→organization, liaison→community, admin→none."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "organization_id", "community_id"),
        CheckConstraint("role in ('organizer','liaison','admin')", name="role_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))


class RevokedSession(db.Model):
    """A session signed out on its own device: its cookie is refused though still correctly signed.
    (Signing out everywhere bumps users.session_epoch instead.)"""

    __tablename__ = "revoked_sessions"
    sid: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


CODE_PURPOSES = ("activation", "reset", "join")


class AccountCode(db.Model):
    """A one-time code that lets a member set a password: an activation slip or a reset code (one member,
    used once), or a branch's join QR (any not-yet-activated member of the branch, until it ends). Only a
    keyed hash of the code is kept, so the codes cannot be read back from the database."""

    __tablename__ = "account_codes"
    __table_args__ = (CheckConstraint("purpose in ('activation','reset','join')", name="code_purpose_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)  # replaced by a newer code, or ended by staff


class PasswordHelp(db.Model):
    """A member's "I forgot my password" from the sign-in page, waiting for staff to issue a reset code."""

    __tablename__ = "password_help"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)


class PastMembership(db.Model):
    """A branch a member was in and left (a move, a deactivation): reports of the past count them there,
    for events that started within [started_at, ended_at)."""

    __tablename__ = "past_memberships"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: since always
    ended_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(20))  # move | deactivate
