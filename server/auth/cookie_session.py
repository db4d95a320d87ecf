"""The signed session cookie, re-signed at most once a day instead of on every response.

Flask re-signs a permanent session on every request to slide its expiry; for a 180-day session
that is an HMAC and a Set-Cookie per scan for nothing. Here the cookie's own signing time decides:
it is sent again when the session changed or when it was signed more than a day ago.
The lifetime is still enforced where it counts: a cookie older than the lifetime does not load.
"""
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER_S = 86400


class DailyRefreshSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at.timestamp() > REFRESH_AFTER_S  # itsdangerous' clock
