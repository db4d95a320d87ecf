"""Events API: list, create, read, change, cancel, rotate the key, and the QR code to show now."""
from flask import Response
from flask.views import MethodView

from server.auth.permissions import login_required, require_user
from server.auth.scope import Scope, scope_of
from server.common import qrimage as qr
from server.common.timeutil import utcnow
from server.events import services
from server.events.schemas import (
    CancelSchema,
    EventCreateSchema,
    EventListArgs,
    EventPageSchema,
    EventPatchSchema,
    EventSchema,
    QrImageArgs,
    QrTokenArgs,
    QrTokenSchema,
    RotateKeySchema,
)
from server.extensions import Blueprint

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Events and their QR codes")
NO_STORE = {"Cache-Control": "no-store"}
IMAGE_DOC = {"responses": {"200": {"description": "The QR image of the code to show now", "content": {
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/svg+xml": {"schema": {"type": "string"}}}}}}


def _scope() -> Scope:
    return scope_of(require_user())


@blp.route("/events")
class Events(MethodView):
    decorators = [login_required]  # before body parsing: signed-out callers get 401, not 422

    @blp.arguments(EventListArgs, location="query")
    @blp.response(200, EventPageSchema)
    def get(self, args):
        """Events this user may see, ordered by start; managers also see drafts and cancelled ones."""
        page, page_size = args.pop("page"), args.pop("page_size")
        return services.list_events(_scope(), args, page, page_size, utcnow())

    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventSchema)
    @blp.alt_response(403, description="Not an organizer or liaison of the host")
    @blp.alt_response(422, description="Invalid fields")
    def post(self, body):
        """Create an event; times with an offset, coordinates WGS-84 or GCJ-02 (coord_system)."""
        scope = _scope()
        return services.event_view(services.create_event(scope, body), scope)


@blp.route("/events/<int:event_id>")
class EventItem(MethodView):
    decorators = [login_required]

    @blp.response(200, EventSchema)
    @blp.alt_response(404, description="No such event, or not visible to this user")
    def get(self, event_id):
        """One event, if this user may see it."""
        scope = _scope()
        return services.event_view(services.visible_event(scope, event_id), scope)

    @blp.arguments(EventPatchSchema)
    @blp.response(200, EventSchema)
    @blp.alt_response(403, description="Visible but not managed by this user")
    @blp.alt_response(404, description="No such event, or not visible to this user")
    @blp.alt_response(409, description="The event is cancelled")
    @blp.alt_response(422, description="Invalid fields")
    def patch(self, body, event_id):
        """Change the named fields; changing the times moves the check-in window with them."""
        scope = _scope()
        return services.event_view(services.update_event(scope, event_id, body), scope)


@blp.route("/events/<int:event_id>/cancel")
class EventCancel(MethodView):
    decorators = [login_required]

    @blp.arguments(CancelSchema)
    @blp.response(200, EventSchema)
    @blp.alt_response(403, description="Visible but not managed by this user")
    @blp.alt_response(409, description="Already cancelled or closed")
    def post(self, body, event_id):
        """Cancel with a reason (audited); scans are then refused with `cancelled`."""
        scope = _scope()
        return services.event_view(services.cancel_event(scope, event_id, body["reason"]), scope)


@blp.route("/events/<int:event_id>/rotate-key")
class EventRotateKey(MethodView):
    decorators = [login_required]

    @blp.arguments(RotateKeySchema, required=False)
    @blp.response(200, EventSchema)
    @blp.alt_response(403, description="Visible but not managed by this user")
    def post(self, body, event_id):
        """Revoke every code shown or printed so far (audited); new codes use the next key."""
        scope = _scope()
        return services.event_view(services.rotate_key(scope, event_id, body.get("reason", "")), scope)


@blp.route("/events/<int:event_id>/qr-token")
class EventQrToken(MethodView):
    decorators = [login_required]

    @blp.arguments(QrTokenArgs, location="query")
    @blp.response(200, QrTokenSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
    @blp.alt_response(403, description="Visible but not managed by this user")
    @blp.alt_response(409, description="Draft or cancelled event")
    @blp.alt_response(422, description="direction=out for an event without check-out")
    def get(self, args, event_id):
        """The current token and URL, for a screen that redraws itself after refresh_in_seconds."""
        return services.current_code(_scope(), event_id, args["direction"], utcnow()), 200, NO_STORE


@blp.route("/events/<int:event_id>/qr")
class EventQrImage(MethodView):
    decorators = [login_required]

    @blp.arguments(QrImageArgs, location="query")
    @blp.doc(**IMAGE_DOC)
    @blp.alt_response(403, description="Visible but not managed by this user")
    @blp.alt_response(409, description="Draft or cancelled event")
    @blp.alt_response(422, description="direction=out for an event without check-out")
    def get(self, args, event_id):
        """The image of the code to show now (level M, quiet zone 4); never cached."""
        url = services.image_url(_scope(), event_id, args["direction"], utcnow(), args["token"])
        if args["format"] == "svg":
            return Response(qr.svg_bytes(url), mimetype="image/svg+xml", headers=NO_STORE)
        return Response(qr.png_bytes(url, qr.box_size_for(url, args["size"])), mimetype="image/png", headers=NO_STORE)
