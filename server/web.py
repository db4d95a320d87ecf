"""Serves the mobile web app and the /s/{token} landing page, under a strict CSP."""
import os

from flask import Blueprint, send_from_directory

from server.extensions import db

WEB_ROOT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "mobile_web")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    return send_from_directory(WEB_ROOT, "index.html", max_age=0)


@bp.get("/s/<token>")
def scan_landing(token: str):
    """Any camera app opens this URL; the page submits the scan for the signed-in member."""
    return send_from_directory(WEB_ROOT, "index.html", max_age=0)


@bp.get("/app/<path:filename>")
def app_file(filename: str):
    return send_from_directory(WEB_ROOT, filename, max_age=300)


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
