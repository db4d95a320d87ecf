"""One Scope per request: what a user manages and reviews, read once, with its SQL twins.

Every "may this user …" question in the services is a method here (or, for events, in
server.events.lookup on top of it), so the Python check and the SQL filter cannot disagree.
"""
from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import false, or_, select, true

from server.auth.models import Organization, User
from server.extensions import db


@dataclass(frozen=True)
class Scope:
    user: User
    admin: bool
    org_ids: frozenset[int]        # organizations the user is organizer of (their subtrees are managed)
    org_paths: tuple[str, ...]     # the paths of those organizations
    community_ids: frozenset[int]  # communities the user is liaison of

    @property
    def staff(self) -> bool:
        """Admin, organizer or liaison: someone with anything to manage."""
        return self.admin or bool(self.org_paths) or bool(self.community_ids)

    def manages_path(self, path: str | None) -> bool:
        return self.admin or (path is not None and any(path.startswith(p) for p in self.org_paths))

    def manages_org(self, org: Organization | None) -> bool:
        return self.admin or (org is not None and self.manages_path(org.path))

    def manages_community(self, community_id: int | None) -> bool:
        return self.admin or (community_id is not None and community_id in self.community_ids)

    def manages_host(self, host_path: str | None, host_community_id: int | None) -> bool:
        """An event's host: an organization in a managed subtree, or a community the user is liaison of."""
        return self.manages_path(host_path) or (host_community_id is not None
                                                and host_community_id in self.community_ids)

    def reviews_host(self, reviewed_by: str | None, host_path: str | None, host_community_id: int | None) -> bool:
        """Hours review: liaisons for their communities, organizers for their trees, as the kind says."""
        if reviewed_by is None:
            return False
        if self.admin:
            return True
        if reviewed_by == "liaison":
            return host_community_id is not None and host_community_id in self.community_ids
        return host_path is not None and any(host_path.startswith(p) for p in self.org_paths)

    # SQL twins ------------------------------------------------------------------------------------

    def managed_orgs(self):
        """SELECT of the ids of every organization managed (None for an admin: all of them)."""
        if self.admin:
            return None
        if not self.org_paths:
            return select(Organization.id).where(false())
        return select(Organization.id).where(or_(*[Organization.path.startswith(p) for p in self.org_paths]))

    def manages_org_clause(self, org_id_column):
        managed = self.managed_orgs()
        return true() if managed is None else org_id_column.in_(managed)

    def manages_community_clause(self, community_id_column):
        if self.admin:
            return true()
        return community_id_column.in_(sorted(self.community_ids)) if self.community_ids else false()


def _load(user: User) -> Scope:
    admin = user.has_role("admin")
    org_ids = frozenset(gr.organization_id for gr in user.grants if gr.role == "organizer" and gr.organization_id)
    community_ids = frozenset(gr.community_id for gr in user.grants if gr.role == "liaison" and gr.community_id)
    paths = tuple(db.session.scalars(select(Organization.path).where(Organization.id.in_(org_ids)))) if org_ids else ()
    return Scope(user, admin, org_ids, paths, community_ids)


def scope_of(user: User) -> Scope:
    """The user's scope, read once per request (grants do not change within one)."""
    if not has_app_context():
        return _load(user)
    cache = g.setdefault("scopes", {})
    scope = cache.get(user.id)
    if scope is None or scope.user is not user:
        scope = cache[user.id] = _load(user)
    return scope
