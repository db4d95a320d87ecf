"""The app's shared parts: labels generated from the server's tables (no kind code or label written in
mobile_web), one Jinja page shell for the staff, admin and community pages, under the strict CSP."""
import json
import re
from pathlib import Path

from server import web
from server.attendance.lifecycle import LABELS
from server.events.kinds import KINDS
from server.web import CSP, labels

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "mobile_web"
TEMPLATES = ROOT / "server" / "web" / "templates"


def app_sources():
    return [p for p in APP.rglob("*") if p.is_file() and "vendor" not in p.parts
            and p.suffix in (".js", ".css", ".html", ".webmanifest")]


def test_labels_module_is_generated_from_the_tables(anon):
    resp = anon.get("/app/shared/labels.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Content-Security-Policy"] == CSP
    assert "max-age=300" in resp.headers["Cache-Control"]
    text = resp.get_data(as_text=True)
    kinds = json.loads(re.search(r"export const KINDS = (\{.*?\});\n", text).group(1))
    states = json.loads(re.search(r"export const STATES = (\{.*?\});\n", text).group(1))
    assert list(kinds) == list(KINDS)
    for code, kind in KINDS.items():
        assert (kinds[code]["label_zh"], kinds[code]["label_en"]) == (kind.label_zh, kind.label_en)
        for flag in ("host", "records_hours", "needs_confirmation", "expects_roster", "pays_at_checkin",
                     "deducts_absence"):
            assert kinds[code][flag] == getattr(kind, flag), (code, flag)
    assert states == {state: list(pair) for state, pair in LABELS.items()}
    assert "/app/shared/labels.js" in anon.get("/sw.js").get_data(as_text=True)  # precached: works offline


def test_no_kind_code_or_hand_written_label_in_the_app():
    """Kinds and states are named only by the server's tables; the app reads them from labels.js."""
    codes = re.compile(r"\b({})\b".format("|".join(map(re.escape, KINDS))))
    written = [f'"{k.label_zh}"' for k in KINDS.values()] + [f'"{k.label_en}"' for k in KINDS.values()]
    for path in [*app_sources(), *TEMPLATES.rglob("*.html")]:
        text = path.read_text()
        assert not codes.search(text), f"{path.relative_to(ROOT)}: {codes.search(text).group(0)}"
        assert not re.search(r"\b(kind|state)_\w+\s*:", text), f"{path.relative_to(ROOT)}: a label of its own"
        for label in written:
            assert label not in text, f"{path.relative_to(ROOT)}: {label}"


def test_one_page_shell_renders_every_staff_admin_and_community_page(anon):
    assert not list(APP.glob("*/*.html")), "pages are templates under server/web/templates/"
    pages = sorted(TEMPLATES.glob("*/*.html"))
    assert len(pages) == 17
    for page in pages:
        source = page.read_text()
        assert source.startswith('{% extends "page.html" %}') and "<head" not in source, page.name
        resp = anon.get(f"/app/{page.parent.name}/{page.name}")
        assert resp.status_code == 200 and resp.mimetype == "text/html", page.name
        assert resp.headers["Content-Security-Policy"] == CSP
        html = resp.get_data(as_text=True)
        assert html.count("<head>") == 1 and 'href="/app/staff/staff.css"' in html
        section = page.parent.name
        assert re.search(rf'<script type="module" src="/app/{section}/[\w-]+\.js"></script>', html)
    assert anon.get("/app/staff/nothing.html").status_code == 404
    assert anon.get("/app/staff/..%2fadmin%2fimport.html").status_code == 404


def test_shell_version_follows_the_labels(monkeypatch):
    first = web.shell_version()
    monkeypatch.setattr(labels, "render", lambda: "export const KINDS = {};")
    assert web.shell_version() != first


def test_every_page_uses_the_shared_modules_not_copies():
    """One API client, one text store, one set of DOM helpers: no page defines its own."""
    own = re.compile(r"^export (?:async )?function (api|el|t|addText|lang|boot|toast|formDialog|kindLabel|stateLabel)\b"
                     r"|^export const (\$|kindLabel|stateLabel) =", re.M)
    for path in APP.rglob("*.js"):
        if "vendor" in path.parts or path.parent.name == "shared":
            continue
        found = own.search(path.read_text())
        assert not found, f"{path.relative_to(ROOT)} defines {found and found.group(0)}"
