"""The request guards: body size and JSON shape before anything reads them, the strict CSP and headers
on every response, and cross-site request protection (same-origin Origin header and a session-bound token)."""
import hmac
import json
from urllib.parse import urlsplit

from flask import current_app, request, session

from server.common.errors import DomainError, Forbidden

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SAFE = ("GET", "HEAD", "OPTIONS")
MAX_JSON_DEPTH = 32  # our deepest body nests 4 levels
LARGE_BODY_PATHS = ("/api/v1/members/import",)
SESSION_STARTERS = ("/api/v1/auth/login", "/api/v1/auth/help")


def check_csrf() -> None:
    if request.method in SAFE or not request.path.startswith("/api/"):
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise Forbidden("csrf_failed", {"reason": "cross-site origin"})
    if request.path in SESSION_STARTERS or request.path.startswith("/api/v1/codes/") or "uid" not in session:
        return  # nothing to ride on without a session; starting one (sign-in, a code) is origin-checked
    sent = request.headers.get("X-CSRF-Token", "")
    if not hmac.compare_digest(sent.encode(), str(session.get("csrf", "")).encode()):
        raise Forbidden("csrf_failed", {"reason": "missing or wrong X-CSRF-Token header"})


class TooLarge(DomainError):
    status, default_code = 413, "too_large"


def _depth_and_text_ok(value) -> bool:
    """No nesting deeper than MAX_JSON_DEPTH and no lone surrogate (text a database cannot store)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def guard_body() -> None:
    """Before anything reads the body (the login throttle's key does): refuse one over the size
    limit (larger only for a roster upload) and JSON that would break the app further in."""
    large = request.path in LARGE_BODY_PATHS or (request.path.startswith("/api/v1/orglife/")
                                                 and request.path.endswith("/attachments"))  # meeting photos, PDFs
    limit = current_app.config["MAX_IMPORT_BYTES" if large else "MAX_BODY_BYTES"]
    request.max_content_length = limit  # also bounds a body sent without a length
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(details={"max_bytes": limit})
    if request.method in SAFE or not request.is_json or not request.path.startswith("/api/"):
        return
    data = request.get_data(cache=True)
    if not data or (data.count(b"[") + data.count(b"{") <= MAX_JSON_DEPTH and b"\\u" not in data):
        return  # cannot nest too deep, and no escape could spell a lone surrogate: the hot path skips a parse
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        raise DomainError("bad_json") from None
    if not _depth_and_text_ok(parsed):
        raise DomainError("bad_json", {"max_depth": MAX_JSON_DEPTH})


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
