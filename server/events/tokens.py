"""Issuing and judging event QR tokens: rotating windows and static codes."""
from calendar import timegm
from datetime import UTC, datetime

from flask import current_app

from server.common import qrtoken
from server.events.models import Event


def epoch(at: datetime) -> int:
    return timegm(at.timetuple())


def rotate_seconds() -> int:
    return int(current_app.config["QR_ROTATE_SECONDS"])


def issue(event: Event, direction: str, now: datetime) -> tuple[str, str, datetime]:
    """Return (token, url, expires_at) of the code to show now."""
    static = event.qr_mode == "static"
    period = rotate_seconds()
    window = 0 if static else epoch(now) // period
    tok = qrtoken.Token(qrtoken.PURPOSE_EVENT, event.id, event.key_version, window, direction, static)
    token = qrtoken.sign(current_app.config["SECRET_KEY"], tok)
    if static:
        expires = event.window_closes_at
    else:  # a code is accepted in its own window and the next one
        expires = datetime.fromtimestamp((window + 2) * period, UTC).replace(tzinfo=None)
    return token, f"{current_app.config['PUBLIC_BASE_URL']}/s/{token}", expires


def url_for_token(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{token}"


def window_ok(tok: qrtoken.Token, at: datetime, tolerance_s: int) -> bool:
    """A rotating code is good during its window and the next (current and previous accepted)."""
    if tok.static:
        return True
    period = rotate_seconds()
    t = epoch(at)
    return tok.window * period - tolerance_s <= t < (tok.window + 2) * period + tolerance_s

