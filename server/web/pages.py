"""What a person's browser gets besides the app: a page with a way back instead of JSON when a link
is wrong or truncated (the API keeps its JSON errors), the icon, and robots.txt."""
from flask import current_app, render_template, request

from server.common.errors import envelope
from server.web import bp

ICON = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 96 96'><rect width='96' height='96' rx='20' "
        "fill='#b71c1c'/><path d='M26 50l14 14 30-32' fill='none' stroke='#fff' stroke-width='10' "
        "stroke-linecap='round' stroke-linejoin='round'/></svg>")
ROBOTS = "User-agent: *\nDisallow: /api/\nDisallow: /s/\nDisallow: /c/\nDisallow: /r/\nDisallow: /app/\n"


def wants_page() -> bool:
    """A browser asking for a page, not the API or a script asking for JSON."""
    if request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def not_found(err):
    if not wants_page():
        return envelope(404, "not_found")
    return render_template("not_found.html"), 404


@bp.get("/favicon.ico")
def favicon():
    response = current_app.response_class(ICON, mimetype="image/svg+xml")
    response.cache_control.max_age = 86400 * 30
    return response


@bp.get("/robots.txt")
def robots():
    response = current_app.response_class(ROBOTS, mimetype="text/plain")
    response.cache_control.max_age = 86400
    return response
