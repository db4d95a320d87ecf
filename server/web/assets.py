"""The member app's page and files, the service worker with its shell version, and /healthz."""
import hashlib
import os

from flask import current_app

import server.web as web
from server.extensions import db
from server.web import bp, labels, static


def _index():
    return static.serve(web.WEB_ROOT, "index.html", max_age=0)


@bp.get("/")
def index():
    return _index()


@bp.get("/s/<token>")
def scan_landing(token: str):
    """Any camera app opens this URL; the page submits the scan for the signed-in member."""
    return _index()


@bp.get("/c/<token>")
def card_landing(token: str):
    """A member card's URL, opened by a phone camera: the page says whose card it is and what it is for."""
    return _index()


@bp.get("/r/<token>")
def registration_landing(token: str):
    """A community's registration code (双报到): the page signs the member in and reports them in."""
    return _index()


@bp.get("/a/<code>")
def code_landing(code: str):
    """An activation slip's, a join QR's or a reset code's URL: the page asks phone, name and a new password."""
    return _index()


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so that its scope covers / and /s/. Its VERSION is a hash of
    mobile_web/ and the generated labels, so any change changes this script and phones fetch the new shell."""
    with open(os.path.join(web.WEB_ROOT, "sw.js"), encoding="utf-8") as fh:
        script = fh.read().replace("__SHELL_VERSION__", shell_version())
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


_versions: dict[tuple, str] = {}


def shell_version() -> str:
    """A short hash of every file under mobile_web/ and of the labels module (recomputed only when a
    name, size or mtime changes)."""
    files = []
    for root, dirs, names in os.walk(web.WEB_ROOT):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            stat = os.stat(path)
            files.append((os.path.relpath(path, web.WEB_ROOT), stat.st_size, stat.st_mtime_ns))
    key = (web.WEB_ROOT, labels.render(), tuple(files))
    if key not in _versions:
        digest = hashlib.sha256(key[1].encode())
        for rel, _size, _mtime in files:
            digest.update(rel.encode() + b"\0")
            with open(os.path.join(web.WEB_ROOT, rel), "rb") as fh:
                digest.update(fh.read())
        _versions.clear()
        _versions[key] = digest.hexdigest()[:16]
    return _versions[key]


@bp.get("/app/<path:filename>")
def app_file(filename: str):
    return static.serve(web.WEB_ROOT, filename)


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
