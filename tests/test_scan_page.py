"""The member app behind /, /s/{token}, /c/{token} and /r/{token}: served under a strict CSP that it
can live with, small, self-contained, with its service worker at the root (browser tests check the
behaviour: tests/test_browser_member.py)."""
import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server import web
from server.web import CSP

WEB = Path(web.WEB_ROOT)
SHELL_BUDGET = 60 * 1024  # bytes, gzip-compressed: what a member downloads on the first visit
IMPORT = re.compile(r"""^\s*import\s+(?:[^"';]+?\s+from\s+)?["'](\./[\w.-]+\.js)["']""", re.M)


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []  # attrs plus the inline body
        self.stylesheets: list[str] = []
        self.preloads: list[str] = []
        self.links: list[dict] = []
        self.inline_handlers: list[str] = []
        self.style_attrs: list[str] = []
        self.inline_styles = 0
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.inputs: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.lower().startswith("on"):
                self.inline_handlers.append(f"<{tag} {name}>")
            if name.lower() == "style":
                self.style_attrs.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea"):
            self.inputs.append(attrs.get("id", ""))
        if tag == "script":
            self.scripts.append({**attrs, "body": ""})
            self._in = "script"
        elif tag == "style":
            self.inline_styles += 1
        elif tag == "link":
            self.links.append(attrs)
            rel = (attrs.get("rel") or "").split()
            if "stylesheet" in rel:
                self.stylesheets.append(attrs.get("href", ""))
            if "modulepreload" in rel:
                self.preloads.append(attrs.get("href", ""))

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


def module_graph(entry: str = "app.js") -> list[str]:
    """Every module app.js imports statically, itself included, as /app/js/… URLs."""
    seen, todo = [], [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        todo += [m[2:] for m in IMPORT.findall((WEB / "js" / name).read_text())]
    return sorted(f"/app/js/{name}" for name in seen)


def shell_urls() -> list[str]:
    """The member app shell: the page, its style sheet, manifest and modules (no lazy decoder)."""
    return ["/", "/app/app.css", "/app/manifest.webmanifest", *module_graph()]


def sw_shell_list(text: str) -> list[str]:
    block = re.search(r"const SHELL = \[(.*?)\];", text, re.S).group(1)
    return re.findall(r'"([^"]+)"', block)


@pytest.mark.parametrize("path", ["/", "/s/x", "/s/AbC-123_xyz", "/c/AbC-123_xyz", "/r/AbC-123_xyz"])
def test_page_is_served_under_strict_csp_without_inline_code(anon, path):
    resp = anon.get(path)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    assert csp == CSP
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"

    page = parse(resp.get_data(as_text=True))
    for script in page.scripts:
        assert script.get("src"), f"inline <script> without src: {script}"
        assert not script["body"].strip(), "a <script src> must not carry inline code too"
    assert [(s["src"], s.get("type")) for s in page.scripts] == [("/app/js/app.js", "module")]
    assert page.stylesheets == ["/app/app.css"]
    assert not page.inline_handlers, "inline event handlers are blocked by the CSP"
    assert not page.style_attrs and not page.inline_styles, "inline styles are blocked by the CSP"
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert set(page.inputs) <= page.labels, "every field has a <label for>"


def test_modules_are_preloaded_so_a_weak_network_fetches_them_at_once(anon):
    page = parse(anon.get("/").get_data(as_text=True))
    graph = module_graph()
    assert sorted(page.preloads + ["/app/js/app.js"]) == graph
    assert "/app/js/qr-worker.js" not in graph, "the decoder is loaded only when scanning"


def test_page_assets_are_served_with_the_right_types(anon):
    for url in module_graph() + ["/app/js/qr-worker.js", "/app/vendor/jsqr-1.4.0/jsQR.js"]:
        resp = anon.get(url)
        assert resp.status_code == 200, url
        assert resp.mimetype in ("text/javascript", "application/javascript"), url  # modules need a JS type
    css = anon.get("/app/app.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    manifest = anon.get("/app/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["start_url"] == "/" and manifest.get_json()["scope"] == "/"


def test_service_worker_is_served_at_the_root_and_keeps_the_whole_shell(anon):
    resp = anon.get("/sw.js")
    assert resp.status_code == 200
    assert resp.mimetype == "text/javascript"
    assert resp.headers["Cache-Control"] == "no-cache"  # phones notice a new version on the next open
    text = resp.get_data(as_text=True)
    assert "__SHELL_VERSION__" not in text
    assert re.search(r'const VERSION = "[0-9a-f]{16}";', text)
    assert sorted(sw_shell_list(text)) == sorted(shell_urls())
    for url in sw_shell_list(text):
        assert anon.get(url).status_code == 200, url
    assert "/api/" not in text, "API answers are never cached by the service worker"
    page = parse(anon.get("/").get_data(as_text=True))
    assert {"rel": "manifest", "href": "/app/manifest.webmanifest"} in page.links


def test_service_worker_version_follows_the_files(tmp_path, monkeypatch):
    for name in ("index.html", "app.css", "sw.js"):
        (tmp_path / name).write_bytes((WEB / name).read_bytes())
    monkeypatch.setattr(web, "WEB_ROOT", str(tmp_path))
    first = web.shell_version()
    assert web.shell_version() == first
    (tmp_path / "app.css").write_text("body { color: red; }")
    assert web.shell_version() != first


def test_app_shell_stays_under_60_kb_compressed(anon):
    sizes = {url: len(gzip.compress(anon.get(url).get_data(), 6)) for url in shell_urls() + ["/sw.js"]}
    total = sum(sizes.values())
    print(f"member app shell: {total} bytes gzip -6 over {len(sizes)} files")
    assert total < SHELL_BUDGET, sizes


def test_page_refers_to_no_other_host(anon):
    for url in shell_urls() + ["/sw.js", "/app/js/qr-worker.js"]:
        text = anon.get(url).get_data(as_text=True)
        text = text.replace("http://www.w3.org/2000/svg", "")  # the manifest icon's SVG namespace, not a request
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), url
        assert "@import" not in text


def test_scripts_use_the_api_contract_and_no_html_injection(anon):
    """A cheap guard on the wiring the pages depend on (the browser tests check the behaviour)."""
    js = {url: anon.get(url).get_data(as_text=True) for url in module_graph()}
    everything = "\n".join(js.values())
    for needle in ('"/api/v1"', '"/me"', '"/auth/login"', '"/scans"', '"X-CSRF-Token"', "client_scan_id",
                   "scanned_at", "sessionStorage", "indexedDB", "csrf_token", '"online"', '"visibilitychange"',
                   "BarcodeDetector", "facingMode", '"/points/ledger', '"/hours/mine', "open_now=true",
                   '"/community-registrations"'):
        assert needle in everything, needle
    for url, text in js.items():
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                       'setAttribute("style"', ".cssText"):
            assert banned not in text, f"{url}: {banned}"
        assert text.count("\n") <= 300, f"{url}: keep modules small"


def test_decoder_is_vendored_with_version_and_licence():
    folder = WEB / "vendor" / "jsqr-1.4.0"
    assert (folder / "jsQR.js").stat().st_size > 100_000
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "jsqr 1.4.0" in (folder / "VERSION").read_text()
    worker = (WEB / "js" / "qr-worker.js").read_text()
    assert 'importScripts("/app/vendor/jsqr-1.4.0/jsQR.js")' in worker
    users = [p.name for p in (WEB / "js").glob("*.js") if "qr-worker.js" in p.read_text()]
    assert users == ["qr-reader.js"], "only the QR reader starts the decoder"


@pytest.mark.parametrize("path", ["/app/../server/config.py", "/app/%2e%2e/wsgi.py", "/app/nothing.js"])
def test_app_files_stay_inside_mobile_web(anon, path):
    assert anon.get(path).status_code == 404
