"""A person's browser that opens a wrong or truncated link gets a page with a way back, not JSON; the API
keeps its JSON errors; the icon and robots.txt answer (newcomer issue, item 6)."""
import pytest

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/s", "/nothing-here", "/app/staff/nothing.html", "/s/abc/def"])
def test_a_wrong_link_in_a_browser_is_a_page_with_a_way_back(anon, path):
    resp = anon.get(path, headers=BROWSER)
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "找不到该页面" in html and 'href="/"' in html and "<script" not in html
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


def test_the_api_and_scripts_keep_json(anon):
    for path, headers in (("/api/v1/nope", BROWSER), ("/nothing-here", {"Accept": "application/json"})):
        resp = anon.get(path, headers=headers)
        assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_icon_and_robots(anon):
    icon = anon.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    robots = anon.get("/robots.txt")
    assert robots.status_code == 200 and "Disallow: /api/" in robots.get_data(as_text=True)


def test_every_page_describes_itself(anon):
    """Lighthouse's meta-description: the app page and the staff pages say what they are."""
    for path in ("/", "/app/staff/events.html", "/no/such/page"):
        html = anon.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<meta name="description" content="签到' in html, path
