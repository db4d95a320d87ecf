"""The staff, admin and community pages: one Jinja shell (templates/page.html) instead of a copied
head per page; each page's template says only its title, script and extra style sheets."""
from flask import abort, make_response, render_template
from jinja2 import TemplateNotFound

from server.web import bp

SECTIONS = ("staff", "admin", "community")


@bp.get("/app/<any(staff, admin, community):section>/<name>.html")
def page(section: str, name: str):
    if not name.replace("-", "").isalnum():
        abort(404)
    try:
        html = render_template(f"{section}/{name}.html")
    except TemplateNotFound:
        abort(404)
    response = make_response(html)
    response.cache_control.max_age = 300
    return response
