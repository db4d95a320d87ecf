"""Compact signed QR tokens: HMAC-SHA256 under a key derived per object and key version.

Layout (then base64url): purpose<<4 | flags, varint id, varint key_version, varint window,
16-byte truncated MAC. An event code with a 30-character base URL fits QR version 6 at level M.
"""
import base64
import hashlib
import hmac
from dataclasses import dataclass

PURPOSE_EVENT, PURPOSE_CARD, PURPOSE_COMMUNITY = 1, 2, 3
FLAG_OUT, FLAG_STATIC = 1, 2
MAC_BYTES = 16


class TokenError(ValueError):
    """The token is malformed, forged or altered."""


@dataclass(frozen=True)
class Token:
    purpose: int
    object_id: int
    key_version: int
    window: int
    direction: str  # "in" | "out"
    static: bool


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 35:
            raise TokenError("truncated")
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if not byte & 0x80:
            return value, pos


def derive_key(secret: str, purpose: int, object_id: int, key_version: int) -> bytes:
    """Per-object key: bumping key_version revokes every code signed with the old one."""
    msg = b"qiandao/qr/v1|%d|%d|%d" % (purpose, object_id, key_version)
    return hmac.new(secret.encode(), msg, hashlib.sha256).digest()


def sign(secret: str, tok: Token) -> str:
    flags = (FLAG_OUT if tok.direction == "out" else 0) | (FLAG_STATIC if tok.static else 0)
    body = bytes([tok.purpose << 4 | flags]) + _varint(tok.object_id) + _varint(tok.key_version) + _varint(tok.window)
    key = derive_key(secret, tok.purpose, tok.object_id, tok.key_version)
    mac = hmac.new(key, body, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(body + mac).rstrip(b"=").decode()


def parse(token: str) -> Token:
    """Decode without trusting: the caller must still call verify() with the key version."""
    if not token or len(token) > 80:
        raise TokenError("length")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError) as exc:
        raise TokenError("encoding") from exc
    if len(raw) < 4 + MAC_BYTES:
        raise TokenError("short")
    head = raw[0]
    object_id, pos = _read_varint(raw, 1)
    key_version, pos = _read_varint(raw, pos)
    window, pos = _read_varint(raw, pos)
    if len(raw) - pos != MAC_BYTES:
        raise TokenError("length")
    return Token(purpose=head >> 4, object_id=object_id, key_version=key_version, window=window,
                 direction="out" if head & FLAG_OUT else "in", static=bool(head & FLAG_STATIC))


def verify(secret: str, token: str, expected_purpose: int) -> Token:
    """Parse and check the MAC in constant time; raises TokenError on any mismatch."""
    tok = parse(token)
    if tok.purpose != expected_purpose:
        raise TokenError("purpose")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    body, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    key = derive_key(secret, tok.purpose, tok.object_id, tok.key_version)
    if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest()[:MAC_BYTES], mac):
        raise TokenError("signature")
    if sign(secret, tok) != token:  # reject non-canonical encodings of a valid body
        raise TokenError("encoding")
    return tok
