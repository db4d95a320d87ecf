"""Member card QR: a static signed token naming a member, scanned by an organizer to check them in."""
from flask import current_app

from server.auth.models import User
from server.auth.permissions import can_manage_org, is_admin
from server.common import qrtoken
from server.common.qrimage import png_bytes

CARD_KEY_VERSION = 1  # cards are printed once; the token only identifies, managers still decide
CARD_PATH = "/c/"


def card_token(user_id: int) -> str:
    """The member's card token: static, window 0, so the printed card never expires."""
    tok = qrtoken.Token(qrtoken.PURPOSE_CARD, user_id, CARD_KEY_VERSION, 0, "in", True)
    return qrtoken.sign(current_app.config["SECRET_KEY"], tok)


def card_url(user_id: int) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{CARD_PATH}{card_token(user_id)}"


def verify_card(text: str) -> int:
    """Return the member id of a card token (or of the whole scanned card URL); raises TokenError."""
    token = text.strip().rsplit(CARD_PATH, 1)[-1].strip("/") if CARD_PATH in text else text.strip()
    tok = qrtoken.verify(current_app.config["SECRET_KEY"], token, qrtoken.PURPOSE_CARD)
    if tok.key_version != CARD_KEY_VERSION or not tok.static or tok.window != 0 or tok.direction != "in":
        raise qrtoken.TokenError("card")
    return tok.object_id


def can_view_card(viewer: User, member: User) -> bool:
    """The member, admins, and organizers over the member's branch may print the card."""
    return viewer.id == member.id or is_admin(viewer) or can_manage_org(viewer, member.branch)


def card_png(user_id: int, box_size: int = 8) -> bytes:
    """PNG of the card URL, drawn like every other QR of the app."""
    return png_bytes(card_url(user_id), box_size)
