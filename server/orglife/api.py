"""The organizational life blueprint with every module's endpoints on it (groups, leave and make-ups, records,
compliance, calendar feeds)."""
from server.orglife import (  # noqa: F401  (their endpoints join the blueprint)
    compliance_routes,
    feed_routes,
    leave_routes,
    record_routes,
)
from server.orglife.routes import blp

__all__ = ["blp"]
