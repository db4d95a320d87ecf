"""The member app in Debian's Chromium on a phone-sized touch screen, against a real gunicorn.

The camera is Chromium's fake device fed a video of the event's real QR image (fetched from the
API as its organizer), so the page's own decoder (jsQR: Chromium on Linux has no BarcodeDetector)
reads it. Screenshots of each screen go to artifacts/screenshots/member-*.png.
"""
import re
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from server.auth.cards import card_token
from server.common.timeutil import utcnow
from server.scans.services import ONLINE_TOLERANCE_S
from tests.browser import BASE_ARGS, CHROMIUM, PHONE, PageWatch, launch, make_y4m, screenshot
from tests.live import LiveServer
from tests.support import PASSWORD, iso

pytestmark = pytest.mark.browser

# A scan sent later than this after it was made is judged at its scanned_at (offline).
OFFLINE_AFTER_S = ONLINE_TOLERANCE_S
WAIT_MS = 20000

# Chromium logs "Failed to load resource" as a console error for every HTTP error status and every
# request that fails for want of a network, even when the page handles it. The tests that provoke
# such a response on purpose (a refusal, an offline scan) drop exactly that message, nothing else.
FAILED_OFFLINE = re.compile(r"^console\.error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED$")


def failed_status(status: int) -> re.Pattern:
    return re.compile(rf"^console\.error: Failed to load resource: the server responded with a status of {status} ")


def assert_clean(watch: PageWatch, *expected: re.Pattern) -> None:
    watch.errors = [e for e in watch.errors if not any(p.search(e) for p in expected)]
    watch.assert_clean()


@contextmanager
def phone(pw, server, camera=None, grant_camera=True):
    browser = launch(pw, camera)
    try:
        context = browser.new_context(**PHONE)
        if camera is not None and grant_camera:
            context.grant_permissions(["camera"], origin=server.url)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        yield page, PageWatch(page, server.url), context
        context.close()
    finally:
        browser.close()


def sign_in(page, phone_number: str) -> None:
    expect(page.locator("#view-login")).to_be_visible()
    page.fill("#login-phone", phone_number)
    page.fill("#login-password", PASSWORD)
    page.locator("#login-submit").tap()


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def small_tap_targets(page) -> list[str]:
    """Visible buttons and links smaller than 44 px either way (text links inside prose excepted)."""
    return page.evaluate("""() => [...document.querySelectorAll('button, a.button, .lang, .brand')]
        .filter((n) => n.offsetParent !== null)
        .map((n) => [n.id || n.textContent.trim(), n.getBoundingClientRect()])
        .filter(([, r]) => r.width < 44 || r.height < 44).map(([name]) => name)""")


def qr_png(server, world, event_id: int, direction: str = "in") -> bytes:
    """The code the venue screen shows now, fetched as the event's organizer (rotates every 20 s)."""
    org = server.session(world.phones.org_a, PASSWORD)
    resp = org.get(f"{server.url}/api/v1/events/{event_id}/qr", params={"direction": direction, "format": "png"},
                   timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/png"
    return resp.content


def wait_for_service_worker(page) -> None:
    page.wait_for_function("navigator.serviceWorker.controller !== null || "
                           "navigator.serviceWorker.ready.then(() => true)")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def test_member_signs_in_and_checks_in_with_the_camera(pw, server, world, make_event, q, tmp_path):
    eid = make_event("volunteer_service", title="社区环境清洁志愿服务", place_name="幸福里社区服务中心")
    camera = make_y4m(qr_png(server, world, eid), tmp_path / "qr.y4m")
    with phone(pw, server, camera) as (page, watch, _context):
        page.goto(server.url + "/")
        screenshot(page, "member-login")
        sign_in(page, world.phones.a1)
        expect(page.locator("#view-home")).to_be_visible()
        expect(page.locator("#list-open")).to_contain_text("社区环境清洁志愿服务")
        screenshot(page, "member-home")
        no_horizontal_scroll(page)
        assert not small_tap_targets(page)

        page.locator("#home-scan").tap()
        result = page.locator("#view-result")
        expect(result).to_have_class(re.compile(r"\bok\b"))
        expect(page.locator("#result-message")).to_have_text("签到成功")
        expect(page.locator("#event-title")).to_have_text("社区环境清洁志愿服务")
        expect(page.locator("#result-next")).to_contain_text("签退二维码")
        assert re.search(r"/s/[A-Za-z0-9_-]+$", page.url), page.url
        screenshot(page, "member-result-checked-in")
        rows = q("select user_id, checkin_method, state from attendance where event_id = :e", e=eid)
        assert rows == [(world.ids.a1, "qr", "checked_in")]
        checkin_at = q("select count(*) from scans where event_id = :e", e=eid)
        assert checkin_at == [(1,)]

        # A reload sends the same client_scan_id: the first answer again, no second scan.
        page.reload()
        expect(page.locator("#result-message")).to_have_text("签到成功")
        assert q("select count(*) from scans where event_id = :e", e=eid) == [(1,)]

        # Scanning again with the camera is a new scan: "already checked in at hh:mm", not an error.
        page.locator("#result-scan").tap()
        expect(page.locator("#result-message")).to_have_text(re.compile(r"^已于 \d\d:\d\d 签到$"))
        expect(result).to_have_class(re.compile(r"\bok\b"))
        expect(page.locator("#result-sub")).to_have_text("您已签到，无需重复签到")
        screenshot(page, "member-result-already")
        assert q("select count(*) from scans where event_id = :e", e=eid) == [(2,)]
        assert q("select count(*) from attendance where event_id = :e", e=eid) == [(1,)]
        assert_clean(watch)


def test_scan_url_opened_signed_out_signs_in_then_sends_once(pw, server, world, make_event, token_for, q):
    eid = make_event("party_day", title="十一月主题党日", start_in=timedelta(minutes=-2))
    with phone(pw, server) as (page, watch, _context):
        page.goto(f"{server.url}/s/{token_for(eid)}")
        expect(page.locator("#login-hint")).to_have_text("登录后将自动完成本次扫码，无需重新扫码。")
        screenshot(page, "member-login-for-scan")
        sign_in(page, world.phones.a2)
        expect(page.locator("#view-result")).to_have_class(re.compile(r"\bok\b"))
        expect(page.locator("#result-message")).to_have_text("签到成功")
        expect(page.locator("#result-next")).to_have_text("本次主题党日只需签到，无需签退。")
        assert q("select count(*) from scans where user_id = :u", u=world.ids.a2) == [(1,)]
        page.reload()  # signed in now, same client_scan_id: the same answer, still one scan
        expect(page.locator("#result-message")).to_have_text("签到成功")
        assert q("select count(*) from scans where user_id = :u", u=world.ids.a2) == [(1,)]
        assert q("select user_id, state from attendance where event_id = :e", e=eid) == [(world.ids.a2, "checked_in")]
        assert_clean(watch)


def test_a_minute_on_the_sign_in_form_does_not_lose_the_scan(pw, server, world, make_event, token_for, q):
    """The code is judged at the moment it was opened, not when the sign-in ends (the rotating code on the
    screen has long changed by then)."""
    eid = make_event("party_day", title="十二月主题党日", start_in=timedelta(minutes=-2))
    with phone(pw, server) as (page, watch, _context):
        page.goto(f"{server.url}/s/{token_for(eid)}")
        opened = utcnow()
        expect(page.locator("#login-hint")).to_have_text("登录后将自动完成本次扫码，无需重新扫码。")
        time.sleep(60)  # a member looking up their password
        sign_in(page, world.phones.a2)
        expect(page.locator("#result-message")).to_have_text("签到成功")
        expect(page.locator("#view-result")).to_have_class(re.compile(r"\bok\b"))
        ((checkin_at, method),) = q("select checkin_at, checkin_method from attendance where event_id = :e", e=eid)
        assert abs((datetime.fromisoformat(str(checkin_at)) - opened).total_seconds()) < 3
        assert method == "offline_qr"
        assert q("select count(*) from scans where user_id = :u", u=world.ids.a2) == [(1,)]
        assert_clean(watch, failed_status(401))


def test_offline_scans_wait_in_the_outbox_and_go_when_back_online(pw, server, world, make_event, token_for, q):
    open_eid = make_event("volunteer_service", title="敬老院陪伴")
    closed_eid = make_event("volunteer_service", title="已结束的服务", start_in=timedelta(hours=-5), hours=1)
    with phone(pw, server) as (page, watch, context):
        page.goto(server.url + "/")
        sign_in(page, world.phones.a1)
        expect(page.locator("#view-home")).to_be_visible()
        wait_for_service_worker(page)

        context.set_offline(True)
        scanned = time.monotonic()
        # The phone's camera app opens the code's URL: the service worker serves the app offline.
        page.goto(f"{server.url}/s/{token_for(open_eid)}")
        expect(page.locator("#view-result")).to_have_class(re.compile(r"\bwait\b"))
        expect(page.locator("#result-message")).to_have_text("待发送")
        screenshot(page, "member-result-waiting")
        page.goto(f"{server.url}/s/{token_for(closed_eid)}")  # a code whose check-in has closed
        expect(page.locator("#result-message")).to_have_text("待发送")
        page.goto(server.url + "/")  # the app opens offline, with the outbox count
        expect(page.locator("#stat-outbox")).to_have_text("2")
        expect(page.locator("#outbox-waiting")).to_contain_text("有 2 条扫码待发送")
        screenshot(page, "member-home-outbox-waiting")
        assert q("select count(*) from scans") == [(0,)]

        time.sleep(max(0.0, OFFLINE_AFTER_S + 1 - (time.monotonic() - scanned)))  # old enough to count as offline
        context.set_offline(False)  # the 'online' event sends the outbox
        results = page.locator("#outbox-results li")
        expect(results).to_have_count(2)
        expect(page.locator("#stat-outbox")).to_have_text("0")
        expect(page.locator("#stat-outbox")).to_be_hidden()  # "0 to send" is not shown at all
        expect(results.nth(0)).to_contain_text("签到成功")
        expect(results.nth(0)).to_contain_text("敬老院陪伴")
        expect(results.nth(1)).to_contain_text("签到已结束")  # refused, and shown, not dropped
        expect(results.nth(1)).to_have_class(re.compile(r"\bbad\b"))
        expect(page.locator("#home-stale")).to_be_hidden()  # home's figures fetched again once online
        expect(page.locator("#list-open")).to_contain_text("敬老院陪伴")
        screenshot(page, "member-home-outbox-results")
        assert q("select user_id, checkin_method from attendance") == [(world.ids.a1, "offline_qr")]
        scans = q("select event_id, outcome, offline from scans order by event_id")
        assert [(e, o, bool(f)) for e, o, f in scans] == [(open_eid, "checked_in", True), (closed_eid, "closed", True)]

        for _ in range(2):
            page.locator("#outbox-results li button").first.tap()
        expect(page.locator("#home-outbox")).to_be_hidden()
        assert_clean(watch, FAILED_OFFLINE, failed_status(409))


DECODER_KEPT = """async () => {
  for (const key of await caches.keys()) {
    const cache = await caches.open(key);
    if (await cache.match("/app/vendor/jsqr-1.4.0/jsQR.js") && await cache.match("/app/js/qr-worker.js")) return true;
  }
  return false;
}"""


def test_in_app_scanner_works_offline_on_a_phone_without_barcode_detector(pw, server, world, make_event, q,
                                                                         tmp_path):
    """As on an iPhone or in many WeChat browsers: the decoder is jsQR, kept once the app has loaded."""
    eid = make_event("party_day", title="离线扫码主题党日", start_in=timedelta(minutes=-1))
    camera = make_y4m(qr_png(server, world, eid), tmp_path / "qr.y4m")
    with phone(pw, server, camera) as (page, watch, context):
        context.add_init_script("delete window.BarcodeDetector;")
        page.goto(server.url + "/")
        sign_in(page, world.phones.a4)
        expect(page.locator("#view-home")).to_be_visible()
        wait_for_service_worker(page)
        page.wait_for_function(DECODER_KEPT)  # fetched in the background, never opened yet
        context.set_offline(True)
        scanned = time.monotonic()
        page.locator("#home-scan").tap()
        expect(page.locator("#result-message")).to_have_text("待发送")
        assert q("select count(*) from scans") == [(0,)]
        time.sleep(max(0.0, OFFLINE_AFTER_S + 1 - (time.monotonic() - scanned)))
        context.set_offline(False)
        expect(page.locator("#result-message")).to_have_text("签到成功")
        assert q("select user_id, checkin_method from attendance where event_id = :e", e=eid) == \
            [(world.ids.a4, "offline_qr")]
        assert q("select count(*) from scans") == [(1,)]
        assert_clean(watch, FAILED_OFFLINE)


def test_scanner_errors_say_what_fits_their_cause(pw, server, world, make_event, tmp_path):
    """The decoder failing to load is not a camera-permission problem: each cause has its own advice."""
    camera = make_y4m(qr_png(server, world, make_event("party_day")), tmp_path / "qr.y4m")
    with phone(pw, server, camera) as (page, watch, context):
        context.add_init_script("delete window.BarcodeDetector;")
        context.route("**/app/js/qr-worker.js", lambda route: route.abort())
        page.goto(server.url + "/")
        sign_in(page, world.phones.a4)
        expect(page.locator("#view-home")).to_be_visible()
        page.locator("#home-scan").tap()
        expect(page.locator("#scan-error-title")).to_have_text("二维码识别组件还没有下载到手机上")
        expect(page.locator("#scan-error-help")).to_contain_text("联网后重试即可")
        expect(page.locator("#scan-error-help")).not_to_contain_text("设置")
        assert_clean(watch, re.compile(r"net::ERR_FAILED"))


def test_waiting_answer_screen_shows_the_result_when_back_online(pw, server, world, make_event, token_for, q):
    eid = make_event("party_day", title="主题党日（离线）", start_in=timedelta(minutes=-1))
    with phone(pw, server) as (page, watch, context):
        page.goto(server.url + "/")
        sign_in(page, world.phones.a3)
        expect(page.locator("#view-home")).to_be_visible()
        wait_for_service_worker(page)
        context.set_offline(True)
        page.goto(f"{server.url}/s/{token_for(eid)}")
        expect(page.locator("#result-message")).to_have_text("待发送")
        page.reload()  # still offline: the same scan, still one item waiting
        expect(page.locator("#result-message")).to_have_text("待发送")
        time.sleep(OFFLINE_AFTER_S + 1)
        context.set_offline(False)
        expect(page.locator("#view-result")).to_have_class(re.compile(r"\bok\b"))
        expect(page.locator("#result-message")).to_have_text("签到成功")
        expect(page.locator("#result-note")).to_have_text(re.compile(r"^已按扫码时间 \d\d:\d\d 记录。$"))
        screenshot(page, "member-result-offline-sent")
        assert q("select user_id, checkin_method from attendance") == [(world.ids.a3, "offline_qr")]
        assert q("select count(*) from scans") == [(1,)]
        assert_clean(watch, FAILED_OFFLINE)


def test_checkout_hours_records_and_english(pw, server, world, make_event, token_for, scan, q, long_grace):
    eid = make_event("community_duty", title="垃圾分类督导", start_in=timedelta(hours=-2), hours=3)
    arrived = utcnow() - timedelta(minutes=100)
    assert scan(world.phones.a1, token_for(eid, at=arrived), scanned_at=iso(arrived)).status_code == 201
    party = make_event("party_day", title="十一月主题党日", start_in=timedelta(minutes=-1))
    assert scan(world.phones.a1, token_for(party)).status_code == 201  # pays points: in the ledger
    with phone(pw, server) as (page, watch, context):
        page.goto(f"{server.url}/s/{token_for(eid, 'out')}")
        sign_in(page, world.phones.a1)
        expect(page.locator("#result-message")).to_have_text("签退成功")
        facts = page.locator("#result-facts")
        expect(facts).to_contain_text("1.5 小时（待社区联络员确认）")
        expect(page.locator("#result-next")).to_contain_text("社区联络员确认")
        screenshot(page, "member-result-checked-out")

        page.goto(server.url + "/#records")
        expect(page.locator("#records-list")).to_contain_text("垃圾分类督导")
        expect(page.locator("#records-list")).to_contain_text("待确认")
        screenshot(page, "member-records-history")
        page.locator("#tab-pending").tap()
        expect(page.locator("#records-list li")).to_have_count(1)
        screenshot(page, "member-records-pending")
        page.locator("#tab-points").tap()
        expect(page.locator("#records-balance-value")).to_have_text("5")
        expect(page.locator("#records-list")).to_contain_text("十一月主题党日")
        expect(page.locator("#records-list")).to_contain_text("+5")
        screenshot(page, "member-records-points")
        no_horizontal_scroll(page)
        assert not small_tap_targets(page)

        page.locator("#lang-toggle").tap()  # English: the page's words and the server's messages
        expect(page.locator("#tab-points")).to_have_text("Points")
        # The camera app opens the code again (a new tab: a new scan): already checked out, in English.
        tab = context.new_page()
        tab_watch = PageWatch(tab, server.url)
        tab.goto(f"{server.url}/s/{token_for(eid, 'out')}")
        expect(tab.locator("#result-message")).to_have_text(re.compile(r"^Already checked out at \d\d:\d\d$"))
        expect(tab.locator("#result-sub")).to_have_text("You are already checked out")
        screenshot(tab, "member-result-already-out-en")
        assert_clean(tab_watch)
        page.goto(server.url + "/")
        expect(page.locator("#home-scan")).to_contain_text("Scan to check in / out")
        screenshot(page, "member-home-en")
        no_horizontal_scroll(page)
        assert_clean(watch)


def test_refusal_camera_denied_card_and_registration_pages(pw, server, world, make_event, token_for, q, ctx):
    eid = make_event("party_day", title="十二月主题党日", start_in=timedelta(days=3))
    liaison = server.session(world.phones.liaison1, PASSWORD)
    code = liaison.get(f"{server.url}/api/v1/communities/{world.c1_id}/registration-code", timeout=10).json()
    with ctx():  # the token of the member's printed card, as an organizer's scanner reads it
        card = card_token(world.ids.a3)
    with phone(pw, server, camera=None) as (page, watch, _context):
        page.goto(f"{server.url}/s/{token_for(eid)}")
        sign_in(page, world.phones.a3)
        expect(page.locator("#view-result")).to_have_class(re.compile(r"\bbad\b"))
        expect(page.locator("#result-message")).to_have_text("签到尚未开始")  # the fact; the advice follows once
        expect(page.locator("#result-next")).to_have_text("请在签到开始后再扫码。")
        expect(page.locator("#view-result")).not_to_contain_text("not_open_yet")  # no raw code on a member screen
        expect(page.locator("#result-facts")).to_contain_text("签到开始")
        expect(page.locator("#result-retry")).to_be_visible()
        screenshot(page, "member-result-refused")
        page.goto(f"{server.url}/s/not-a-real-token-{uuid.uuid4().hex[:8]}")
        expect(page.locator("#result-next")).to_have_text("请扫描现场屏幕上最新的二维码。")

        # A phone without a camera: a clear way out instead of a dead end.
        page.goto(server.url + "/#scan")
        expect(page.locator("#scan-error-title")).to_have_text("没有找到可用的相机")
        expect(page.locator("#scan-error")).to_contain_text("微信“扫一扫”")
        no_horizontal_scroll(page)

        page.goto(f"{server.url}/c/{card}")
        expect(page.locator("#card-text")).to_contain_text("这是您本人的签到卡")
        screenshot(page, "member-card")

        page.goto(f"{server.url}/r/{code['token']}")
        expect(page.locator("#reg-community")).to_have_text("一号社区")
        page.fill("#reg-address", "幸福里 3 号楼")
        screenshot(page, "member-register")
        page.locator("#reg-submit").tap()
        expect(page.locator("#reg-status")).to_have_text("已提交报到申请，请等待社区联络员审核。")
        assert q("select user_id, status, note_address from community_registrations") == [
            (world.ids.a3, "pending", "幸福里 3 号楼")]
        assert_clean(watch, failed_status(409), failed_status(400))
    assert not q("select 1 from attendance")


def test_refused_camera_permission_offers_the_phone_camera_instead(pw, server, world):
    # A camera, but the member answers "don't allow" (headless Chromium refuses when not granted).
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=BASE_ARGS + ["--use-fake-device-for-media-stream"])
    try:
        page = browser.new_context(**PHONE).new_page()
        watch = PageWatch(page, server.url)
        page.goto(server.url + "/")
        sign_in(page, world.phones.a4)
        page.locator("#home-scan").tap()
        expect(page.locator("#scan-error-title")).to_have_text("没有相机权限")
        expect(page.locator("#scan-error")).to_contain_text("手机自带相机或微信“扫一扫”")
        expect(page.locator("#scan-retry")).to_be_visible()
        screenshot(page, "member-scan-camera-denied")
        page.locator("#scan-cancel").tap()
        expect(page.locator("#view-home")).to_be_visible()
        assert_clean(watch)
    finally:
        browser.close()


def test_manage_links_follow_roles_and_sign_out(pw, server, world):
    with phone(pw, server) as (page, watch, _context):
        page.goto(server.url + "/")
        sign_in(page, world.phones.org_a)
        expect(page.locator("#manage-events")).to_be_visible()
        expect(page.locator("#manage-events")).to_have_attribute("href", "/app/staff/events.html")
        expect(page.locator("#manage-hours")).to_be_hidden()
        expect(page.locator("#stat-points")).to_have_text("0")
        screenshot(page, "member-home-organizer")
        page.locator("#logout").tap()
        expect(page.locator("#view-login")).to_be_visible()
        sign_in(page, world.phones.liaison1)
        expect(page.locator("#manage-hours")).to_be_visible()
        expect(page.locator("#manage-hours")).to_have_attribute("href", "/app/staff/hours.html")
        expect(page.locator("#manage-events")).to_be_hidden()
        page.locator("#logout").tap()
        sign_in(page, world.phones.a1)
        expect(page.locator("#home-hello")).to_have_text("您好，甲一")
        expect(page.locator("#home-manage")).to_be_hidden()
        assert_clean(watch)


def test_app_shell_opens_offline_and_stays_small(pw, server, world):
    """The service worker keeps the shell: a reload without network still shows the signed-in home."""
    with phone(pw, server) as (page, watch, context):
        fetched = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(server.url + "/")
        sign_in(page, world.phones.b1)
        expect(page.locator("#stat-points")).to_have_text("0")  # home's data loaded (and kept)
        wait_for_service_worker(page)
        assert not [u for u in fetched if "/vendor/" in u or "qr-worker" in u], "the decoder loads only to scan"
        context.set_offline(True)
        page.reload()
        expect(page.locator("#home-hello")).to_have_text("您好，乙一")
        expect(page.locator("#home-stale")).to_contain_text("暂时无法连接服务器")
        expect(page.locator("#stat-points")).to_have_text("0")  # the last known figures
        screenshot(page, "member-home-offline")
        assert_clean(watch, FAILED_OFFLINE)


def test_a_check_out_minutes_after_the_check_in_asks_first(pw, app, db_url, world, make_event, token_for, q):
    """A check-out scanned minutes after the check-in is usually a slip: the app asks before sending it."""
    srv = LiveServer(db_url, workers=1, extra_env={"EARLY_CHECKOUT_MINUTES": "10"})
    try:
        eid = make_event("volunteer_service", title="刚签到就签退的志愿服务", start_in=timedelta(minutes=-5))
        with phone(pw, srv) as (page, watch, _context):
            page.goto(f"{srv.url}/s/{token_for(eid)}")
            sign_in(page, world.phones.a1)
            expect(page.locator("#result-message")).to_have_text("签到成功")
            page.goto(f"{srv.url}/s/{token_for(eid, 'out')}")
            expect(page.locator("#result-message")).to_have_text(re.compile(r"^您 \d+ 分钟前刚签到，现在签退吗？$"))
            expect(page.locator("#view-result")).to_have_class(re.compile(r"\bwait\b"))  # a question, not a failure
            assert q("select state from attendance where event_id = :e", e=eid) == [("checked_in",)]
            page.locator("#result-retry").tap()
            expect(page.locator("#result-message")).to_have_text("签退成功")
            assert q("select state from attendance where event_id = :e", e=eid) == [("checked_out",)]
            assert_clean(watch, failed_status(409))
    finally:
        srv.stop()
