"""Lookups and scope checks shared by the community services."""
from sqlalchemy import select

from server.auth.models import Community, User
from server.auth.permissions import can_manage_community, forbid
from server.common.errors import NotFound
from server.extensions import db


def get_or_404(model, object_id: int, lock: bool = False):
    """Load one row; lock=True takes a row lock on PostgreSQL (SQLite writers are serialised anyway)."""
    stmt = select(model).where(model.id == object_id)
    if lock:
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    obj = db.session.scalar(stmt)
    if obj is None:
        raise NotFound(details={"type": model.__tablename__, "id": object_id})
    return obj


def community_or_404(community_id: int) -> Community:
    return get_or_404(Community, community_id)


def require_liaison(user: User, community_id: int) -> None:
    """Admins everywhere; a liaison only for their own communities."""
    if not can_manage_community(user, community_id):
        forbid({"community_id": community_id})


def member_brief(user: User) -> dict:
    return {"id": user.id, "name": user.name, "phone": user.phone,
            "branch_id": user.branch_id, "branch_name": user.branch.name if user.branch else None}
