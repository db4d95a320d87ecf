"""The app's files as a phone should get them: gzip when the browser takes it (compressed once per
file version, kept in memory), an ETag so a check costs a 304, and a lifetime by kind: a folder named
with its version (vendor/jsqr-1.4.0/) never changes, so it is cached for a year; the app's own files
change in place, so they are fresh for five minutes and then revalidated (the service worker keeps the
member app's shell itself, and revalidates instead of downloading it a second time)."""
import gzip
import hashlib
import os
import re

from flask import abort, current_app, request
from werkzeug.security import safe_join

VERSIONED = re.compile(r"^vendor/[^/]+-\d+(?:\.\d+)+/")
LONG_S, SHORT_S = 365 * 86400, 300
MIN_GZIP = 1024  # smaller bodies are not worth a compressed copy
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".json": "application/json",
         ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".txt": "text/plain",
         ".png": "image/png", ".ico": "image/x-icon", ".y4m": "application/octet-stream"}
COMPRESSIBLE = frozenset({"text/javascript", "text/css", "text/html", "application/json",
                          "application/manifest+json", "image/svg+xml", "text/plain"})
_files: dict[str, tuple] = {}  # path -> (stat key, body, gzipped body or None, etag)


def _load(path: str) -> tuple[bytes, bytes | None, str]:
    stat = os.stat(path)
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _files.get(path)
    if cached is None or cached[0] != key:
        with open(path, "rb") as fh:
            body = fh.read()
        kind = TYPES.get(os.path.splitext(path)[1], "application/octet-stream")
        packed = gzip.compress(body, 9, mtime=0) if kind in COMPRESSIBLE and len(body) >= MIN_GZIP else None
        cached = _files[path] = (key, body, packed, hashlib.sha256(body).hexdigest()[:20])
    return cached[1], cached[2], cached[3]


def takes_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def serve(root: str, filename: str, max_age: int | None = None):
    """One file of mobile_web/, compressed when it helps, conditional on its ETag."""
    path = safe_join(root, filename)
    if path is None or not os.path.isfile(path):
        abort(404)
    body, packed, etag = _load(path)
    kind = TYPES.get(os.path.splitext(path)[1], "application/octet-stream")
    zipped = packed is not None and takes_gzip()
    response = current_app.response_class(packed if zipped else body, mimetype=kind)
    if packed is not None:
        response.vary.add("Accept-Encoding")
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag + ("-gz" if zipped else ""))
    if max_age is None:
        max_age = LONG_S if VERSIONED.match(filename) else SHORT_S
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if max_age == LONG_S:
        response.cache_control.immutable = True
    elif max_age == 0:
        response.cache_control.no_cache = True
    return response.make_conditional(request)


def compress(response):
    """gzip a larger page, script or JSON answer built in memory (staff pages, labels, API lists)."""
    if (response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers
            or response.status_code < 200 or response.status_code in (204, 304)
            or response.mimetype not in ("text/html", "application/json", "text/javascript") or not takes_gzip()):
        return response
    body = response.get_data()
    if len(body) < MIN_GZIP:
        return response
    response.set_data(gzip.compress(body, 6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
