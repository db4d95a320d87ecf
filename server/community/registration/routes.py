"""Routes: the registration code, reporting in, decisions, and organization pairings."""
from functools import partial

from flask import current_app
from flask.views import MethodView

from server.auth.permissions import require_user
from server.common.qrimage import png_bytes, svg_bytes
from server.community.api import community_blueprint, dump, errors
from server.community.registration import pairings
from server.community.registration import services as registrations
from server.community.schemas import (
    AcceptSchema,
    DeclineSchema,
    PairingCreateSchema,
    PairingListArgs,
    QrArgs,
    ReasonSchema,
    RegistrationCreateSchema,
    RegistrationListArgs,
    TokenArgs,
)
from server.community.views import (
    MyRegistrationsSchema,
    PairingSchema,
    RegistrationCodeSchema,
    RegistrationPreviewSchema,
    RegistrationSchema,
)

blp = community_blueprint(
    "registration", "Double registration (双报到): members reporting in to a community, codes, pairings")
documented = partial(errors, blp)


@blp.route("/communities/<int:community_id>/registration-qr")
class RegistrationQr(MethodView):
    @blp.arguments(QrArgs, location="query")
    @blp.response(200, content_type="image/png", description=(
        "The registration QR (PNG; format=svg gives image/svg+xml) encoding {PUBLIC_BASE_URL}/r/{token}"))
    @documented(401, 403, 404)
    def get(self, args, community_id):
        """Registration QR image (报到二维码) to show or print; liaisons of the community and admins."""
        code = registrations.registration_code(require_user(), community_id)
        if args["format"] == "svg":
            body, mimetype = svg_bytes(code["url"]), "image/svg+xml"
        else:
            body, mimetype = png_bytes(code["url"], args["box_size"]), "image/png"
        resp = current_app.response_class(body, mimetype=mimetype)
        resp.headers["Cache-Control"] = "no-store"
        return resp


@blp.route("/communities/<int:community_id>/registration-code")
class RegistrationCode(MethodView):
    @blp.response(200, RegistrationCodeSchema)
    @documented(401, 403, 404)
    def get(self, community_id):
        """The registration code as data ({token, url, key_version}); liaisons of the community and admins."""
        return registrations.registration_code(require_user(), community_id)


@blp.route("/communities/<int:community_id>/registration-code/rotate")
class RotateRegistrationCode(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, RegistrationCodeSchema)
    @documented(401, 403, 404)
    def post(self, body, community_id):
        """Replace the registration code: every code printed before stops working (audited)."""
        return registrations.rotate_code(require_user(), community_id, body["reason"])


@blp.route("/community-registrations/preview")
class RegistrationPreview(MethodView):
    @blp.arguments(TokenArgs, location="query")
    @blp.response(200, RegistrationPreviewSchema)
    @documented(400, 401)
    def get(self, args):
        """Which community a scanned code belongs to, before the member confirms; any signed-in user."""
        return registrations.preview(require_user(), args["token"])


@blp.route("/community-registrations")
class Registrations(MethodView):
    @blp.arguments(RegistrationCreateSchema)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(200, schema=RegistrationSchema, description="The same request was already waiting")
    @documented(400, 401, 409, 422)
    def post(self, body):
        """Report in (报到) with the token of a scanned registration code; any signed-in member.

        Files a pending request (a request still waiting at another community is replaced).
        409 registration_already_registered when already registered there."""
        payload, status = registrations.submit(require_user(), body["token"], body["note"])
        return dump(RegistrationSchema(), payload, status)


@blp.route("/community-registrations/mine")
class MyRegistrations(MethodView):
    @blp.response(200, MyRegistrationsSchema)
    @documented(401)
    def get(self):
        """The member's community now, the current registration with its receipt (回执), and the history."""
        return registrations.mine(require_user())


@blp.route("/community-registrations/<int:registration_id>")
class Registration(MethodView):
    @blp.response(200, RegistrationSchema)
    @documented(401, 403, 404)
    def get(self, registration_id):
        """One registration: the member's own, or any of a liaison's community."""
        return registrations.get(require_user(), registration_id)


@blp.route("/community-registrations/<int:registration_id>/accept")
class AcceptRegistration(MethodView):
    @blp.arguments(AcceptSchema)
    @blp.response(200, RegistrationSchema)
    @documented(401, 403, 404, 409)
    def post(self, body, registration_id):
        """Accept a pending request (liaison of the community, admin): the member is registered here,
        any earlier registration ends (moving), a receipt is issued; audited."""
        return registrations.accept(require_user(), registration_id, body["message"])


@blp.route("/community-registrations/<int:registration_id>/decline")
class DeclineRegistration(MethodView):
    @blp.arguments(DeclineSchema)
    @blp.response(200, RegistrationSchema)
    @documented(401, 403, 404, 409, 422)
    def post(self, body, registration_id):
        """Decline a pending request with a reason (liaison of the community, admin); audited."""
        return registrations.decline(require_user(), registration_id, body["reason"])


@blp.route("/community-registrations/<int:registration_id>/end")
class EndRegistration(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, RegistrationSchema)
    @documented(401, 403, 404, 409)
    def post(self, body, registration_id):
        """End a current registration or withdraw a waiting request: the member, or the community's liaison."""
        return registrations.end(require_user(), registration_id, body["reason"])


@blp.route("/communities/<int:community_id>/registrations")
class CommunityRegistrations(MethodView):
    @blp.arguments(RegistrationListArgs, location="query")
    @blp.response(200, RegistrationSchema(many=True))
    @documented(401, 403, 404)
    def get(self, args, community_id):
        """Requests and registrations of the community, newest first (status=pending for the queue)."""
        return registrations.for_community(require_user(), community_id, args.get("status"))


@blp.route("/community-pairings")
class Pairings(MethodView):
    @blp.arguments(PairingListArgs, location="query")
    @blp.response(200, PairingSchema(many=True))
    @documented(401, 403)
    def get(self, args):
        """Organization ↔ partner community pairings: admins all, organizers their subtree, liaisons theirs."""
        return pairings.listing(require_user(), args.get("organization_id"), args.get("community_id"),
                                args["include_ended"])

    @blp.arguments(PairingCreateSchema)
    @blp.response(201, PairingSchema)
    @documented(401, 403, 404, 409)
    def post(self, body):
        """Pair an organization with a partner community (admin); its current pairing ends; audited."""
        return pairings.create(require_user(), body["organization_id"], body["community_id"], body["note"])


@blp.route("/community-pairings/<int:pairing_id>/end")
class EndPairing(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, PairingSchema)
    @documented(401, 403, 404, 409)
    def post(self, body, pairing_id):
        """End a pairing (admin); audited."""
        return pairings.end(require_user(), pairing_id, body["reason"])
