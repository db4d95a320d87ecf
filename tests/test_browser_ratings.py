"""The committee's view and the live board in the browser at phone size (issue 14): the league table of a
hand-computed year with stars and the stars' chart, one branch's breakdown with the records behind a number,
an admin's adjustment, and the live board following a scan."""
import pytest
from playwright.sync_api import expect

from tests.browser import PHONE_CHECKS, screenshot
from tests.test_browser_accounts import staff_sign_in
from tests.test_browser_member import assert_clean, phone
from tests.test_evaluation import build_year

pytestmark = pytest.mark.browser


def test_the_committee_sees_the_league_table_and_a_branchs_breakdown(pw, server, world, ctx, q):
    with ctx():
        build_year(world)
    with phone(pw, server) as (page, watch, _c):
        page.goto(server.url + f"/app/admin/ratings.html?org={world.general_id}&year=2025")
        staff_sign_in(page, world.phones.admin)
        table = page.locator("#ev-table")
        expect(table.locator("li")).to_have_count(3)
        expect(table.locator("li").first).to_contain_text("第一支部")
        expect(page.locator("#ev-status")).to_contain_text("草稿")
        expect(page.locator("[data-chart=ev-stars] rect.bar")).to_have_count(6)
        expect(page.locator("#ev-behind")).to_contain_text("逾期 42 期")  # the whole of 2025 has passed: December too
        screenshot(page, "admin-ratings")
        assert page.evaluate(PHONE_CHECKS) == []

        table.locator("a", has_text="第一支部").tap()
        part = page.locator("#eb-parts li.part[data-code=attendance_rate]")
        expect(part).to_contain_text("75%")
        part.locator("summary").tap()
        expect(part).to_contain_text("实到 2 + 补课 1 / 应到 5 − 请假 1")
        page.locator("#eb-adjust").tap()
        page.locator("dialog select").select_option("veto")
        page.locator("dialog textarea").fill("发生违纪问题")
        page.locator("dialog button[data-role=submit]").tap()
        expect(page.locator("#eb-adjustments")).to_contain_text("发生违纪问题")
        expect(page.locator("#eb-head .stars")).to_have_text("☆☆☆☆☆")
        screenshot(page, "admin-ratings-branch")
        assert_clean(watch)
    assert q("select count(*) from audit_log where action = 'evaluation.adjust'") == [(1,)]


def test_the_live_board_follows_the_scans(pw, server, world, make_event, scan, token_for):
    party = make_event("party_day", title="今天的主题党日")
    with phone(pw, server) as (page, watch, _c):
        page.goto(server.url + f"/app/admin/live-board.html?org={world.general_id}")
        staff_sign_in(page, world.phones.org_general)
        row = page.locator(f"li[data-event='{party}']")
        expect(row).to_contain_text("已签到 0 / 应到 5")
        assert scan(world.phones.a1, token_for(party)).status_code == 201
        expect(row).to_contain_text("已签到 1 / 应到 5")  # within a poll or two
        screenshot(page, "admin-live-board")
        assert page.evaluate(PHONE_CHECKS) == []
        assert_clean(watch)
