"""A device that has signed in to an account before keeps its own sign-in throttle: someone else's
failures against a phone lock out new devices for that phone, never the owner's phone that signed in
before (OWASP's "device cookie"). The cookie is signed with the app's secret and names the device and the
accounts (as keyed hashes of their phones) that signed in on it; it grants nothing but its own counter."""
import hashlib
import hmac
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "qiandao_device"
MAX_ACCOUNTS = 5
MAX_AGE_S = 365 * 86400


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def _tag(phone: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"device:" + phone.encode(), hashlib.sha256).hexdigest()[:16]


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 1024:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("p"), list) else None


def known_device(phone: str) -> str | None:
    """This device's id when the account of `phone` signed in on it before, else None."""
    data = _read()
    if data is None:
        return None
    tag = _tag(phone)
    return str(data.get("d")) if any(hmac.compare_digest(tag, str(t)) for t in data["p"]) else None


def remember(response, phone: str):
    """After a successful sign-in: this device is known for this account from now on."""
    data = _read() or {"d": secrets.token_hex(8), "p": []}
    tags = [t for t in data["p"] if t != _tag(phone)][-(MAX_ACCOUNTS - 1):] + [_tag(phone)]
    response.set_cookie(COOKIE, _serializer().dumps({"d": data["d"], "p": tags}), max_age=MAX_AGE_S,
                        httponly=True, samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
