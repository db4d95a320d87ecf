"""Accounts in the browser at phone size (issue 12): an organizer prints activation slips, a new member's phone
reads a slip's QR through the fake camera, sets a password and then checks in with the camera; a member who
forgot the password asks on the sign-in page and the organizer gives a reset code from the people page."""
import re

import pytest
import requests
from playwright.sync_api import expect

from server.auth.services import UNUSABLE_PASSWORD
from server.extensions import db
from tests.browser import PHONE, PHONE_CHECKS, launch, make_y4m, screenshot
from tests.conftest import sql
from tests.qrdecode import decode_png
from tests.support import PASSWORD
from tests.test_browser_member import assert_clean, phone, qr_png

pytestmark = pytest.mark.browser
NEW = "我的新密码-2026"


def staff_sign_in(page, phone_number: str) -> None:
    page.fill("#login-phone", phone_number)
    page.fill("#login-password", PASSWORD)
    page.locator("#login-submit").tap()


def _not_activated(ctx, *ids):
    with ctx():
        for uid in ids:
            sql("update users set password_hash = :h where id = :u", h=UNUSABLE_PASSWORD, u=uid)
        db.session.commit()


def test_a_member_activates_from_a_printed_slip_and_checks_in(pw, server, world, make_event, ctx, q, tmp_path):
    _not_activated(ctx, world.ids.a3, world.ids.a4)
    eid = make_event("party_day", title="十二月主题党日")
    with phone(pw, server) as (staff, watch, _context):  # the organizer prints the slips
        staff.goto(server.url + f"/app/staff/onboard.html?org={world.branch_a_id}")
        staff_sign_in(staff, world.phones.org_a)
        expect(staff.locator("#ob-status")).to_contain_text("已激活 3 / 5 人")
        staff.locator("#ob-make-slips").tap()
        slip = staff.locator(".slip", has_text="甲三")
        expect(slip).to_contain_text("138****0103")
        expect(staff.locator(".slip")).to_have_count(2)
        slip.locator("img").evaluate("img => img.decode()")
        slip_png = slip.locator("img").screenshot()
        assert "/a/" in decode_png(slip_png)  # the printed QR, read by a real decoder
        screenshot(staff, "staff-activation-slips")
        assert staff.evaluate(PHONE_CHECKS) == []
        assert_clean(watch)

    camera = make_y4m(slip_png, tmp_path / "slip.y4m")
    with phone(pw, server, camera) as (page, watch, context):
        page.goto(server.url + "/")
        expect(page.locator("#view-login")).to_be_visible()
        page.locator("#login-scan-code").tap()  # signed out, the camera still opens: for an activation code
        expect(page.locator("#view-code")).to_be_visible()
        expect(page.locator("#code-title")).to_have_text("激活账号")
        expect(page.locator("#code-intro")).to_contain_text("138****0103")
        assert page.evaluate(PHONE_CHECKS) == []  # before the screenshot, which leaves an empty style attribute
        page.fill("#code-name", "甲三")
        page.fill("#code-phone", "13800000103")
        page.fill("#code-password", NEW)
        screenshot(page, "member-activate")
        page.locator("#code-submit").tap()
        expect(page.locator("#view-home")).to_be_visible()
        expect(page.locator("#home-welcome")).to_contain_text("账号已激活")
        state = context.storage_state()
        assert_clean(watch)

    party = make_y4m(qr_png(server, world, eid), tmp_path / "party.y4m")
    browser = launch(pw, party)
    try:
        context = browser.new_context(**PHONE, storage_state=state)
        context.grant_permissions(["camera"], origin=server.url)
        page = context.new_page()
        page.goto(server.url + "/")
        page.locator("#home-scan").tap()
        expect(page.locator("#result-message")).to_have_text("签到成功")
    finally:
        browser.close()
    assert q("select user_id, state from attendance where event_id = :e", e=eid) == [(world.ids.a3, "checked_in")]
    assert [r[0] for r in q("select action from audit_log where object_id = :u and action like 'account.%' "
                            "order by id", u=world.ids.a3)] == ["account.activation.issue", "account.activation.use"]


def test_a_forgotten_password_is_reset_with_a_code_from_the_people_page(pw, server, world, q):
    with phone(pw, server) as (member, member_watch, _c):
        member.goto(server.url + "/")
        expect(member.locator("#view-login")).to_be_visible()
        assert member.evaluate(PHONE_CHECKS) == []
        member.fill("#help-phone", world.phones.a1)
        member.locator("#help-submit").tap()
        expect(member.locator("#help-answer")).to_contain_text("已通知您所在支部的组织员")

        with phone(pw, server) as (staff, staff_watch, _s):
            staff.goto(server.url + "/app/staff/people.html")
            staff_sign_in(staff, world.phones.org_a)
            help_row = staff.locator("#pp-help li", has_text="甲一")
            expect(help_row).to_contain_text("138****0101")
            expect(staff.locator("#pp-results")).to_contain_text("甲二")
            help_row.locator("button").tap()
            code = staff.locator("#reset-code").inner_text().strip()
            assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code), code
            screenshot(staff, "staff-reset-code")
            staff.locator("dialog button").tap()
            expect(staff.locator("#pp-help")).to_have_count(0)  # handled
            staff.reload()  # a fresh page: Playwright's screenshot above left an empty style attribute behind
            expect(staff.locator("#pp-results")).to_contain_text("甲二")
            assert staff.evaluate(PHONE_CHECKS) == []
            assert_clean(staff_watch)

        member.fill("#code-typed", code.lower())
        member.locator("#code-typed-go").tap()
        expect(member.locator("#code-title")).to_have_text("重置密码")
        member.fill("#code-name", "甲一")
        member.fill("#code-phone", world.phones.a1)
        member.fill("#code-password", NEW)
        member.locator("#code-submit").tap()
        expect(member.locator("#view-home")).to_be_visible()
        member.goto(server.url + "/#account")
        expect(member.locator("#account-facts")).to_contain_text("第一支部")
        screenshot(member, "member-account")
        assert_clean(member_watch)
    login = server.url + "/api/v1/auth/login"  # the old password no longer signs in; the new one does
    assert requests.post(login, json={"phone": world.phones.a1, "password": PASSWORD}, timeout=10).status_code == 401
    assert requests.post(login, json={"phone": world.phones.a1, "password": NEW}, timeout=10).status_code == 200
    assert [r[0] for r in q("select action from audit_log where object_id = :u and action like 'account.%' "
                            "order by id", u=world.ids.a1)] == ["account.reset.issue", "account.reset.use"]
