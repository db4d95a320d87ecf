"""Readable for older eyes and stable under the finger (newcomer issue 5, field issue 16): member
screens' text is 16 px at least, text at 200 % neither overflows, clips nor overlaps at 390 px, and
lists arriving on a slow phone shift nothing (CLS under 0.05 on the member home and the live page)."""
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import objects
from tests.browser import PHONE, launch, require_chromium
from tests.live import LiveServer
from tests.support import PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import phone_audit_browser as audit  # noqa: E402

pytestmark = pytest.mark.browser
WIDE = {**PHONE, "viewport": {"width": 390, "height": 844}}
SMALL_TEXT = """() => [...document.querySelectorAll('body *')].filter((e) => e.getClientRects().length
  && getComputedStyle(e).visibility !== 'hidden'
  && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
  && parseFloat(getComputedStyle(e).fontSize) < 16)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${getComputedStyle(e).fontSize} `
    + `"${e.textContent.trim().slice(0, 16)}"`)"""
CLS = """() => new Promise((done) => { let total = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => done(total), 500); })"""


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


def member_page(browser, server, phone):
    context = browser.new_context(**WIDE)
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#login-phone", phone)
    page.fill("#login-password", PASSWORD)
    page.locator("#login-submit").click()
    expect(page.locator("#view-home")).to_be_visible()
    return context, page


def staff_page(browser, server, world):
    """The organizer's events page in a context of its own (the member's cookie would refuse it)."""
    page = browser.new_context(**WIDE).new_page()
    page.goto(server.url + "/app/staff/events.html")
    page.fill("#login-phone", world.phones.org_a)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("[data-event]").first).to_be_visible()
    return page


def member_views(page, server, token):
    yield "home", lambda: expect(page.locator("#list-open li").first).to_be_visible()
    page.goto(server.url + "/#records")
    yield "records", lambda: expect(page.locator("#records-list li").first).to_be_visible()
    page.goto(f"{server.url}/s/{token}")
    yield "result", lambda: expect(page.locator("#result-message")).to_have_text("签到成功")
    page.goto(server.url + "/app/community/index.html")
    yield "community", lambda: expect(page.locator("#cm-home")).to_be_visible()
    page.locator("#cm-history summary").click()  # folded text is not shown; open it to check it too
    yield "community history", lambda: expect(page.locator("#cm-history .meta").first).to_be_visible()


def test_member_text_is_16_px_at_least(server, browser, world, make_event, token_for, scan, ctx):
    eid = make_event("volunteer_service", title="读得清的志愿服务", start_in=timedelta(minutes=-5))
    with ctx():
        objects.accepted_registration(world, "a1")
    scan(world.phones.a1, token_for(make_event("party_day", title="上周主题党日", start_in=timedelta(days=-1))))
    context, page = member_page(browser, server, world.phones.a1)
    try:
        small = {}
        for name, ready in member_views(page, server, token_for(eid)):
            ready()
            small[name] = page.evaluate(SMALL_TEXT)
        assert small == {name: [] for name in small}, small
    finally:
        context.close()


def test_text_at_200_percent_holds_at_390_px(server, browser, world, make_event, token_for, ctx):
    eid = make_event("volunteer_service", title="放大字号也清楚的志愿服务", start_in=timedelta(minutes=-5))
    with ctx():
        objects.accepted_registration(world, "a2")  # the community page then shows its history
    context, page = member_page(browser, server, world.phones.a2)
    try:
        found = {}
        for name, ready in member_views(page, server, token_for(eid)):
            ready()
            page.evaluate(audit.DOUBLE)
            found[name] = page.evaluate(audit.CHECK)
        staff = staff_page(browser, server, world)
        staff.evaluate(audit.DOUBLE)
        found["staff events"] = staff.evaluate(audit.CHECK)
        assert found == {name: [] for name in found}, found
    finally:
        context.close()


def _slow(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", audit.SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})


def test_lists_arriving_on_a_slow_phone_shift_nothing(server, browser, world, make_event):
    for n in range(3):
        make_event("volunteer_service", title=f"正在签到的志愿服务{n}", start_in=timedelta(minutes=-5))
        make_event("party_day", title=f"即将开始的主题党日{n}", start_in=timedelta(days=n + 1))
    context, page = member_page(browser, server, world.phones.a3)
    try:
        _slow(context, page)
        page.reload()
        expect(page.locator("#list-upcoming li")).to_have_count(3, timeout=60000)
        expect(page.locator("#list-open li")).to_have_count(3)
        home = page.evaluate(CLS)
        staff = staff_page(browser, server, world)
        live_id = staff.locator("[data-event]").first.get_attribute("data-event")
        _slow(staff.context, staff)
        staff.goto(f"{server.url}/app/staff/live.html?event={live_id}")
        expect(staff.locator("#att-list li").first).to_be_visible(timeout=60000)
        staff.wait_for_timeout(1000)
        live = staff.evaluate(CLS)
        assert home < 0.05 and live < 0.05, {"home": home, "live": live}
    finally:
        context.close()
