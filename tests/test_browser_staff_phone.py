"""Staff pages on a phone (newcomer issue, item 8): a header of one row, the irreversible action apart
from the everyday ones with dialog buttons that name what they do, and past events found by month."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect, sync_playwright

from server.common.timeutil import utcnow
from tests.browser import PHONE, launch, require_chromium, screenshot
from tests.live import LiveServer
from tests.test_browser_staff import assert_phone_friendly, open_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(db_url, app):
    require_chromium()
    live = LiveServer(db_url, workers=2)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_staff_header_is_one_row(width, language, server, browser, world):
    context, page, watch = open_page(browser, server, {**PHONE, "viewport": {"width": width, "height": 780}})
    sign_in(page, server, world.phones.admin)
    if language == "en":
        page.locator("#bar .lang").click()
    bar = page.locator("#bar")
    expect(bar.locator(".brand")).to_be_visible()
    assert bar.bounding_box()["height"] <= 56, bar.bounding_box()
    menu = page.locator("#bar .menu-toggle")
    expect(page.locator("#staff-nav")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    links = page.locator("#staff-nav a")
    expect(links).to_have_count(10)  # an admin sees every page
    assert bar.bounding_box()["height"] <= 56  # the menu opens over the page, the bar keeps its row
    assert_phone_friendly(page)
    screenshot(page, f"staff-header-{width}-{language}")
    watch.assert_clean()
    context.close()


def test_on_a_wide_screen_the_links_are_in_the_bar(server, browser, world):
    context, page, watch = open_page(browser, server, {**PHONE, "viewport": {"width": 1280, "height": 800}})
    sign_in(page, server, world.phones.org_a)
    expect(page.locator("#staff-nav a").first).to_be_visible()
    expect(page.locator("#bar .menu-toggle")).to_be_hidden()
    watch.assert_clean()
    context.close()


def test_cancelling_stands_apart_and_its_dialog_says_what_each_button_does(server, browser, world, make_event, q):
    eid = make_event("party_day", title="年终主题党日", start_in=timedelta(days=2))
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.org_a)
    card = page.locator(f"[data-event='{eid}']")
    expect(card.locator(".actions button.danger")).to_have_count(0)  # not among the everyday actions
    expect(card.locator(".danger-zone button.danger")).to_have_text("取消活动")
    card.locator(".danger-zone button.danger").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("[data-role=submit]")).to_have_text("确认取消活动")
    expect(dialog.locator("[data-role=dismiss]")).to_have_text("保留活动")
    screenshot(page, "staff-cancel-dialog")
    dialog.locator("[data-role=dismiss]").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    assert q("select status from events where id = :e", e=eid) == [("published",)]
    watch.assert_clean()
    context.close()


def test_past_events_are_found_by_month(server, browser, world, make_event):
    old = make_event("party_day", title="九十天前的主题党日", start_in=timedelta(days=-90))
    month = (utcnow() + timedelta(hours=8) - timedelta(days=90)).strftime("%Y-%m")
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.org_a)
    expect(page.locator("#new-event")).to_be_visible()
    expect(page.locator(f"[data-event='{old}']")).to_have_count(0)  # the default list: the last 30 days
    page.fill("#events-month", month)
    page.locator("#events-month").dispatch_event("change")
    expect(page.locator(f"#events-month-list [data-event='{old}']")).to_contain_text("九十天前的主题党日")
    assert_phone_friendly(page)
    watch.assert_clean()
    context.close()
