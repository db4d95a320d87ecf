"""The app's files as phones get them: gzip, ETags with 304s, a year for versioned files, and a first
visit that downloads the shell once (the service worker revalidates instead of downloading again)."""
import gzip
import os
import re

import pytest
from playwright.sync_api import sync_playwright

from server.web import WEB_ROOT
from tests.browser import PHONE, launch, require_chromium
from tests.live import LiveServer
from tests.support import PASSWORD

GZ = {"Accept-Encoding": "gzip, deflate, br"}


def test_app_files_are_gzipped_for_browsers_that_take_it(anon):
    raw = open(os.path.join(WEB_ROOT, "js", "checkin.js"), "rb").read()
    zipped = anon.get("/app/js/checkin.js", headers=GZ)
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == raw and len(zipped.data) < len(raw) / 2
    plain = anon.get("/app/js/checkin.js")
    assert "Content-Encoding" not in plain.headers and plain.data == raw
    assert plain.headers["ETag"] != zipped.headers["ETag"]  # two representations, two tags


def test_a_check_costs_a_304(anon):
    first = anon.get("/app/app.css", headers=GZ)
    again = anon.get("/app/app.css", headers={**GZ, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    labels = anon.get("/app/shared/labels.js")
    assert anon.get("/app/shared/labels.js", headers={"If-None-Match": labels.headers["ETag"]}).status_code == 304


def test_cache_lifetimes_follow_whether_a_file_is_versioned(anon):
    vendor = anon.get("/app/vendor/jsqr-1.4.0/jsQR.js", headers=GZ)
    assert re.search(r"max-age=31536000", vendor.headers["Cache-Control"]) and "immutable" in \
        vendor.headers["Cache-Control"]
    assert "max-age=300" in anon.get("/app/js/app.js").headers["Cache-Control"]
    page = anon.get("/", headers=GZ)
    assert "no-cache" in page.headers["Cache-Control"] and page.headers["Content-Encoding"] == "gzip"
    assert anon.get("/app/js/../../server/config.py").status_code == 404


def test_larger_api_answers_and_pages_are_gzipped_small_ones_are_not(anon, world, login):
    org = login(world.phones.org_a)
    spec = anon.get("/api/v1/openapi.json", headers=GZ)
    assert spec.headers["Content-Encoding"] == "gzip" and gzip.decompress(spec.data).startswith(b"{")
    small = org.get("/api/v1/me", headers=GZ)
    assert "Content-Encoding" not in small.headers and small.get_json()["phone"] == world.phones.org_a
    staff = org.get("/app/staff/events.html", headers=GZ)
    assert staff.headers["Content-Encoding"] == "gzip" if len(staff.data) >= 1024 else True


@pytest.fixture(scope="module")
def server(app, db_url):
    require_chromium()
    srv = LiveServer(db_url, workers=2)
    yield srv
    srv.stop()


def test_first_visit_downloads_the_shell_once(server, world):
    with sync_playwright() as pw:
        browser = launch(pw, None)
        try:
            context = browser.new_context(**PHONE)
            done = []
            context.on("requestfinished", lambda r: done.append(r))
            page = context.new_page()
            page.goto(server.url + "/")
            page.fill("#login-phone", world.phones.a1)
            page.fill("#login-password", PASSWORD)
            page.locator("#login-submit").tap()
            page.wait_for_selector("#view-home:not([hidden])")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_function("caches.keys().then(k => k.length > 0)")
            page.wait_for_timeout(1500)
            bodies: dict[str, int] = {}
            for request in done:
                path = request.url.replace(server.url, "")
                if path.startswith("/app/") and "/vendor/" not in path and "qr-worker" not in path:
                    bodies[path] = bodies.get(path, 0) + request.sizes()["responseBodySize"]
            raw = {p: os.path.getsize(os.path.join(WEB_ROOT, p[len("/app/"):])) for p in bodies
                   if os.path.exists(os.path.join(WEB_ROOT, p[len("/app/"):]))}
            # every shell file crossed the wire once at most, compressed: never twice
            for path, size in raw.items():
                assert bodies[path] <= size, (path, bodies[path], size)
            assert sum(bodies.values()) < sum(raw.values()) * 0.6, (sum(bodies.values()), sum(raw.values()))
        finally:
            browser.close()
