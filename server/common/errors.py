"""Domain errors raised by services, and the one place that turns them into HTTP answers.

Services raise what went wrong as a code with parameters (never a sentence, never a status
layout); the handlers here pick the status, render the message in the request's language and
wrap it in the one envelope: {"error": {"code", "message", "details"}}.
"""
import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from server.common.i18n import message

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation_error",
    429: "rate_limited", 500: "internal_error",
}


class DomainError(Exception):
    """A refusal with a code and its parameters; `details` are facts for the client, not text."""

    status = 400
    default_code = "bad_request"

    def __init__(self, code: str | None = None, details: dict | None = None, **params):
        self.code = code or self.default_code
        super().__init__(self.code)
        self.details = details or {}
        self.params = params  # fill the message's {placeholders}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": message(self.code, **self.params), "details": self.details}}


class Unauthorized(DomainError):
    status, default_code = 401, "unauthorized"


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""

    status, default_code = 403, "forbidden"


class NotFound(DomainError):
    """Absent, or not visible to the caller: both answer the same, so existence does not leak."""

    status, default_code = 404, "not_found"


class Conflict(DomainError):
    """Not allowed in the object's current state."""

    status, default_code = 409, "conflict"


class Unprocessable(DomainError):
    """Well-formed but not acceptable as a whole (a file that cannot be read, rows with errors)."""

    status, default_code = 422, "validation_error"


class Throttled(DomainError):
    status, default_code = 429, "rate_limited"

    def __init__(self, retry_after: int = 60, **kw):
        super().__init__(**kw)
        self.retry_after = retry_after


class Invalid(DomainError):
    """Field errors: {field: code} or {field: (code, params)}, a dotted name for a nested field;
    rendered per field at the edge."""

    status, default_code = 422, "validation_error"

    def __init__(self, fields: dict, location: str = "json", **kw):
        super().__init__(**kw)
        self.fields = {name: (v, {}) if isinstance(v, str) else v for name, v in fields.items()}
        self.location = location

    def body(self) -> dict:
        rendered: dict = {}
        for name, (code, params) in self.fields.items():  # "slots.0.ends_at" nests like webargs' errors
            *parents, leaf = name.split(".")
            node = rendered
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = [message(code, **params)]
        codes = {name: code for name, (code, _params) in self.fields.items()}
        details = {**self.details, "fields": {self.location: rendered}, "codes": codes}
        return {"error": {"code": self.code, "message": message(self.code), "details": details}}


def envelope(status: int, code: str, details: dict | None = None, **params):
    body = {"error": {"code": code, "message": message(code, **params), "details": details or {}}}
    return jsonify(body), status


def register_error_handlers(app) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        response = jsonify(err.body())
        if isinstance(err, Throttled):
            response.headers["Retry-After"] = str(err.retry_after)
        return response, err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        details = {}
        data = getattr(err, "data", None) or {}
        if "messages" in data:  # webargs / flask-smorest validation errors
            details = {"fields": data["messages"]}
        code = HTTP_CODES.get(status, "error")
        response, status = envelope(status, code, details)
        if status == 429:  # flask-limiter's refusal: say when to try again
            limit = getattr(err, "limit", None)
            seconds = getattr(getattr(limit, "limit", None), "get_expiry", lambda: 60)()
            response.headers["Retry-After"] = str(int(seconds))
        return response, status

    @app.errorhandler(Exception)
    def _unhandled(err: Exception):
        log.exception("unhandled error")
        return envelope(500, "internal_error")
