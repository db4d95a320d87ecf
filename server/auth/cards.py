"""Member card QR: a static signed token naming a member and the card's version, scanned by an organizer to
check them in. Reissuing a card (a lost one) raises the member's card_version: the old card is refused."""
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from server.auth.models import User
from server.auth.permissions import can_manage_org, is_admin
from server.common import qrtoken
from server.common.errors import Conflict
from server.common.qrimage import png_bytes
from server.extensions import db

CARD_PATH = "/c/"


class CardRef(NamedTuple):
    member_id: int
    version: int


def current_version(user_id: int) -> int:
    return db.session.scalar(select(User.card_version).where(User.id == user_id)) or 1


def card_token(user_id: int, version: int | None = None) -> str:
    """The member's card token: static, window 0, the card's version as the token's key version."""
    version = current_version(user_id) if version is None else version
    tok = qrtoken.Token(qrtoken.PURPOSE_CARD, user_id, version, 0, "in", True)
    return qrtoken.sign(current_app.config["SECRET_KEY"], tok)


def card_url(user_id: int, version: int | None = None) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{CARD_PATH}{card_token(user_id, version)}"


def read_card(text: str) -> CardRef:
    """The member and card version of a card token (or of the whole scanned card URL); raises TokenError."""
    token = text.strip().rsplit(CARD_PATH, 1)[-1].strip("/") if CARD_PATH in text else text.strip()
    tok = qrtoken.verify(current_app.config["SECRET_KEY"], token, qrtoken.PURPOSE_CARD)
    if tok.key_version < 1 or not tok.static or tok.window != 0 or tok.direction != "in":
        raise qrtoken.TokenError("card")
    return CardRef(tok.object_id, tok.key_version)


def verify_card(text: str) -> int:
    """The member id of a card token; raises TokenError (see read_card for the version)."""
    return read_card(text).member_id


def check_current(member: User, card: CardRef) -> None:
    """A card of an older version was replaced (lost, reissued): refused, with the code that says so."""
    if card.version != member.card_version:
        raise Conflict("card_revoked", {"member_id": member.id, "card_version": card.version,
                                        "current_version": member.card_version})


def can_view_card(viewer: User, member: User) -> bool:
    """The member, admins, and organizers over the member's branch may print the card."""
    return viewer.id == member.id or is_admin(viewer) or can_manage_org(viewer, member.branch)


def card_png(member: User, box_size: int = 8) -> bytes:
    """PNG of the card URL (its current version), drawn like every other QR of the app."""
    return png_bytes(card_url(member.id, member.card_version), box_size)
