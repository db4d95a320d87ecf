"""One JSON error envelope for every failure: {"error": {code, message, details}}."""
import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from server.common.i18n import message

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 422: "validation_error",
    429: "rate_limited", 500: "internal_error",
}


class ApiError(Exception):
    """Raised by services; the code names the reason and picks the message."""

    def __init__(self, status: int, code: str, details: dict | None = None, msg: str | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.details = details or {}
        self.msg = msg


def envelope(status: int, code: str, details: dict | None = None, msg: str | None = None):
    body = {"error": {"code": code, "message": msg or message(code), "details": details or {}}}
    return jsonify(body), status


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return envelope(err.status, err.code, err.details, err.msg)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        details = {}
        data = getattr(err, "data", None) or {}
        if "messages" in data:  # webargs / flask-smorest validation errors
            details = {"fields": data["messages"]}
        code = HTTP_CODES.get(status, "error")
        if status == 429:
            code = "rate_limited"
        return envelope(status, code, details)

    @app.errorhandler(Exception)
    def _unhandled(err: Exception):
        log.exception("unhandled error")
        return envelope(500, "internal_error")
