"""Organizational life in the browser at phone size (issue 13): a member asks leave for tomorrow's branch
meeting from "my organizational life", the secretary approves it on the 组织生活 page, the member sees it
approved and is excused (the meeting's attendance counts them apart, off the rate's base); the secretary's
calendar marks this quarter's Party lecture held, and the lecture's record is filed and approved (locked)."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import objects
from tests.browser import PHONE_CHECKS, screenshot
from tests.test_browser_accounts import staff_sign_in
from tests.test_browser_member import assert_clean, failed_status, phone, sign_in

pytestmark = pytest.mark.browser


def open_meetings(page, server, phone_number: str) -> None:
    """A member signs in to the app and opens 我的组织生活."""
    page.goto(server.url + "/")
    sign_in(page, phone_number)
    page.locator("#home-meetings").tap()


def secretary_says_yes(staff, server, world, item: str, says: str) -> None:
    """The branch secretary opens 组织生活 and approves or confirms the one inbox item that names `item`."""
    staff.goto(server.url + f"/app/staff/orglife.html?org={world.branch_a_id}")
    staff_sign_in(staff, world.phones.org_a)
    ask = staff.locator("#ol-inbox li", has_text=item)
    expect(ask).to_contain_text(says)
    ask.locator("button.primary").tap()
    expect(staff.locator("#ol-inbox")).to_contain_text("没有待处理")


def test_leave_is_asked_approved_and_excused_and_the_quarter_is_held(pw, server, world, make_event, q):
    meeting = make_event("branch_assembly", start_in=timedelta(days=1), title="支部党员大会（十二月）")
    lecture = make_event("party_lecture", start_in=timedelta(hours=-1), title="党课：学习贯彻全会精神")
    with phone(pw, server) as (member, member_watch, _m):
        open_meetings(member, server, world.phones.a1)
        row = member.locator("#meetings-list li", has_text="支部党员大会（十二月）")
        row.locator(".leave-ask").tap()
        assert member.evaluate(PHONE_CHECKS) == []
        row.locator("textarea").fill("出差在外，无法参加")
        row.locator("button[type=submit]").tap()
        expect(member.locator("#meetings-list li", has_text="支部党员大会（十二月）")).to_contain_text("请假待审批")
        screenshot(member, "member-meetings-leave")

        with phone(pw, server) as (staff, staff_watch, _s):
            secretary_says_yes(staff, server, world, "甲一", "出差在外")
            cal = staff.locator("#ol-calendar")
            expect(cal).to_contain_text("应到 − 请假")
            lecture_cells = cal.locator(".ol-kind", has_text="党课").locator(".ol-cell.held")
            expect(lecture_cells).to_have_count(1)
            expect(lecture_cells).to_contain_text("已开 1/1")
            screenshot(staff, "staff-orglife")

            staff.locator(f"#ol-meetings button[data-event='{lecture}']").tap()
            staff.fill("#rec-topic", "学习贯彻全会精神")
            staff.fill("#rec-first_topic", "学习全会公报")
            staff.fill("#rec-presided_by", "甲组织者")
            staff.fill("#rec-minutes_by", "甲二")
            staff.fill("#rec-minutes", "书记领学公报，党员交流体会。")
            staff.locator("#rec-save").tap()
            expect(staff.locator("#rec-status")).to_contain_text("待审核")
            staff.locator("#rec-approve").tap()
            expect(staff.locator("#rec-status")).to_contain_text("已审核锁定")
            screenshot(staff, "staff-orglife-record")
            staff.reload()  # a fresh page: Playwright's screenshot above left an empty style attribute behind
            expect(staff.locator("#ol-calendar")).to_be_visible()
            assert staff.evaluate(PHONE_CHECKS) == []

            staff.goto(server.url + f"/app/staff/live.html?event={meeting}")  # the meeting's attendance
            expect(staff.locator("[data-count=excused] b")).to_have_text("1")
            expect(staff.locator("[data-count=excused] span")).to_have_text("已请假")
            expected = staff.locator("[data-count=expected] b").inner_text()
            expect(staff.locator("#rate")).to_have_text(
                f"出勤率 0.0%：已到 0 ÷（应到 {expected} − 请假 1）；请假不算缺席")
            expect(staff.locator("#att-list li", has_text="甲一")).to_contain_text("已请假")
            assert staff.evaluate(PHONE_CHECKS) == []
            assert_clean(staff_watch, failed_status(404))  # the lecture had no record yet: GET answered 404

        member.reload()  # still on #meetings
        expect(member.locator("#meetings-list li", has_text="支部党员大会（十二月）")).to_contain_text("已准假")
        assert_clean(member_watch)
    assert q("select user_id, state from attendance where event_id = :e", e=meeting) == [(world.ids.a1, "excused")]
    assert q("select status from meeting_records where event_id = :e", e=lecture) == [("approved",)]


def test_a_missed_meeting_is_made_up_from_the_phone_and_confirmed(pw, server, world, make_event, q, ctx):
    """The member records a make-up for last week's meeting they missed; the secretary confirms it."""
    missed = make_event("party_lecture", start_in=timedelta(days=-7), title="党课：上周的党课")
    attended = make_event("party_lecture", start_in=timedelta(days=-3), title="党课：已参加的党课")
    with ctx():
        objects.attendance(attended, world.ids.a1, state="checked_in")
    with phone(pw, server) as (member, member_watch, _m):
        open_meetings(member, server, world.phones.a1)
        expect(member.locator("#missed-list li", has_text="已参加的党课")).to_have_count(0)
        row = member.locator("#missed-list li", has_text="上周的党课")
        row.locator(".makeup-record").tap()
        row.locator("button[type=submit]").tap()
        expect(row.locator(".error")).to_have_text("请填写补课内容")  # said before anything is sent
        row.locator("textarea").fill("自学党课讲稿，写了学习体会")
        assert member.evaluate(PHONE_CHECKS) == []
        row.locator("button[type=submit]").tap()
        expect(member.locator("#missed-list li", has_text="上周的党课")).to_contain_text("补课待确认")
        screenshot(member, "member-meetings-makeup")

        with phone(pw, server) as (staff, staff_watch, _s):
            secretary_says_yes(staff, server, world, "甲一 补课", "自学党课讲稿")
            assert_clean(staff_watch)

        member.reload()
        expect(member.locator("#missed-list li", has_text="上周的党课")).to_contain_text("已补课")
        assert_clean(member_watch)
    [(content, confirmed)] = q("select content, confirmed_at is not null from makeups where event_id = :e", e=missed)
    assert content == "自学党课讲稿，写了学习体会" and confirmed
