"""The plain mobile page behind / and /s/{token}: served under a strict CSP that it can live with."""
import re
from html.parser import HTMLParser

import pytest

from server.web import CSP


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []  # attrs plus the inline body
        self.stylesheets: list[str] = []
        self.inline_handlers: list[str] = []
        self.style_attrs: list[str] = []
        self.inline_styles = 0
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.lower().startswith("on"):
                self.inline_handlers.append(f"<{tag} {name}>")
            if name.lower() == "style":
                self.style_attrs.append(tag)
        if tag == "script":
            self.scripts.append({**attrs, "body": ""})
            self._in = "script"
        elif tag == "style":
            self.inline_styles += 1
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.stylesheets.append(attrs.get("href", ""))

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1]["body"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", ["/", "/s/x", "/s/AbC-123_xyz"])
def test_page_is_served_under_strict_csp_without_inline_code(anon, path):
    resp = anon.get(path)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    assert csp == CSP
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"

    page = parse(resp.get_data(as_text=True))
    assert page.scripts, "the page loads its script"
    for script in page.scripts:
        assert script.get("src"), f"inline <script> without src: {script}"
        assert not script["body"].strip(), "a <script src> must not carry inline code too"
    assert [s["src"] for s in page.scripts] == ["/app/scan.js"]
    assert page.scripts[0].get("type") == "module"
    assert page.stylesheets == ["/app/app.css"]
    assert not page.inline_handlers, "inline event handlers are blocked by the CSP"
    assert not page.style_attrs and not page.inline_styles, "inline styles are blocked by the CSP"


def test_page_assets_are_served_with_the_right_types(anon):
    js = anon.get("/app/scan.js")
    assert js.status_code == 200
    assert js.mimetype in ("text/javascript", "application/javascript")  # modules need a JS type
    css = anon.get("/app/app.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"


def test_page_refers_to_no_other_host(anon):
    for path in ("/", "/app/scan.js", "/app/app.css"):
        text = anon.get(path).get_data(as_text=True)
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
        assert "@import" not in text


def test_scan_script_uses_the_api_contract(anon):
    """A cheap guard on the wiring the page depends on (the browser tests check the behaviour)."""
    js = anon.get("/app/scan.js").get_data(as_text=True)
    for needle in ('"/api/v1"', '"/me"', '"/auth/login"', '"/scans"', '"X-CSRF-Token"', "client_scan_id",
                   "sessionStorage", "csrf_token"):
        assert needle in js, needle
    assert "innerHTML" not in js, "server text goes in with textContent only"


@pytest.mark.parametrize("path", ["/app/../server/config.py", "/app/%2e%2e/wsgi.py", "/app/nothing.js"])
def test_app_files_stay_inside_mobile_web(anon, path):
    assert anon.get(path).status_code == 404
