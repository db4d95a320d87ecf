"""Application factory."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from server.auth.cookie_session import DailyRefreshSessionInterface
from server.common.schemas import MAX_ID
from server.config import load_config
from server.db_setup import normalize_url, tune_engine
from server.extensions import api, db, limiter, migrate
from server.logging_setup import init_logging

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: an id fits the database's integer columns (int4 on PostgreSQL), so a larger
    number names nothing (404) instead of reaching the database and failing there (SQLite overflows)."""

    regex = r"[0-9]+"  # ASCII digits only: \d would let a full-width "１" name event 1

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.url_map.merge_slashes = False  # "//host/x" would redirect to a Location built from the Host header
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, overrides))
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # key order is the schema's; sorting costs on large lists
    app.session_interface = DailyRefreshSessionInterface()
    init_logging(app)
    if app.config["TRUSTED_PROXY_HOPS"]:  # the client's address and scheme as the proxy saw them
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from server import models  # noqa: F401  (whole schema known to metadata)

    db.init_app(app)
    with app.app_context():
        tune_engine(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    from server.web import guard_body
    app.before_request(guard_body)  # first: the throttle's key reads the body
    limiter.init_app(app)
    api.init_app(app)
    _register_blueprints(app)

    from server.common.errors import register_error_handlers
    from server.web import add_security_headers, check_csrf, compress, not_found

    register_error_handlers(app)  # after api.init_app, so our envelope wins
    app.register_error_handler(404, not_found)  # a page for a person's browser, JSON for the API
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.after_request(compress)  # registered last, so it runs first: headers are set on the final body

    from server.cli import register_cli
    register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from server import web
    from server.attendance.routes import blp as attendance_blp
    from server.auth.account_routes import blp as accounts_blp
    from server.auth.directory_routes import blp as directory_blp
    from server.auth.routes import blp as auth_blp
    from server.community.routes import BLUEPRINTS as community_blps
    from server.evaluation.routes import blp as evaluation_blp
    from server.events.routes import blp as events_blp
    from server.hours.routes import blp as hours_blp
    from server.members.people_routes import blp as people_blp
    from server.members.routes import blp as members_blp
    from server.orglife.api import blp as orglife_blp
    from server.points.routes import blp as points_blp
    from server.points.rules_routes import blp as points_rules_blp
    from server.reports.routes import blp as reports_blp
    from server.scans.routes import blp as scans_blp

    for blp in (auth_blp, events_blp, scans_blp, attendance_blp, points_blp, *community_blps,
                hours_blp, points_rules_blp, reports_blp, members_blp, directory_blp, people_blp,
                orglife_blp, accounts_blp, evaluation_blp):
        api.register_blueprint(blp)
    app.register_blueprint(web.bp)
