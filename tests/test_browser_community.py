"""Double registration (双报到) in Debian's Chromium on a phone-sized touch screen, against a real gunicorn.

A member scans the community's registration QR with the member app's own scanner (Chromium's fake
camera fed the PNG the liaison's API serves), files the request; the liaison accepts it on the
community page, shows the QR, posts a need with one slot; the member claims the slot in 我的社区,
withdraws and claims again; another member sees it full, and one who loaded the page before is
refused with the reason; the branch report shows the member, with the XLSX. Every page: no console
errors, no CSP violation, no other host, no sideways scrolling at 360 px, 44 px tap targets, labelled
fields; screenshots in artifacts/screenshots/community-*.png.
"""
import io
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser import PHONE, PHONE_CHECKS, PageWatch, launch, make_y4m, screenshot
from tests.support import PASSWORD

COMMUNITY = Path(__file__).resolve().parent.parent / "mobile_web" / "community"
COMMUNITY_PAGES = Path(__file__).resolve().parent.parent / "server" / "web" / "templates" / "community"
ZONE = ZoneInfo("Asia/Shanghai")  # the deployment's zone (TIMEZONE) and the phone's
WAIT_MS = 20000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

def failed_status(status: int) -> re.Pattern:
    """Chromium logs every HTTP error response as a console error, even one the page handles."""
    return re.compile(rf"^console\.error: Failed to load resource: the server responded with a status of {status} ")


def assert_clean(watch: PageWatch, *expected: re.Pattern) -> None:
    watch.errors = [e for e in watch.errors if not any(p.search(e) for p in expected)]
    watch.assert_clean()


def phone_friendly(page) -> None:
    """Checked before a screenshot (Playwright's screenshot leaves an empty style attribute behind)."""
    problems = page.evaluate(PHONE_CHECKS)
    assert not problems, problems


@contextmanager
def phone(pw, server, camera=None):
    browser = launch(pw, camera)
    try:
        context = browser.new_context(**PHONE)
        if camera is not None:
            context.grant_permissions(["camera"], origin=server.url)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        yield page, PageWatch(page, server.url)
        context.close()
    finally:
        browser.close()


def sign_in_app(page, phone_number: str) -> None:
    """The member app's own sign-in form (/)."""
    expect(page.locator("#view-login")).to_be_visible()
    page.fill("#login-phone", phone_number)
    page.fill("#login-password", PASSWORD)
    page.locator("#login-submit").tap()


def sign_in_page(page, server, phone_number: str, path: str) -> None:
    """The sign-in form of a community (or staff) page."""
    page.goto(server.url + path)
    page.fill("#login-phone", phone_number)
    page.fill("#login-password", PASSWORD)
    page.locator("#login-submit").tap()
    expect(page.locator("#login-form")).to_have_count(0)


def answer_dialog(page, **fields) -> None:
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    for name, value in fields.items():
        dialog.locator(f"[name={name}]").fill(value)
    dialog.locator("button[type=submit]").tap()
    expect(page.locator("dialog[open]")).to_have_count(0)


def slot_times() -> tuple[datetime, datetime]:
    """Tomorrow 09:00–11:00 in the deployment's zone: claimable and withdrawable during the test."""
    start = (datetime.now(ZONE) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=2)


def registration_png(server, world) -> bytes:
    liaison = server.session(world.phones.liaison1, PASSWORD)
    resp = liaison.get(f"{server.url}/api/v1/communities/{world.c1_id}/registration-qr",
                       params={"format": "png"}, timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/png", resp.text
    return resp.content


def post_need(liaison, start: datetime, end: datetime) -> tuple[int, int]:
    """On the liaison's page: a need with one slot for one person; returns (duty id, slot id) from the page."""
    liaison.locator("#tab-needs").tap()
    liaison.locator("#need-new").tap()
    form = liaison.locator("#need-form")
    form.locator("[name=title]").fill("楼道清洁")
    form.locator("[name=description]").fill("清扫 3 号楼楼道，整理堆放杂物。\n请自带手套。")
    form.locator("[name=place_name]").fill("一号社区 3 号楼")
    form.locator("[name=skills]").fill("细心、能登高")
    expect(form.locator("fieldset.slot-edit")).to_have_count(1)
    form.locator("[name=starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=ends_at]").fill(end.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=capacity]").fill("1")
    phone_friendly(liaison)
    screenshot(liaison, "community-liaison-need-form")
    liaison.locator("#need-save").tap()
    card = liaison.locator("#needs-current li.duty", has_text="楼道清洁")
    expect(card).to_be_visible()
    expect(card).to_contain_text("已认领 0/1 人")
    duty_id = int(card.get_attribute("data-duty"))
    slot_id = int(card.locator("li.slot").first.get_attribute("data-slot"))
    return duty_id, slot_id


def edit_need(liaison, q, duty_id: int, slot_id: int) -> None:
    """Edit: a new place (into the slots' events too) and a second slot; then cancel that slot alone."""
    card = liaison.locator(f"li.duty[data-duty='{duty_id}']")
    card.locator("[data-action=edit]").tap()
    form = liaison.locator("#need-form")
    expect(form.locator("[name=title]")).to_have_value("楼道清洁")
    form.locator("[name=place_name]").fill("一号社区 3 号楼大厅")
    liaison.locator("#slot-add").tap()
    rows = form.locator("fieldset.slot-edit")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("[name=capacity]").fill("3")
    liaison.locator("#need-save").tap()
    expect(card).to_contain_text("地点：一号社区 3 号楼大厅")
    expect(card.locator("li.slot")).to_have_count(2)
    slots = q("select id, capacity, status from duty_slots where duty_id = :d order by starts_at", d=duty_id)
    assert [(c, st) for _i, c, st in slots] == [(1, "open"), (3, "open")] and slots[0][0] == slot_id
    assert q("select distinct e.place_name from events e join duty_slots s on s.event_id = e.id") == [
        ("一号社区 3 号楼大厅",)]
    card.locator("[data-action=edit]").tap()
    second = form.locator(f"fieldset.slot-edit[data-slot='{slots[1][0]}']")
    second.locator("[data-action=cancel-slot]").tap()
    answer_dialog(liaison)
    expect(second).to_contain_text("已取消")
    expect(form.locator("fieldset.slot-edit[data-slot] [name=starts_at]:disabled")).to_have_count(1)
    liaison.locator("#need-back").tap()
    expect(card.locator(f"li.slot[data-slot='{slots[1][0]}']")).to_contain_text("已取消")
    assert q("select status from duty_slots where id = :s", s=slots[1][0]) == [("cancelled",)]


@pytest.mark.browser
def test_member_registers_by_scanning_claims_a_slot_and_shows_in_the_report(pw, server, world, q, tmp_path):
    camera = make_y4m(registration_png(server, world), tmp_path / "registration.y4m")
    start, end = slot_times()
    with phone(pw, server, camera) as (member, mwatch):
        # Home: the way to "my community", and how to register while not registered.
        member.goto(server.url + "/")
        sign_in_app(member, world.phones.a3)
        expect(member.locator("#home-community")).to_have_text("我的社区（报到、认领社区服务）")
        expect(member.locator("#home-community-note")).to_contain_text("报到二维码")
        phone_friendly(member)
        screenshot(member, "community-home-unregistered")

        member.locator("#home-community").tap()
        expect(member).to_have_url(server.url + "/app/community/index.html")
        expect(member.locator("#cm-community")).to_contain_text("您还没有到居住地社区报到")
        expect(member.locator("#cm-needs")).to_contain_text("到社区报到并通过审核后")
        phone_friendly(member)
        screenshot(member, "community-member-unregistered")

        # "扫码报到" opens the app's scanner, which reads the registration code's /r/ URL.
        member.locator("#cm-scan").tap()
        expect(member.locator("#view-register")).to_be_visible()
        assert re.search(r"/r/[A-Za-z0-9_-]+$", member.url), member.url
        expect(member.locator("#reg-community")).to_have_text("一号社区")
        member.fill("#reg-address", "幸福里 3 号楼 502")
        member.fill("#reg-skills", "水电维修")
        screenshot(member, "community-register")
        member.locator("#reg-submit").tap()
        expect(member.locator("#reg-status")).to_have_text("已提交报到申请，请等待社区联络员审核。")
        assert q("select user_id, community_id, status, note_address from community_registrations") == [
            (world.ids.a3, world.c1_id, "pending", "幸福里 3 号楼 502")]

        member.goto(server.url + "/app/community/index.html")
        expect(member.locator("#cm-pending")).to_contain_text("一号社区")
        screenshot(member, "community-member-pending")

        with phone(pw, server) as (liaison, lwatch):
            sign_in_page(liaison, server, world.phones.liaison1, "/app/community/liaison.html")
            request = liaison.locator("#requests li", has_text="甲三")
            expect(request).to_contain_text("幸福里 3 号楼 502")
            expect(request).to_contain_text("水电维修")
            expect(liaison.locator("#tab-pending")).to_contain_text("1")
            phone_friendly(liaison)
            screenshot(liaison, "community-liaison-requests")
            request.locator("[data-action=accept]").tap()
            expect(liaison.locator("dialog[open] textarea[name=message]")).to_have_value("欢迎到一号社区报到！")
            answer_dialog(liaison, message="欢迎甲三同志！")
            expect(liaison.locator("#requests-none")).to_be_visible()
            assert q("select user_id, status, decision_note from community_registrations") == [
                (world.ids.a3, "accepted", "欢迎甲三同志！")]
            assert q("select community_id from users where id = :u", u=world.ids.a3) == [(world.c1_id,)]

            liaison.locator("#tab-qr").tap()
            liaison.wait_for_function("() => { const i = document.querySelector('#reg-qr'); "
                                      "return i && i.complete && i.naturalWidth > 0; }")
            expect(liaison.locator("#reg-url")).to_have_text(re.compile(r"/r/[A-Za-z0-9_-]+$"))
            phone_friendly(liaison)
            screenshot(liaison, "community-liaison-qr")

            duty_id, slot_id = post_need(liaison, start, end)
            phone_friendly(liaison)
            screenshot(liaison, "community-liaison-needs")
            assert q("select title, place_name, status from community_duties") == [
                ("楼道清洁", "一号社区 3 号楼", "open")]
            assert q("select id, capacity from duty_slots where duty_id = :d", d=duty_id) == [(slot_id, 1)]
            edit_need(liaison, q, duty_id, slot_id)

            # The member: the receipt, the need, claim; withdraw (before the start) and claim again.
            member.reload()
            expect(member.locator("#cm-receipt")).to_contain_text("一号社区")
            expect(member.locator("#cm-receipt")).to_contain_text("欢迎甲三同志！")
            slot = member.locator(f"#needs-list li.slot[data-slot='{slot_id}']")
            expect(slot).to_contain_text("剩余 1 个名额（共 1 个）")
            slot.locator("[data-action=claim]").tap()
            expect(slot).to_contain_text("我已认领")
            expect(member.locator("#claims-list")).to_contain_text("楼道清洁")
            expect(member.locator("#claims-list")).to_contain_text("尚未签到")
            phone_friendly(member)
            screenshot(member, "community-member-claimed")
            member.locator(f"#claims-list li[data-slot='{slot_id}'] [data-action=withdraw]").tap()
            answer_dialog(member)
            expect(slot.locator("[data-action=claim]")).to_be_visible()
            expect(member.locator("#cm-claims")).to_contain_text("您还没有认领社区服务。")
            assert q("select user_id, status from duty_claims") == [(world.ids.a3, "withdrawn")]
            slot.locator("[data-action=claim]").tap()
            expect(slot).to_contain_text("我已认领")
            assert q("select user_id, slot_id, status from duty_claims") == [(world.ids.a3, slot_id, "active")]

            # Another registered member sees the slot full, with no claim button.
            with phone(pw, server) as (other, owatch):
                sign_in_page(other, server, world.phones.a1, "/app/community/index.html")
                full = other.locator(f"li.slot[data-slot='{slot_id}']")
                expect(full).to_contain_text("名额已满")
                expect(full.locator("[data-action=claim]")).to_have_count(0)
                phone_friendly(other)
                screenshot(other, "community-member-full")
                assert_clean(owatch)

            # The liaison: who claimed the slot.
            liaison.reload()
            claims = liaison.locator(f"li.slot[data-slot='{slot_id}']")
            expect(claims).to_contain_text("已认领 1/1 人")
            claims.locator("[data-action=claims]").tap()
            expect(claims.locator(".claim-list")).to_contain_text("甲三")
            expect(claims.locator(".claim-list")).to_contain_text("未签到")
            phone_friendly(liaison)
            screenshot(liaison, "community-liaison-claims")
            assert_clean(lwatch)

        member.locator("#cm-history summary").tap()
        expect(member.locator("#cm-history")).to_contain_text("已报到")
        member.locator(".bar .lang").tap()  # English: the page's words; the receipt composed from its fields
        expect(member.locator("h1")).to_have_text("My community")
        expect(member.locator("#cm-receipt")).to_contain_text("registered with 一号社区")
        expect(member.locator(f"li.slot[data-slot='{slot_id}']")).to_contain_text("Claimed by me")
        phone_friendly(member)
        screenshot(member, "community-member-en")
        assert_clean(mwatch)

    # The branch's report for the slot's quarter: the member registered, one duty claimed; a4 flagged.
    quarter = (start.month - 1) // 3 + 1
    with phone(pw, server) as (org, watch):
        sign_in_page(org, server, world.phones.org_a,
                     f"/app/community/report.html?org={world.branch_a_id}&year={start.year}&quarter={quarter}")
        row = org.locator(f"#report-table tr[data-user='{world.ids.a3}']")
        expect(row).to_contain_text("甲三")
        expect(row.locator("td[data-label=报到社区]")).to_have_text("一号社区")
        expect(row.locator("td[data-label=认领]")).to_have_text("1")
        unregistered = org.locator(f"#report-table tr[data-user='{world.ids.a4}']")
        expect(unregistered.locator("[data-flag=not_registered]")).to_have_text("未报到")
        expect(unregistered.locator("[data-flag=under_threshold]")).to_have_text("服务时长不足")
        expect(org.locator("[data-total=tot_not_registered] b")).not_to_have_text("0")
        phone_friendly(org)
        screenshot(org, "community-report")
        org.locator("#only-flagged").check()
        expect(org.locator(f"#report-table tr[data-user='{world.ids.a3}']")).to_have_count(1)  # under the hours
        href = org.locator("#report-xlsx").get_attribute("href")
        assert href == (f"/api/v1/organizations/{world.branch_a_id}/community-report.xlsx"
                        f"?year={start.year}&quarter={quarter}")
        resp = org.request.get(server.url + href)
        assert resp.status == 200 and resp.headers["content-type"] == XLSX
        sheet = openpyxl.load_workbook(io.BytesIO(resp.body())).worksheets[0]
        assert any("甲三" in [str(c) for c in r] for r in sheet.iter_rows(values_only=True))
        org.set_viewport_size({"width": 1280, "height": 800})  # a desk: the same report as a table
        expect(org.locator("#report-table thead")).to_be_visible()
        screenshot(org, "community-report-wide")
        assert_clean(watch)


@pytest.mark.browser
def test_a_slot_filled_meanwhile_is_refused_with_its_reason(pw, server, world, q):
    start, end = slot_times()
    liaison = server.session(world.phones.liaison1, PASSWORD)
    resp = liaison.post(f"{server.url}/api/v1/communities/{world.c1_id}/duties", timeout=10, json={
        "title": "敬老院读报", "place_name": "一号社区敬老院",
        "slots": [{"starts_at": start.isoformat(), "ends_at": end.isoformat(), "capacity": 1}]})
    assert resp.status_code == 201, resp.text
    slot_id = resp.json()["slots"][0]["id"]
    with phone(pw, server) as (page, watch):
        sign_in_page(page, server, world.phones.a1, "/app/community/index.html")
        slot = page.locator(f"li.slot[data-slot='{slot_id}']")
        expect(slot.locator("[data-action=claim]")).to_be_visible()
        # a2 takes the last place while a1 looks at the list
        a2 = server.session(world.phones.a2, PASSWORD)
        assert a2.post(f"{server.url}/api/v1/duty-slots/{slot_id}/claim", timeout=10).status_code == 201
        slot.locator("[data-action=claim]").tap()
        expect(slot.get_by_role("alert")).to_have_text("该时段认领人数已满，请选择其他时段")
        expect(slot).to_contain_text("名额已满")
        expect(slot.locator("[data-action=claim]")).to_have_count(0)
        phone_friendly(page)
        screenshot(page, "community-member-refused-full")
        assert q("select user_id from duty_claims where status = 'active'") == [(world.ids.a2,)]
        assert_clean(watch, failed_status(409))


@pytest.mark.browser
def test_home_links_follow_roles_and_community_pages_refuse_plain_members(pw, server, world):
    with phone(pw, server) as (page, watch):
        page.goto(server.url + "/")
        sign_in_app(page, world.phones.liaison1)
        expect(page.locator("#manage-community")).to_have_attribute("href", "/app/community/liaison.html")
        expect(page.locator("#manage-report")).to_be_hidden()
        page.locator("#logout").tap()
        sign_in_app(page, world.phones.org_a)
        expect(page.locator("#manage-report")).to_have_attribute("href", "/app/community/report.html")
        expect(page.locator("#manage-community")).to_be_hidden()
        page.locator("#logout").tap()
        sign_in_app(page, world.phones.a1)  # registered with c1: the link, no how-to-register note
        expect(page.locator("#home-community")).to_have_attribute("href", "/app/community/index.html")
        expect(page.locator("#home-community-note")).to_be_hidden()
        expect(page.locator("#home-manage")).to_be_hidden()
        phone_friendly(page)
        assert_clean(watch)
    with phone(pw, server) as (page, watch):
        sign_in_page(page, server, world.phones.a1, "/app/community/liaison.html")
        expect(page.get_by_role("alert")).to_have_text("您没有权限查看本页。")
        page.goto(server.url + "/app/community/report.html")
        expect(page.get_by_role("alert")).to_have_text("您没有权限查看本页。")
        assert_clean(watch)


def test_community_files_keep_to_the_csp_and_stay_small(anon):
    """A cheap static guard beside the browser tests, as for mobile_web/staff/."""
    for html in sorted(COMMUNITY_PAGES.glob("*.html")):
        resp = anon.get(f"/app/community/{html.name}")
        assert resp.status_code == 200 and "script-src 'self'" in resp.headers["Content-Security-Policy"]
        text = resp.get_data(as_text=True)
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
        assert scripts and all('type="module"' in attrs and 'src="/app/community/' in attrs and not body.strip()
                               for attrs, body in scripts), html.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text, re.I), html.name
    for module in sorted(COMMUNITY.glob("*.js")):
        source = module.read_text()
        assert source.count("\n") <= 300, f"{module.name}: keep modules small"
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                       'setAttribute("style"', ".style.", "cssText"):
            assert banned not in source, f"{module.name}: {banned}"
    for asset in COMMUNITY.iterdir():
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", asset.read_text(), re.I), asset.name
