"""Member card QR: signed static tokens, the PNG, and who may fetch it."""
import pytest

from server.auth import cards
from server.common import qrtoken
from tests.qrdecode import decode_png
from tests.support import SECRET


def decode(png: bytes) -> str:
    return decode_png(png)


def test_card_token_round_trip_and_refusals(app):
    with app.app_context():
        token = cards.card_token(42)
        assert cards.verify_card(token) == 42
        assert cards.verify_card(cards.card_url(42)) == 42 and cards.card_url(42).endswith("/c/" + token)
        bad = [
            token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            qrtoken.sign("another-secret", qrtoken.Token(qrtoken.PURPOSE_CARD, 42, 1, 0, "in", True)),
            qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_EVENT, 42, 1, 0, "in", True)),
            qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_CARD, 42, 0, 0, "in", True)),
            qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_CARD, 42, 1, 7, "in", False)),
            "", "garbage",
        ]
        for text in bad:
            with pytest.raises(qrtoken.TokenError):
                cards.verify_card(text)
        # the version is the card's: a well-formed card of another version reads, and is judged by its holder
        later = qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_CARD, 42, 2, 0, "in", True))
        assert cards.read_card(later) == cards.CardRef(42, 2)


def test_card_png_encodes_the_card_url(world, login, app):
    resp = login(world.phones.a1).get(f"/api/v1/members/{world.ids.a1}/card.png")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert "private" in resp.headers["Cache-Control"]
    with app.app_context():
        assert decode(resp.data) == cards.card_url(world.ids.a1)


def test_card_is_not_an_event_code(world, login, scan, app):
    with app.app_context():
        token = cards.card_token(world.ids.a1)
    resp = scan(world.phones.a1, token)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("who, whose, status", [
    ("a1", "a1", 200), ("a2", "a1", 403), ("admin", "a1", 200), ("org_a", "a1", 200), ("org_general", "a1", 200),
    ("org_b", "a1", 403), ("liaison1", "a1", 403), ("liaison2", "b1", 403), ("org_b", "b1", 200),
    ("admin", None, 404), ("org_a", None, 403),
])
def test_card_png_access(world, login, who, whose, status):
    member_id = getattr(world.ids, whose) if whose else 999999
    resp = login(getattr(world.phones, who)).get(f"/api/v1/members/{member_id}/card.png")
    assert resp.status_code == status
    if status != 200:
        assert resp.get_json()["error"]["code"] == ("not_found" if status == 404 else "forbidden")


def test_card_png_signed_out(world, anon):
    resp = anon.get(f"/api/v1/members/{world.ids.a1}/card.png")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_a_reissued_card_refuses_the_old_one(world, login, make_event, q, ctx):
    """A lost card is replaced: the old card checks nobody in (card_revoked), the new one does; audited."""
    from server.common.audit import AuditLog
    from server.extensions import db
    from tests import objects
    org, member = login(world.phones.org_a), login(world.phones.a1)
    with ctx():
        old = objects.card_token(world.ids.a1)
    assert member.post(f"/api/v1/members/{world.ids.a2}/card/reissue", json={"reason": "丢失"}).status_code == 403
    assert member.post(f"/api/v1/members/{world.ids.a1}/card/reissue", json={"reason": ""}).status_code == 422
    reissued = member.post(f"/api/v1/members/{world.ids.a1}/card/reissue", json={"reason": "会员卡丢失"})
    assert reissued.status_code == 200 and reissued.get_json()["card_version"] == 2
    new = reissued.get_json()["card_url"].rsplit("/c/", 1)[1]
    eid = make_event("party_day")
    refused = org.post(f"/api/v1/events/{eid}/attendance", json={"card_token": old, "reason": "刷卡"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "card_revoked"
    assert "作废" in refused.get_json()["error"]["message"]
    assert org.get(f"/api/v1/cards/{old}").get_json()["error"]["code"] == "card_revoked"
    assert q("select count(*) from attendance")[0][0] == 0
    assert org.get(f"/api/v1/cards/{new}").status_code == 200
    ok = org.post(f"/api/v1/events/{eid}/attendance", json={"card_token": new, "reason": "刷卡"})
    assert ok.status_code == 201 and ok.get_json()["attendance"]["checkin_method"] == "card"
    assert decode(member.get(f"/api/v1/members/{world.ids.a1}/card.png").data).endswith("/c/" + new)
    with ctx():
        [entry] = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "card.reissue")).all()
        assert (entry.before, entry.after, entry.reason) == ({"card_version": 1}, {"card_version": 2}, "会员卡丢失")
