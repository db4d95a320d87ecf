"""Structured logs: one JSON object per line, every line of a request carrying its request id.

The request id is the `X-Request-ID` header the proxy sent (nginx: `proxy_set_header X-Request-ID
$request_id;`) when it looks like an id, else a fresh one; it is echoed in the response header so
a member's screenshot, the proxy's log and the app's log meet on one value. Each request ends
with one `request` line: method, path, status, duration, user id, client address.

Wiring, in create_app():
    from server.logging_setup import init_logging
    init_logging(app)

LOG_FORMAT=json|text (default json when APP_ENV=production, text otherwise); LOG_LEVEL (INFO).
"""
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")  # nothing that could forge a log line or a header
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}
log = logging.getLogger("qiandao.request")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        sent = request.headers.get(HEADER, "")
        rid = g.request_id = sent if _ACCEPTABLE.fullmatch(sent) else uuid.uuid4().hex
    return rid


class RequestIdFilter(logging.Filter):
    """Stamps every record with the request id (the text format prints it, the JSON one too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "msg", "request_id", ...extra fields, "exc"} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid and rid != "-":
            out["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _Handler(logging.StreamHandler):
    """Ours, so a second init_logging() (tests build many apps) replaces it instead of adding one."""


def configure_root(fmt: str = "json", level: str = "INFO", stream=None) -> logging.Handler:
    root = logging.getLogger()
    for h in list(root.handlers):
        # ours from an earlier call, and logging.basicConfig()'s plain stream handler; others
        # (pytest's capture, a syslog handler someone added) are left alone
        if isinstance(h, _Handler) or type(h) is logging.StreamHandler:
            root.removeHandler(h)
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def init_logging(app: Flask, fmt: str | None = None, stream=None) -> None:
    fmt = (fmt or os.environ.get("LOG_FORMAT") or ("json" if app.config.get("APP_ENV") == "production" else "text"))
    configure_root(fmt.lower(), os.environ.get("LOG_LEVEL", "INFO").upper(), stream)
    if app.extensions.get("qiandao_logging"):
        return
    app.extensions["qiandao_logging"] = True
    # first before_request, so the id exists even for requests that a later hook refuses (CSRF)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response):
    rid = request_id()
    response.headers[HEADER] = rid
    started = g.get("request_started")
    user = g.get("user")
    log.info("%s %s %s", request.method, request.path, response.status_code, extra={
        "event": "request", "method": request.method, "path": request.path, "status": response.status_code,
        "duration_ms": round(1000 * (time.perf_counter() - started), 1) if started else None,
        "bytes": response.content_length, "user_id": getattr(user, "id", None) or g.get("user_id"),
        "remote_addr": request.remote_addr, "request_id": rid})
    return response
