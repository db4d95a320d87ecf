"""The organizational life blueprint with every module's endpoints on it (groups, leave and make-ups, records)."""
from server.orglife import leave_routes, record_routes  # noqa: F401  (their endpoints join the blueprint)
from server.orglife.routes import blp

__all__ = ["blp"]
