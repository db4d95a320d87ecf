"""Getting in and managing one's account: one-time codes (public, throttled), staff issuing them, my account."""
from flask import Response, current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from server.auth import account, codes, onboarding
from server.auth.permissions import login_required, managed_member, require_user
from server.auth.routes import sign_in
from server.auth.schemas import MeSchema
from server.common.errors import NotFound
from server.common.fields import between
from server.common.i18n import message
from server.common.qrimage import png_bytes
from server.common.schemas import Id
from server.extensions import Blueprint, limiter

blp = Blueprint("accounts", __name__, url_prefix="/api/v1",
                description="Activation slips, join QR, reset codes, and my account")

PASSWORD = validate.Length(min=8, max=128, error="密码需 8–128 个字符 / the password must be 8 to 128 characters")


def _failed(response) -> bool:
    return response.status_code in (404, 409, 422)


def _code_key() -> str:
    return "code:" + (codes.normalize(request.view_args.get("code", "")) or "malformed")


def _help_key() -> str:
    body = request.get_json(silent=True)
    return "help:" + str(body.get("phone", "") if isinstance(body, dict) else "")[:32]


CODE_LIMITS = [
    limiter.limit(lambda: current_app.config["CODE_RATE_LIMIT_ADDR"], deduct_when=_failed),
    limiter.limit(lambda: current_app.config["CODE_RATE_LIMIT_CODE"], key_func=_code_key, deduct_when=_failed),
]


class RedeemSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=5, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=PASSWORD, load_only=True)


class HelpSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=5, max=32))


class SlipsSchema(Schema):
    days = fields.Integer(load_default=14, strict=True, validate=between(1, 60, "有效天数", " 天", " days"))
    member_ids = fields.List(Id(strict=True), load_default=None,
                             validate=validate.Length(max=5000),
                             metadata={"description": "reprint these members' slips (default: all not activated)"})


class JoinSchema(Schema):
    hours = fields.Integer(load_default=4, strict=True, validate=between(1, 72, "有效小时数", " 小时", " hours"))


class PasswordSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    new_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class PhoneSchema(Schema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    phone = fields.String(required=True, validate=validate.Length(min=5, max=32))


# ---------------------------------------------------------------- public: the member with a code

@blp.route("/codes/<code>")
class Code(MethodView):
    decorators = CODE_LIMITS

    @blp.response(200)
    @blp.alt_response(404, description="No such code (mistyped, altered or guessed): code_unknown")
    @blp.alt_response(409, description="code_spent, code_expired or code_replaced")
    @blp.alt_response(429, description="Too many failed tries from this address or on this code")
    @blp.doc(security=[])
    def get(self, code):
        """What a code is for (activation, reset or a branch's join QR), before the member types anything."""
        return codes.describe(code)


@blp.route("/codes/<code>/redeem")
class Redeem(MethodView):
    decorators = CODE_LIMITS

    @blp.arguments(RedeemSchema)
    @blp.response(200, MeSchema)
    @blp.alt_response(403, description="The account is inactive")
    @blp.alt_response(404, description="No such code: code_unknown")
    @blp.alt_response(409, description="code_spent, code_expired, code_replaced, account_already_active")
    @blp.alt_response(422, description="Phone and name do not match the roster (code_holder_mismatch)")
    @blp.alt_response(429, description="Too many failed tries from this address or on this code")
    @blp.doc(security=[])
    def post(self, body, code):
        """Confirm phone and name as on the roster and set a password: the member is signed in here and
        every other session of theirs ends."""
        return sign_in(codes.redeem(code, body["phone"], body["name"], body["password"]))


@blp.route("/codes/<code>/qr.png")
class CodeQR(MethodView):
    @blp.response(200, content_type="image/png")
    @blp.alt_response(404, description="Not a well-formed code")
    @blp.doc(security=[])
    def get(self, code):
        """The QR of a code's link, for a slip or a screen; drawn from the code alone (nothing is looked up)."""
        value = codes.normalize(code)
        if value is None:
            raise NotFound("code_unknown")
        return Response(png_bytes(codes.code_url(value), 8), mimetype="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})


@blp.route("/auth/help")
class Help(MethodView):
    decorators = [limiter.limit(lambda: current_app.config["HELP_RATE_LIMIT_ADDR"]),
                  limiter.limit(lambda: current_app.config["HELP_RATE_LIMIT_PHONE"], key_func=_help_key)]

    @blp.arguments(HelpSchema)
    @blp.response(202)
    @blp.alt_response(429, description="Too many requests from this address")
    @blp.doc(security=[])
    def post(self, body):
        """"I forgot my password": the branch's organizer sees the request; the answer never says whether
        the phone is on the roster."""
        onboarding.ask_help(body["phone"])
        return {"message": message("help_received")}


# ---------------------------------------------------------------- staff issuing codes

@blp.route("/organizations/<int:org_id>/activation-slips")
class Slips(MethodView):
    decorators = [login_required]

    @blp.arguments(SlipsSchema)
    @blp.response(201)
    @blp.alt_response(403, description="Not an organizer over this organization, nor an admin")
    @blp.alt_response(404, description="No such organization, or a member_id not in it")
    def post(self, body, org_id):
        """Activation slips for the organization's members not yet activated (or those named): one code each,
        shown in this answer only; earlier slips of the same members stop working."""
        return onboarding.issue_slips(require_user(), org_id, body["days"], body["member_ids"])


@blp.route("/organizations/<int:org_id>/activation")
class ActivationStatus(MethodView):
    decorators = [login_required]

    @blp.response(200)
    @blp.alt_response(403, description="Not an organizer over this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def get(self, org_id):
        """How many members have activated, and who has not yet."""
        return onboarding.activation_status(require_user(), org_id)


@blp.route("/organizations/<int:org_id>/join-code")
class JoinCode(MethodView):
    decorators = [login_required]

    @blp.arguments(JoinSchema)
    @blp.response(201)
    @blp.alt_response(403, description="Not an organizer over this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def post(self, body, org_id):
        """A join QR for a screen (valid `hours`): members of the branch activate by phone and name."""
        return onboarding.issue_join(require_user(), org_id, body["hours"])

    @blp.response(204)
    @blp.alt_response(403, description="Not an organizer over this organization, nor an admin")
    @blp.alt_response(404, description="No such organization")
    def delete(self, org_id):
        """Stop the join QR now."""
        onboarding.end_join(require_user(), org_id)


@blp.route("/members/<int:member_id>/reset-code")
class ResetCode(MethodView):
    decorators = [login_required]

    @blp.response(201)
    @blp.alt_response(403, description="Not a manager of this member")
    @blp.alt_response(404, description="No such member")
    def post(self, member_id):
        """A one-time reset code (24 h), shown once to the staff member unless a sender delivered it."""
        actor = require_user()
        return onboarding.issue_reset(actor, managed_member(actor, member_id))


@blp.route("/password-help")
class HelpRequests(MethodView):
    decorators = [login_required]

    @blp.response(200)
    @blp.alt_response(403, description="Not an organizer or admin")
    def get(self):
        """Members of my organizations who asked for a reset, oldest first."""
        return onboarding.help_requests(require_user())


# ---------------------------------------------------------------- my account

def _user_key() -> str:
    return f"account:{require_user().id}"


# Wrong current passwords count like failed sign-ins: a borrowed phone cannot guess its owner's password.
PASSWORD_LIMIT = limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PHONE"], key_func=_user_key,
                               deduct_when=lambda response: response.status_code == 422)

@blp.route("/account")
class Account(MethodView):
    decorators = [login_required]

    @blp.response(200)
    def get(self):
        """My name, branch, community, phone and card version."""
        return account.account(require_user())


@blp.route("/account/password")
class Password(MethodView):
    decorators = [PASSWORD_LIMIT, login_required]

    @blp.arguments(PasswordSchema)
    @blp.response(200, MeSchema)
    @blp.alt_response(422, description="current_password_wrong, or the new one too short")
    @blp.alt_response(429, description="Too many wrong current passwords")
    def post(self, body):
        """Change my password: this device stays signed in, every other one is signed out."""
        return sign_in(account.change_password(require_user(), body["current_password"], body["new_password"]))


@blp.route("/account/phone")
class Phone(MethodView):
    decorators = [PASSWORD_LIMIT, login_required]

    @blp.arguments(PhoneSchema)
    @blp.response(200)
    @blp.alt_response(409, description="Another account uses this phone (phone_taken)")
    @blp.alt_response(422, description="current_password_wrong, or not a mobile number")
    @blp.alt_response(429, description="Too many wrong current passwords")
    def post(self, body):
        """Change my phone number (the sign-in name); needs my password."""
        return account.change_phone(require_user(), body["password"], body["phone"])
