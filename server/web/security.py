"""The browser-facing guards: the strict CSP and headers on every response, and cross-site request
protection (same-origin Origin header and a session-bound token)."""
import hmac
from urllib.parse import urlsplit

from flask import request, session

from server.common.errors import Forbidden

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SAFE = ("GET", "HEAD", "OPTIONS")


def check_csrf() -> None:
    if request.method in SAFE or not request.path.startswith("/api/"):
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise Forbidden("csrf_failed", {"reason": "cross-site origin"})
    if request.path == "/api/v1/auth/login" or "uid" not in session:
        return  # nothing to ride on without a session; login itself is origin-checked
    sent = request.headers.get("X-CSRF-Token", "")
    if not hmac.compare_digest(sent.encode(), str(session.get("csrf", "")).encode()):
        raise Forbidden("csrf_failed", {"reason": "missing or wrong X-CSRF-Token header"})


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
