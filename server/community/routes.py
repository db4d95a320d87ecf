"""The double-registration API, registered in the app factory as one blueprint.

Importing the route modules attaches their views to the blueprint (server.community.blueprint)."""
from server.community import routes_duties, routes_registrations, routes_reports  # noqa: F401
from server.community.blueprint import blp

__all__ = ["blp"]
