"""The organizer and liaison pages (mobile_web/staff/) in Debian's Chromium against a real gunicorn:
the venue screen's rotating QR, the live attendance page, the member-card camera, the hours queue,
creating and cancelling events, the printable poster. Every page: no console errors, no CSP
violation, no other host, no horizontal scrolling at 360 px, tap targets of 44 px, labelled fields,
and a screenshot in artifacts/screenshots/."""
import json
import re
import uuid
from datetime import timedelta
from pathlib import Path

import cv2
import pytest
from playwright.sync_api import expect, sync_playwright

from server.attendance import core
from server.events.models import Event
from server.extensions import db
from tests import qrdecode
from tests.browser import ARTIFACTS, PHONE, PHONE_CHECKS, PageWatch, launch, make_y4m, require_chromium, screenshot
from tests.live import LiveServer
from tests.support import PASSWORD

STAFF = Path(__file__).resolve().parent.parent / "mobile_web" / "staff"
STAFF_PAGES = Path(__file__).resolve().parent.parent / "server" / "web" / "templates" / "staff"

ROTATE_SECONDS = 3  # the venue screen must show a new code this often
PROJECTOR = {"viewport": {"width": 1280, "height": 720}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
PAST = {"start_in": timedelta(hours=-3), "hours": 2, "opens_before": timedelta(hours=4),
        "closes_after": timedelta(hours=2)}  # ended an hour ago, window still open: hours to review

@pytest.fixture(scope="module")
def server(db_url, app):
    require_chromium()
    live = LiveServer(db_url, workers=3, extra_env={"QR_ROTATE_SECONDS": str(ROTATE_SECONDS)})
    yield live
    live.stop()


@pytest.fixture(scope="module")
def playwright():
    require_chromium()
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()


def open_page(browser, server, options=PHONE, **extra):
    context = browser.new_context(**options, **extra)
    page = context.new_page()
    return context, page, PageWatch(page, server.url)


def sign_in(page, server, phone, path="/app/staff/events.html"):
    """Through the page's own form, as a person would (the session cookie lands in the context)."""
    page.goto(server.url + path)
    page.fill("#login-phone", phone)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#login-form")).to_have_count(0)


def assert_phone_friendly(page):
    problems = page.evaluate(PHONE_CHECKS)
    assert not problems, problems


def answer_dialog(page, reason=None, **numbers):
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    for name, value in numbers.items():
        dialog.locator(f"input[name={name}]").fill(str(value))
    if reason is not None:
        dialog.locator("textarea[name=reason]").fill(reason)
    dialog.locator("button[type=submit]").click()
    expect(page.locator("dialog[open]")).to_have_count(0)


def decode_qr(png: bytes) -> str:
    """The text of the QR code in a screenshot, read by OpenCV."""
    image = qrdecode.png_image(png)
    for candidate in (image, cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255),
                      cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)):
        text = qrdecode.decode_image(candidate)
        if text:
            return text
    raise AssertionError("no QR code could be read from the screenshot")


def shown_code(page) -> str:
    """Read the code on screen; a screenshot taken while the next code is swapped in is taken again."""
    for _ in range(5):
        try:
            return decode_qr(page.locator("#qr").screenshot())
        except AssertionError:
            page.wait_for_timeout(300)
    return decode_qr(page.locator("#qr").screenshot())


def token_of(server, url: str) -> str:
    assert url.startswith(server.url + "/s/"), url
    return url.rsplit("/s/", 1)[1]


def scan(session, server, token):
    return session.post(server.url + "/api/v1/scans", json={"token": token, "client_scan_id": str(uuid.uuid4())},
                        timeout=10)


def count_of(page, key):
    return page.locator(f"[data-count={key}] b")


def served(ctx, event_id, user_id):
    """Checked in at the start and out at the end: a community duty record waiting for review."""
    with ctx():
        event = db.session.get(Event, event_id)
        att, _ = core.check_in(event, user_id, event.starts_at, "qr")
        core.check_out(event, att, event.ends_at, "qr")
        db.session.commit()
        return att.id


@pytest.mark.browser
@pytest.mark.slow
def test_display_shows_a_rotating_code_that_members_can_scan(server, browser, world, make_event, q):
    event = make_event("party_day", title="大屏测试主题党日")
    context, page, watch = open_page(browser, server, PROJECTOR)
    sign_in(page, server, world.phones.org_a)
    page.goto(f"{server.url}/app/staff/display.html?event={event}&direction=in")
    expect(page.locator("#show-title")).to_have_text("大屏测试主题党日")
    qr = page.locator("#qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('#qr'); return i && i.naturalWidth > 0; }")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^\d+ 秒后更新二维码$"))
    box = qr.bounding_box()
    assert box["height"] >= 0.6 * 720, box  # large on the projector

    first_src = qr.get_attribute("src")
    first = token_of(server, shown_code(page))
    member1 = server.session(world.phones.a1, PASSWORD)
    resp = scan(member1, server, first)
    assert resp.status_code == 201 and resp.json()["outcome"] == "checked_in", resp.text

    # the screen swaps in the next code when the window turns, long before the shown one expires
    page.wait_for_function("old => document.querySelector('#qr')?.getAttribute('src') !== old",
                           arg=first_src, timeout=ROTATE_SECONDS * 3000)
    second = token_of(server, shown_code(page))
    assert second != first
    member2 = server.session(world.phones.a2, PASSWORD)
    resp = scan(member2, server, second)
    assert resp.status_code == 201 and resp.json()["outcome"] == "checked_in", resp.text

    expect(page.locator("#count-value")).to_have_text("2", timeout=10000)  # the live count follows
    assert q("select count(*) from attendance where event_id = :e and state = 'checked_in'", e=event)[0][0] == 2
    screenshot(page, "staff-display-projector")
    watch.assert_clean()

    # without a connection the screen says so, and takes the code down once it can no longer be accepted
    context.set_offline(True)
    expect(page.locator("#trouble")).to_be_visible(timeout=ROTATE_SECONDS * 2000)
    expect(page.locator("#qr")).to_be_hidden(timeout=ROTATE_SECONDS * 3000)
    expect(page.locator("#trouble")).to_have_text("二维码已失效，正在重新连接…")
    context.set_offline(False)
    expect(page.locator("#qr")).to_be_visible(timeout=10000)
    expect(page.locator("#trouble")).to_be_hidden()
    context.close()

    context, page, watch = open_page(browser, server)  # the same screen on a phone
    sign_in(page, server, world.phones.org_a, f"/app/staff/display.html?event={event}&direction=in")
    page.wait_for_function("() => { const i = document.querySelector('#qr'); return i && i.naturalWidth > 0; }")
    expect(page.locator("#count-value")).to_have_text("2")
    assert_phone_friendly(page)
    screenshot(page, "staff-display-phone")
    watch.assert_clean()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_live_page_manual_checkin_annul_and_updates_without_reload(server, browser, world, make_event, q):
    event = make_event("party_day", title="现场名单测试")
    org = server.session(world.phones.org_a, PASSWORD)
    expected = org.get(f"{server.url}/api/v1/events/{event}/attendance", timeout=10).json()["summary"]["expected"]
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.org_a, f"/app/staff/live.html?event={event}")
    expect(page.locator("#event-title")).to_have_text("现场名单测试")
    expect(count_of(page, "expected")).to_have_text(str(expected))
    expect(count_of(page, "present")).to_have_text("0")

    # search the roster by name and check in by hand, with a reason
    page.fill("#roster-q", "甲二")
    result = page.locator(f"#roster-results li[data-member='{world.ids.a2}']")
    expect(result).to_be_visible()
    result.locator("button").click()
    answer_dialog(page, "未带手机")
    row = page.locator("#att-list li", has_text="甲二")
    expect(row).to_be_visible()
    expect(count_of(page, "present")).to_have_text("1")
    expect(count_of(page, "absent")).to_have_text(str(expected - 1))
    # the event has not ended: nobody is "absent" yet, they are not here yet (newcomer issue, item 3)
    expect(page.locator("[data-count=absent] span")).to_have_text("未到")
    expect(page.locator("[data-count=absent]")).not_to_have_class(re.compile(r"\babsent\b"))
    page.click("#show-missing")  # who is missing, each one tap from a check-in
    missing = page.locator(f"#missing-list li[data-member='{world.ids.a4}']")
    expect(missing).to_be_visible()
    expect(page.locator(f"#missing-list li[data-member='{world.ids.a2}']")).to_have_count(0)  # already here
    missing.locator("button").click()
    answer_dialog(page, "迟到，现场登记")
    expect(page.locator(f"#missing-list li[data-member='{world.ids.a4}']")).to_have_count(0)
    expect(count_of(page, "present")).to_have_text("2")
    assert q("select state from attendance where event_id = :e and user_id = :u", e=event, u=world.ids.a4) == \
        [("checked_in",)]
    [(att_id, state, method, note)] = q("select id, state, checkin_method, note from attendance "
                                        "where event_id = :e and user_id = :u", e=event, u=world.ids.a2)
    assert (state, method, note) == ("checked_in", "manual", "未带手机")
    assert q("select reason, actor_id from audit_log where action = 'attendance.manual_checkin' and object_id = :a",
             a=att_id) == [("未带手机", world.ids.org_a)]

    # a member scanning the venue code shows up within a few seconds, without a reload
    token = org.get(f"{server.url}/api/v1/events/{event}/qr-token", timeout=10).json()["token"]
    assert scan(server.session(world.phones.a3, PASSWORD), server, token).status_code == 201
    expect(page.locator("#att-list li", has_text="甲三")).to_be_visible(timeout=10000)
    expect(count_of(page, "present")).to_have_text("3")
    assert_phone_friendly(page)
    screenshot(page, "staff-live")

    # annul the manual check-in, with a reason
    page.locator(f"#att-list li[data-att='{att_id}'] [data-action=annul]").click()
    answer_dialog(page, "误操作，本人未到")
    expect(page.locator(f"#att-list li[data-att='{att_id}']")).to_have_count(0)
    expect(count_of(page, "present")).to_have_text("2")
    expect(count_of(page, "annulled")).to_have_text("1")
    assert q("select state from attendance where id = :a", a=att_id)[0][0] == "annulled"
    assert q("select reason from audit_log where action = 'attendance.annul' and object_id = :a",
             a=att_id) == [("误操作，本人未到",)]
    page.check("#show-annulled")
    expect(page.locator(f"#att-list li[data-att='{att_id}']")).to_contain_text("已作废")
    # a mistaken annulment is undone from the same row, with a reason; the count follows
    page.locator(f"#att-list li[data-att='{att_id}'] [data-action=restore]").click()
    expect(page.locator("dialog[open] [data-role=submit]")).to_have_text("确认恢复")
    answer_dialog(page, "核实为本人到场")
    expect(page.locator(f"#att-list li[data-att='{att_id}']")).not_to_contain_text("已作废")
    expect(count_of(page, "annulled")).to_have_text("0")
    assert q("select state from attendance where id = :a", a=att_id)[0][0] != "annulled"
    page.locator(f"#att-list li[data-att='{att_id}'] [data-action=annul]").click()  # and annulled again
    answer_dialog(page, "误操作，本人未到")
    expect(count_of(page, "annulled")).to_have_text("1")

    page.click("#bar button.lang")  # the English switch
    expect(page.locator("[data-count=present] span")).to_have_text("Present")
    expect(page.locator("#export-csv")).to_have_attribute("href", f"/api/v1/events/{event}/attendance.csv")
    for link in ("#export-csv", "#export-xlsx"):  # the links download with the page's own session
        export = context.request.get(server.url + page.locator(link).get_attribute("href"))
        assert export.ok and len(export.body()) > 100, (link, export.status)
    assert "甲三" in context.request.get(f"{server.url}/api/v1/events/{event}/attendance.csv").text()
    screenshot(page, "staff-live-en")
    watch.assert_clean()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_card_camera_checks_a_member_in(server, playwright, world, make_event, q, tmp_path):
    event = make_event("volunteer_service", title="党员证签到测试")  # open audience: no roster, cards only
    org = server.session(world.phones.org_a, PASSWORD)
    card = org.get(f"{server.url}/api/v1/members/{world.ids.a4}/card.png", timeout=10)
    assert card.status_code == 200
    chromium = launch(playwright, camera_file=make_y4m(card.content, tmp_path / "card.y4m"))
    try:
        context, page, watch = open_page(chromium, server)
        context.grant_permissions(["camera"], origin=server.url)
        sign_in(page, server, world.phones.org_a, f"/app/staff/live.html?event={event}")
        page.click("#card-scan")  # no BarcodeDetector on Linux Chromium: the vendored jsQR reads it
        dialog = page.locator("dialog[open]")
        expect(dialog).to_be_visible(timeout=15000)
        expect(dialog.locator("textarea[name=reason]")).to_have_value("扫描签到卡签到")
        answer_dialog(page)
        expect(page.locator("#att-list li", has_text="甲四")).to_be_visible()
        expect(page.locator("#card-camera")).to_be_hidden()
        assert q("select state, checkin_method, note from attendance where event_id = :e and user_id = :u",
                 e=event, u=world.ids.a4) == [("checked_in", "card", "扫描签到卡签到")]
        assert_phone_friendly(page)
        screenshot(page, "staff-live-card")
        watch.assert_clean()
    finally:
        chromium.close()


@pytest.mark.browser
@pytest.mark.slow
def test_liaison_confirms_adjusts_rejects_and_confirms_in_bulk(server, browser, world, make_event, ctx, q):
    duties = [make_event("community_duty", title=f"社区值守{n}", **PAST) for n in (1, 2, 3)]
    att = {(d, who): served(ctx, d, getattr(world.ids, who)) for d in duties for who in ("a1", "a2")}
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.liaison1, "/app/staff/hours.html")
    expect(page.locator("#hours-list li[data-att]")).to_have_count(6)
    expect(page.locator("[data-tab=pending]")).to_contain_text("6")
    assert_phone_friendly(page)
    screenshot(page, "staff-hours")

    confirm, adjust, reject = att[(duties[0], "a1")], att[(duties[0], "a2")], att[(duties[1], "a1")]
    page.locator(f"li[data-att='{confirm}'] [data-action=confirm]").click()
    expect(page.locator(f"li[data-att='{confirm}']")).to_have_count(0)
    assert q("select state, hours_confirmed, confirmed_by_id from attendance where id = :a", a=confirm) == [
        ("confirmed", 2.0, world.ids.liaison1)]

    page.locator(f"li[data-att='{adjust}'] [data-action=adjust]").click()
    answer_dialog(page, "提前半小时离开", hours=1.5)
    expect(page.locator(f"li[data-att='{adjust}']")).to_have_count(0)
    assert q("select state, hours_confirmed from attendance where id = :a", a=adjust) == [("confirmed", 1.5)]
    assert q("select reason from audit_log where action = 'hours.adjust' and object_id = :a", a=adjust) == [
        ("提前半小时离开",)]

    page.locator(f"li[data-att='{reject}'] [data-action=reject]").click()
    answer_dialog(page, "当天未到岗")
    expect(page.locator(f"li[data-att='{reject}']")).to_have_count(0)
    assert q("select state, hours_confirmed from attendance where id = :a", a=reject) == [("rejected", None)]
    assert q("select reason from audit_log where action = 'hours.reject' and object_id = :a", a=reject) == [
        ("当天未到岗",)]

    expect(page.locator("#hours-list li[data-att]")).to_have_count(3)
    page.check("#select-all")
    expect(page.locator("#bulk-count")).to_have_text("已选 3 项")
    screenshot(page, "staff-hours-selected")
    page.click("#bulk-confirm")  # asks first: how many, and whose
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("h2")).to_have_text("确认 3 条服务时长？")
    expect(dialog).to_contain_text("甲一")
    expect(dialog.locator("[data-role=submit]")).to_have_text("确认这 3 条")
    expect(dialog.locator("[data-role=dismiss]")).to_have_text("再看看")
    assert q("select count(*) from attendance where state = 'confirmed'") == [(2,)]  # nothing sent yet
    answer_dialog(page)
    expect(page.locator("#hours-list")).to_have_count(0)
    rest = [a for a in att.values() if a not in (confirm, adjust, reject)]
    states = [q("select state, hours_confirmed from attendance where id = :a", a=a)[0] for a in rest]
    assert states == [("confirmed", 2.0)] * 3

    page.click("[data-tab=confirmed]")
    expect(page.locator("#hours-list li[data-att]")).to_have_count(5)
    watch.assert_clean()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_organizer_creates_edits_and_cancels_an_event(server, browser, world, q):
    context, page, watch = open_page(browser, server, geolocation={"latitude": 31.2304, "longitude": 121.4737},
                                     permissions=["geolocation"])
    sign_in(page, server, world.phones.org_a)
    page.click("#new-event")
    expect(page.locator("#event-form")).to_be_visible()
    page.select_option("#f-kind", "volunteer_service")
    page.fill("#f-title", "周末义诊志愿服务")
    expect(page.locator("#f-host")).to_have_value(str(world.branch_a_id))
    page.fill("#f-place_name", "社区卫生服务站")
    page.click("#locate")  # "use my location"
    expect(page.locator("#f-lat")).to_have_value("31.230400")
    expect(page.locator("#f-geofence_mode")).to_have_value("record")
    page.fill("#f-capacity", "20")
    page.select_option("#f-qr_mode", "static")
    assert_phone_friendly(page)
    screenshot(page, "staff-event-form")
    page.click("#save")
    page.wait_for_url(re.compile(r"/app/staff/events\.html"))
    [(event_id, kind, host, lat, mode, capacity, qr_mode, status)] = q(
        "select id, kind, host_org_id, lat, geofence_mode, capacity, qr_mode, status from events "
        "where title = '周末义诊志愿服务'")
    assert (kind, host, mode, capacity, qr_mode, status) == (
        "volunteer_service", world.branch_a_id, "record", 20, "static", "published")
    assert abs(lat - 31.2304) < 1e-6
    card = page.locator(f"[data-event='{event_id}']")
    expect(card).to_be_visible()
    assert_phone_friendly(page)
    screenshot(page, "staff-events")

    card.get_by_role("link", name="编辑").click()
    expect(page.locator("#f-title")).to_have_value("周末义诊志愿服务")
    page.fill("#f-title", "周末义诊志愿服务（第二期）")
    page.click("#save")
    page.wait_for_url(re.compile(r"/app/staff/events\.html"))
    assert q("select title from events where id = :e", e=event_id)[0][0] == "周末义诊志愿服务（第二期）"

    page.locator(f"[data-event='{event_id}'] button.danger").click()
    answer_dialog(page, "场地临时关闭")
    expect(page.locator(f"[data-event='{event_id}']")).to_contain_text("已取消")
    assert q("select status from events where id = :e", e=event_id)[0][0] == "cancelled"
    assert q("select reason from audit_log where action = 'event.cancel' and object_id = :e", e=event_id) == [
        ("场地临时关闭",)]
    watch.assert_clean()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_poster_prints_a_static_code_on_one_a4_page(server, browser, world, make_event, q):
    event = make_event("party_day", title="海报测试主题党日", place_name="党员活动室")
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.org_a, f"/app/staff/poster.html?event={event}")
    expect(page.locator("#print")).to_be_disabled()  # a rotating code would die on paper
    # the window and the one before it are accepted: twice the rotation, not "about a minute"
    expect(page.locator(".warn-text")).to_contain_text(f"最多 {2 * ROTATE_SECONDS} 秒后即失效")
    page.click("#make-static")
    expect(page.locator("#print")).to_be_enabled()
    assert q("select qr_mode from events where id = :e", e=event)[0][0] == "static"
    poster = page.locator("#poster")
    expect(poster).to_contain_text("用微信“扫一扫”或手机相机扫码签到")
    expect(poster).to_contain_text("党员活动室")
    page.wait_for_function("() => { const i = document.querySelector('#poster-qr'); return i && i.naturalWidth > 0; }")
    expect(page.locator(".toast")).to_have_count(0, timeout=6000)  # the "switched" note covered the code
    token = token_of(server, decode_qr(page.locator("#poster-qr").screenshot()))
    resp = scan(server.session(world.phones.a1, PASSWORD), server, token)
    assert resp.status_code == 201 and resp.json()["outcome"] == "checked_in", resp.text
    assert_phone_friendly(page)
    screenshot(page, "staff-poster")

    page.emulate_media(media="print")
    expect(page.locator("#bar")).to_be_hidden()
    expect(page.locator("#poster-controls")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "staff-poster.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 sheet
    watch.assert_clean()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_staff_pages_ask_to_sign_in_and_refuse_plain_members(server, browser, world):
    context, page, watch = open_page(browser, server)
    page.goto(server.url + "/app/staff/hours.html")
    expect(page.locator("#login-form")).to_be_visible()  # nobody signed in on this device: no /me call
    assert_phone_friendly(page)
    screenshot(page, "staff-sign-in")
    page.fill("#login-phone", world.phones.a1)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.get_by_role("alert")).to_have_text("您没有权限查看本页。")
    watch.assert_clean()
    stored = page.evaluate("() => localStorage.getItem('qd-me')")
    assert stored is None or json.loads(stored)["phone"] == world.phones.a1
    context.close()


def test_staff_files_keep_to_the_csp_and_stay_small(anon):
    """A cheap static guard beside the browser tests: pages with no inline code or styles, served under
    the app's CSP; modules small, writing text (never HTML), naming no other host."""
    pages = sorted(STAFF_PAGES.glob("*.html"))
    assert {p.name for p in pages} >= {"events.html", "edit.html", "display.html", "poster.html", "live.html",
                                       "hours.html"}
    for page in pages:
        resp = anon.get(f"/app/staff/{page.name}")
        assert resp.status_code == 200 and "script-src 'self'" in resp.headers["Content-Security-Policy"]
        html = resp.get_data(as_text=True)
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert scripts and all('type="module"' in attrs and 'src="/app/staff/' in attrs and not body.strip()
                               for attrs, body in scripts), page.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.I), page.name
    for module in sorted(STAFF.glob("*.js")):
        text = module.read_text()
        assert text.count("\n") <= 300, f"{module.name}: keep modules small"
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                       'setAttribute("style"', ".style.", "cssText"):
            assert banned not in text, f"{module.name}: {banned}"
    for asset in [*STAFF.glob("*.js"), *STAFF.glob("*.css"), *STAFF_PAGES.glob("*.html")]:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", asset.read_text(), re.I), asset.name
