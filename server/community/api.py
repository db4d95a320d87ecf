"""What the three double-registration blueprints share: their construction, the documented error
statuses, and a response whose status the service chooses."""
from flask import current_app

from server.extensions import Blueprint, ErrorSchema

ERRORS = {400: "Invalid or revoked registration code", 401: "Not signed in", 403: "Outside the caller's scope",
          404: "No such object", 409: "Conflicts with the current state (code names the reason)",
          422: "Invalid fields"}


def community_blueprint(name: str, description: str) -> Blueprint:
    return Blueprint(f"community_{name}", __name__, url_prefix="/api/v1", description=description)


def errors(blp: Blueprint, *codes):
    """Document the one error envelope for the given statuses."""
    def deco(fn):
        for code in codes:
            fn = blp.alt_response(code, schema=ErrorSchema, description=ERRORS[code])(fn)
        return fn
    return deco


def dump(schema, payload, status: int):
    """A JSON response with a status chosen by the service (201 created or 200 already there)."""
    return current_app.response_class(current_app.json.dumps(schema.dump(payload)), status=status,
                                      mimetype="application/json")
