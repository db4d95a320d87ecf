"""Sign in, sign out, who am I."""
import secrets

from flask import after_this_request, current_app, request, session
from flask.views import MethodView

from server.auth import devices, services
from server.auth.permissions import require_user
from server.auth.schemas import LoginSchema, MeSchema
from server.extensions import Blueprint, limiter

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in and the current user")


def _phone_key() -> str:
    body = request.get_json(silent=True)
    phone = str(body.get("phone", "") if isinstance(body, dict) else "")[:32]  # any JSON reaches here
    # Per phone for devices never signed in to it; a device that did has a counter of its own, so someone
    # else's failures never lock the owner out on their own phone.
    device = devices.known_device(phone)
    return f"login-device:{device}:{phone}" if device else "login-phone:" + phone


def _failed(response) -> bool:
    return response.status_code == 401


def me_payload(user) -> dict:
    return {**services.user_json(user), "csrf_token": session.get("csrf")}


def sign_in(user) -> dict:
    """A fresh session for this device (sign-in, activation, reset, password change); the device is known."""
    after_this_request(lambda response: devices.remember(response, user.phone))
    session.clear()
    session.permanent = True
    session.update(uid=user.id, epoch=user.session_epoch, csrf=secrets.token_urlsafe(24), sid=secrets.token_hex(16))
    return me_payload(user)


@blp.route("/auth/login")
class Login(MethodView):
    decorators = [
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PHONE"], key_func=_phone_key, deduct_when=_failed),
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ADDR"], deduct_when=_failed),
    ]

    @blp.arguments(LoginSchema)
    @blp.response(200, MeSchema)
    @blp.alt_response(401, description="Wrong phone or password")
    @blp.alt_response(403, description="The account is inactive")
    @blp.alt_response(429, description="Too many failed sign-ins for this phone or from this address")
    @blp.doc(security=[])
    def post(self, body):
        """Exchange phone and password for a long-lived session cookie."""
        return sign_in(services.authenticate(body["phone"], body["password"]))


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    @blp.doc(security=[])
    def post(self):
        """End the session on this device: its cookie is refused from now on, even if kept."""
        services.end_session(session.get("uid"), session.get("sid"))
        session.clear()


@blp.route("/auth/logout-all")
class LogoutAll(MethodView):
    @blp.response(204)
    @blp.alt_response(401, description="Not signed in")
    def post(self):
        """End every session of the signed-in user, on every device (this one included)."""
        services.end_all_sessions(require_user())
        session.clear()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in user, roles and scopes, and the CSRF token for changes."""
        user = require_user()
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        return me_payload(user)
