"""QR images decoded by a real decoder, the size promise, and revocation by key rotation."""
import io
import random
import re
import string
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import numpy as np
import pytest
import qrcode
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from server.common import qrimage as qr
from server.common import qrtoken
from server.common.timeutil import utcnow
from server.events import tokens
from tests import qrdecode
from tests.support import SECRET, instant

API = "/api/v1/events"


def decode_png(data: bytes) -> tuple[str, np.ndarray]:
    image = qrdecode.png_image(data)
    return qrdecode.decode_image(image), image


def post_scan(client, token):
    return client.post("/api/v1/scans", json={"token": token, "client_scan_id": str(uuid.uuid4())})


def test_png_decodes_to_the_scan_url_which_checks_in(world, login, make_event, app):
    eid = make_event("volunteer_service")
    resp = login(world.phones.org_a).get(f"{API}/{eid}/qr?direction=in&format=png&size=400")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Cache-Control"] == "no-store"
    url, image = decode_png(resp.data)
    assert image.shape[0] == image.shape[1] <= 400
    base = app.config["PUBLIC_BASE_URL"] + "/s/"
    assert url.startswith(base), url
    token = url[len(base):]
    assert qrtoken.parse(token).object_id == eid
    member = login(world.phones.a1)
    first = post_scan(member, token)
    assert first.status_code == 201 and first.get_json()["outcome"] == "checked_in"


def test_image_draws_the_screens_token_across_a_window_turn(world, login, make_event, app):
    """A screen that fetched its token just before the window turned gets that token drawn, not the next one."""
    eid, other = make_event("volunteer_service"), make_event("volunteer_service")
    org = login(world.phones.org_a)
    current = qrtoken.parse(org.get(f"{API}/{eid}/qr-token").get_json()["token"])

    def drawn(token):
        url, _ = decode_png(org.get(f"{API}/{eid}/qr", query_string={"size": 300, "token": token}).data)
        return url.rsplit("/s/", 1)[1]

    def signed(**change):
        fields = {"purpose": current.purpose, "object_id": current.object_id, "key_version": current.key_version,
                  "window": current.window, "direction": current.direction, "static": current.static, **change}
        return qrtoken.sign(SECRET, qrtoken.Token(**fields))

    previous = signed(window=current.window - 1)
    assert drawn(previous) == previous  # still accepted by scans: the screen's own code is drawn
    assert post_scan(login(world.phones.a1), previous).status_code == 201
    for refused in (signed(window=current.window - 2), signed(window=current.window + 1), signed(object_id=other),
                    signed(key_version=current.key_version + 1), signed(window=current.window - 1, direction="out"),
                    "not-a-token"):
        shown = drawn(refused)  # too old, ahead, or not this code: the current one instead
        assert shown != refused and qrtoken.parse(shown).object_id == eid
        assert qrtoken.parse(shown).window >= current.window and qrtoken.parse(shown).direction == "in"


def test_out_code_decodes_to_a_check_out(world, login, make_event, app):
    eid = make_event("volunteer_service", start_in=timedelta(hours=-1))
    org, member = login(world.phones.org_a), login(world.phones.a2)
    url, _ = decode_png(org.get(f"{API}/{eid}/qr?size=300").data)
    assert post_scan(member, url.rsplit("/s/", 1)[1]).status_code == 201
    url, _ = decode_png(org.get(f"{API}/{eid}/qr?direction=out&size=300").data)
    token = url.rsplit("/s/", 1)[1]
    assert qrtoken.parse(token).direction == "out"
    out = post_scan(member, token)
    assert out.status_code == 200 and out.get_json()["outcome"] == "checked_out"


def test_worst_case_url_fits_version_6_at_level_m(app):
    base = "https://qiandao.volunteer-service.gov.cn"  # a long real-world host: 40 characters
    assert len(base) == 40
    window = tokens.epoch(utcnow()) // app.config["QR_ROTATE_SECONDS"]
    for event_id, key_version, direction, static in ((1, 1, "in", False), (2_000_000, 500, "out", False),
                                                     (2_000_000, 500, "out", True)):
        token = qrtoken.sign(SECRET, qrtoken.Token(qrtoken.PURPOSE_EVENT, event_id, key_version,
                                                   0 if static else window, direction, static))
        url = f"{base}/s/{token}"
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
        code.add_data(url)
        code.make(fit=True)
        assert code.version <= 6, (url, code.version)
        assert qr.version_of(url) == code.version


def test_screen_token_is_what_the_image_shows(world, login, make_event, app):
    eid = make_event("volunteer_service")
    org = login(world.phones.org_a)
    resp = org.get(f"{API}/{eid}/qr-token?direction=in")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert set(body) == {"token", "url", "expires_at", "refresh_in_seconds"}
    assert body["url"] == f"{app.config['PUBLIC_BASE_URL']}/s/{body['token']}"
    period = app.config["QR_ROTATE_SECONDS"]
    assert 1 <= body["refresh_in_seconds"] <= period
    assert timedelta(seconds=period) < instant(body["expires_at"]) - utcnow() <= timedelta(seconds=2 * period)
    url, _ = decode_png(org.get(f"{API}/{eid}/qr").data)
    assert url.rsplit("/s/", 1)[1] in (body["token"], org.get(f"{API}/{eid}/qr-token").get_json()["token"])


def test_static_code_lives_until_the_window_closes(world, login, make_event):
    eid = make_event("volunteer_service", qr_mode="static")
    org = login(world.phones.org_a)
    body = org.get(f"{API}/{eid}/qr-token").get_json()
    assert body["expires_at"] == org.get(f"{API}/{eid}").get_json()["window_closes_at"]
    assert body["refresh_in_seconds"] == 60
    assert org.get(f"{API}/{eid}/qr-token").get_json()["token"] == body["token"]


def test_svg_is_xml_with_path_data(world, login, make_event):
    eid = make_event("volunteer_service")
    resp = login(world.phones.org_general).get(f"{API}/{eid}/qr?format=svg")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert resp.headers["Cache-Control"] == "no-store"
    root = ET.fromstring(resp.data)  # noqa: S314 (our own output, not untrusted input)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1 and paths[0].get("d", "").startswith("M")


def test_a_code_from_before_rotate_key_is_refused(world, login, make_event):
    eid = make_event("volunteer_service")
    org = login(world.phones.org_a)
    old_url, _ = decode_png(org.get(f"{API}/{eid}/qr").data)
    assert org.post(f"{API}/{eid}/rotate-key", json={"reason": "照片被转发"}).status_code == 200
    member = login(world.phones.a1)
    refused = post_scan(member, old_url.rsplit("/s/", 1)[1])
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "invalid_token"
    new_url, _ = decode_png(org.get(f"{API}/{eid}/qr").data)
    assert new_url != old_url and post_scan(member, new_url.rsplit("/s/", 1)[1]).status_code == 201


@pytest.mark.parametrize("who, status", [("a1", 403), ("b1", 403), ("org_b", 403), ("liaison1", 403),
                                         ("org_general", 200), ("admin", 200)])
def test_only_managers_get_codes(world, login, make_event, who, status):
    eid = make_event("volunteer_service")  # open audience: everyone sees it, managers alone show it
    client = login(getattr(world.phones, who))
    assert client.get(f"{API}/{eid}/qr").status_code == status
    assert client.get(f"{API}/{eid}/qr-token").status_code == status


def test_code_refusals(world, login, make_event, anon):
    org = login(world.phones.org_a)
    party = make_event("party_day")
    resp = org.get(f"{API}/{party}/qr?direction=out")
    assert resp.status_code == 422 and "direction" in resp.get_json()["error"]["details"]["fields"]["query"]
    assert org.get(f"{API}/{party}/qr-token?direction=out").status_code == 422
    for status in ("draft", "cancelled"):
        eid = make_event("volunteer_service", status=status)
        for path in ("qr", "qr-token"):
            resp = org.get(f"{API}/{eid}/{path}")
            assert resp.status_code == 409 and resp.get_json()["error"]["details"]["status"] == status
    hidden = make_event("party_day", host_org_id=world.branch_b_id)
    assert login(world.phones.a1).get(f"{API}/{hidden}/qr").status_code == 404
    assert anon.get(f"{API}/{party}/qr").status_code == 401
    bad = org.get(f"{API}/{party}/qr?format=gif&size=5&direction=sideways")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]["fields"]["query"]) == {"format", "size", "direction"}


def test_png_size_keeps_whole_modules():
    url = "https://qd.example.cn/s/" + "A" * 32
    modules = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    modules.add_data(url)
    modules.make(fit=True)
    side = modules.modules_count + 8
    for width in (128, 512, 1000):
        box = qr.box_size_for(url, width)
        assert box == max(1, width // side)
        text, image = decode_png(qr.png_bytes(url, box))
        assert image.shape == (box * side, box * side) and text == url


def reference(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def test_png_is_one_bit_whole_modules_and_decodes():
    url = "https://qiandao.example.cn/s/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
    side = reference(url).modules_count + 8
    for box in (1, 4, 10):
        data = qr.png_bytes(url, box)
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.mode == "1" and image.size == (side * box, side * box)
        assert set(image.convert("L").tobytes()) == {0, 255}
        if box > 1:  # OpenCV wants more than one pixel per module
            text, pixels = decode_png(data)
            assert text == url and pixels.shape == (side * box, side * box)


def test_mask_choice_is_qrcodes():
    """qr.py scores the 8 masks itself, faster; each score and the chosen code must be qrcode's own."""
    rng = random.Random(7)
    urls = ["https://qiandao.example.cn/s/" + "".join(rng.choice(string.ascii_letters + "-_") for _ in range(length))
            for length in (1, 10, 32, 40, 60, 90, 120, 200, 280)]
    urls += ["".join(rng.choice(string.digits) for _ in range(50)), "HTTPS://QD.EXAMPLE.CN/S/" + "A1" * 30, "签到" * 20]
    for url in urls:
        ours, theirs = qr._fitted(url), reference(url)
        for mask, rows in enumerate(ours.mask_trials()):
            test = qrcode.QRCode(version=theirs.version, error_correction=ERROR_CORRECT_M)
            test.add_data(url)
            test.makeImpl(True, mask)
            n = test.modules_count
            assert rows == [sum(1 << (n - 1 - c) for c, dark in enumerate(row) if dark) for row in test.modules]
            assert qr._penalty(rows) == util.lost_point(test.modules), (url, mask)
        ours.make(fit=True)
        assert ours.version == theirs.version and ours.modules == theirs.modules, url


def test_svg_draws_the_png_modules():
    url = "https://qiandao.example.cn/s/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
    root = ET.fromstring(qr.svg_bytes(url))  # noqa: S314 (our own output, not untrusted input)
    image = Image.open(io.BytesIO(qr.png_bytes(url, 1)))
    side = image.size[0]
    assert root.get("viewBox") == f"0 0 {side} {side}"
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    rectangle = r"M(\d+),(\d+)h(\d+)v1h-\3z"  # one row of modules, `width` wide
    assert re.sub(rectangle, "", path) == ""
    drawn = set()
    for x, y, width in re.findall(rectangle, path):
        drawn |= {(int(x) + i, int(y)) for i in range(int(width))}
    pixels = image.load()
    assert drawn == {(x, y) for y in range(side) for x in range(side) if not pixels[x, y]}
