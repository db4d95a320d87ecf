"""The mobile web app: static files, Jinja page shells, generated labels, under a strict CSP.

assets.py serves the member app and its files (static.py: gzip, ETags, cache lifetimes), shell.py
the staff/admin/community pages from one template, labels.py the kind and state labels as an ES
module, security.py the CSP and CSRF check.
"""
import os

from flask import Blueprint

WEB_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "mobile_web")

bp = Blueprint("web", __name__, template_folder="templates")

from server.web import labels, pages, shell  # noqa: E402,F401  (routes on bp)
from server.web.assets import shell_version  # noqa: E402
from server.web.pages import not_found  # noqa: E402
from server.web.security import CSP, add_security_headers, check_csrf, guard_body  # noqa: E402
from server.web.static import compress  # noqa: E402

__all__ = ["CSP", "WEB_ROOT", "add_security_headers", "bp", "check_csrf", "compress", "guard_body", "not_found",
           "shell_version"]
