"""Calendar feed API: create, list and revoke one's private .ics URLs; the feed itself, by its token."""
from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth.permissions import login_required, require_user
from server.common.schemas import Id
from server.orglife import feeds
from server.orglife.routes import blp


class CalendarFeedCreateSchema(Schema):
    scope = fields.String(load_default="member", validate=validate.OneOf(("member", "branch")))
    org_id = Id(allow_none=True, metadata={"description": "scope branch: an organization you manage"})


class CalendarFeedSchema(Schema):
    id = fields.Integer()
    scope = fields.String()
    org_id = fields.Integer(allow_none=True)
    revoked = fields.Boolean()
    created_at = fields.String()
    token = fields.String(allow_none=True, metadata={"description": "shown once, when created"})
    url = fields.String(allow_none=True)
    webcal = fields.String(allow_none=True)


@blp.route("/orglife/feeds")
class Feeds(MethodView):
    decorators = [login_required]

    @blp.response(200, CalendarFeedSchema(many=True))
    def get(self):
        """My feed URLs (their tokens are shown only when created)."""
        return feeds.mine(require_user())

    @blp.arguments(CalendarFeedCreateSchema)
    @blp.response(201, CalendarFeedSchema)
    @blp.alt_response(403, description="scope branch: not an organizer of it, nor an admin")
    def post(self, body):
        """A new private subscription URL; the previous one of the same scope stops working (audited)."""
        return feeds.create(require_user(), body["scope"], body.get("org_id"))


@blp.route("/orglife/feeds/<int:feed_id>/revoke")
class FeedRevoke(MethodView):
    decorators = [login_required]

    @blp.response(200, CalendarFeedSchema)
    @blp.alt_response(404, description="Not one of your feeds")
    def post(self, feed_id):
        """Revoke a feed URL: its next fetch answers 404 (audited)."""
        return feeds.revoke(require_user(), feed_id)


@blp.route("/orglife/feeds/<string:token>.ics")
class Feed(MethodView):
    @blp.response(200, description="text/calendar: coming events with two reminders each")
    @blp.alt_response(404, description="Unknown, malformed or revoked token")
    def get(self, token):
        """The calendar itself, for a phone's calendar app (no sign-in: the token is the key)."""
        return Response(feeds.render(token), mimetype="text/calendar",
                        headers={"Cache-Control": "private, max-age=300", "Content-Disposition": "inline"})
