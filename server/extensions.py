"""Extension objects, created unbound and bound to the app in the factory."""
from collections.abc import Mapping

import flask_smorest
from apispec import BasePlugin
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from webargs.flaskparser import FlaskParser

from server.common import throttle_store  # noqa: F401  (registers swept-memory:// with limits)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    """The one error envelope, documented for every error response."""

    error = fields.Nested(ErrorBodySchema, required=True)


ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


class ErrorResponsesPlugin(BasePlugin):
    """Completes each operation's error responses in the OpenAPI document, so a client (and the fuzzer) can
    rely on it: the error envelope on every error status, and the statuses every operation of a kind can
    answer — 400 for a body that is not JSON, 401 without a session (operations not marked `security: []`),
    404 for a path id that names nothing. Statuses particular to an operation stay with its view."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault(400, {"description": "The body is not well-formed JSON"})
            if operation.get("security") != []:
                responses.setdefault(401, {"description": "Not signed in"})
            if "{" in (path or ""):
                responses.setdefault(404, {"description": "No such object"})
            for status, response in responses.items():
                if str(status).isdigit() and int(status) >= 400 and isinstance(response, dict):
                    response.setdefault("content", ERROR_CONTENT)


class QiandaoApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *, spec_kwargs=None):
        """The session cookie is the API's one security scheme; public operations say `security: []`."""
        spec_kwargs = {"extra_plugins": [ErrorResponsesPlugin()], "security": [{"session": []}],
                       **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme("session", {
            "type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"],
            "description": "Set by POST /auth/login. Changes also send the header X-CSRF-Token (from the login "
                           "answer or GET /me)."})


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class ArgumentsParser(FlaskParser):
    """A NUL character in any text an operation reads is an invalid field (422): PostgreSQL cannot store or
    even compare it (the query fails), SQLite would take it, and no name, reason or token has one."""

    def pre_load(self, location_data, *, schema, req, location):
        raw = {"query": req.args, "form": req.form}.get(location)
        if _has_nul({k: raw.getlist(k) for k in raw} if raw is not None else location_data):
            raise ValidationError(["不能包含空字符 (NUL) / text may not contain a NUL character"])
        return super().pre_load(location_data, schema=schema, req=req, location=location)


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints: flask-smorest's, reading arguments with ArgumentsParser."""

    ARGUMENTS_PARSER = ArgumentsParser()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = QiandaoApi()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
