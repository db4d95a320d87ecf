"""POST /api/v1/scans: the hot path."""
from flask import current_app, g, request, session
from flask.views import MethodView

from server.auth.permissions import login_required, require_user
from server.common.errors import Unauthorized
from server.extensions import Blueprint, limiter
from server.scans import messages, reviews, services  # noqa: F401 - messages registers the package's texts
from server.scans.schemas import (
    HeldScansSchema,
    ReviewDecisionSchema,
    ReviewOutSchema,
    ScanInSchema,
    ScanOutSchema,
)

blp = Blueprint("scans", __name__, url_prefix="/api/v1", description="Check-in and check-out by QR")


@limiter.request_filter
def _counted_by_the_scan_service() -> bool:
    """Scans are throttled per member by the scan log (scans.services.RECENT), not by Flask-Limiter."""
    return request.endpoint == "scans.Scans"


@blp.route("/scans")
class Scans(MethodView):
    @blp.arguments(ScanInSchema)
    @blp.response(200, ScanOutSchema)
    @blp.alt_response(201, schema=ScanOutSchema, description="Checked in")
    @blp.alt_response(202, schema=ScanOutSchema, description="A delayed scan held for the organizer's review")
    @blp.alt_response(400, description="Invalid token")
    @blp.alt_response(403, description="Not eligible, or outside the geofence")
    @blp.alt_response(409, description="Not open, closed, cancelled, full, or not checked in")
    @blp.alt_response(410, description="Expired token")
    @blp.alt_response(422, description="Invalid fields, or location required")
    @blp.alt_response(429, description="Rate limited")
    def post(self, body):
        """Record one scan; resending the same client_scan_id returns the first answer."""
        loc = body.get("location") or {}
        req = services.ScanRequest(token=body["token"], client_scan_id=str(body["client_scan_id"]),
                                   scanned_at=body.get("scanned_at"), lat=loc.get("lat"), lng=loc.get("lng"),
                                   accuracy=loc.get("accuracy"), confirm_checkout=body["confirm_checkout"])
        uid = session.get("uid")
        if uid is None:
            raise Unauthorized()
        g.user_id = uid  # for the request log; the member row itself stays inside the service
        answer, status = services.submit(uid, session.get("epoch"), req, session_id=session.get("sid"))
        return current_app.response_class(current_app.json.dumps(answer), status=status,
                                          mimetype="application/json")


@blp.route("/events/<int:event_id>/held-scans")
class HeldScans(MethodView):
    decorators = [login_required]

    @blp.response(200, HeldScansSchema)
    @blp.alt_response(403, description="Not a manager of this event")
    @blp.alt_response(404, description="No such event")
    def get(self, event_id):
        """Delayed scans waiting for (or given) the organizer's decision, with delay and distance."""
        return {"items": reviews.held_scans(require_user(), event_id)}


@blp.route("/events/<int:event_id>/held-scans/<int:scan_id>")
class HeldScan(MethodView):
    decorators = [login_required]

    @blp.arguments(ReviewDecisionSchema)
    @blp.response(200, ReviewOutSchema)
    @blp.alt_response(403, description="Not a manager, or the member is not eligible")
    @blp.alt_response(404, description="No such event or held scan")
    @blp.alt_response(409, description="Already decided, or the event's state refuses the check-in")
    @blp.alt_response(422, description="Bad decision, or a refusal without a reason")
    def post(self, body, event_id, scan_id):
        """Accept a held scan (check in or out as of the scan's moment, with points) or refuse it."""
        return reviews.decide(require_user(), event_id, scan_id, body["decision"], body["reason"])
