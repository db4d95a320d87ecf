"""The admin and organizer pages (mobile_web/admin/) and the member's records in Debian's Chromium against
a real gunicorn: roster import (dry run, refusals, apply), the participation report (tables equal to the
export, one SVG bar per series item, downloads and each event's attendance workbook), the points rules,
and "my records" listing a party-day check-in from /me/attendance. Every page: no console errors, no CSP
violation, no other host; on a phone no horizontal scrolling, tap targets of 44 px, labelled fields;
screenshots in artifacts/screenshots/admin-*.png."""
import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect, sync_playwright

from server.attendance import core
from server.attendance.models import Attendance
from server.common.timeutil import to_utc_naive
from server.events.models import Event
from server.events.services import new_event
from server.extensions import db
from tests.browser import ARTIFACTS, PHONE, PHONE_CHECKS, PageWatch, launch, require_chromium
from tests.live import LiveServer
from tests.support import PASSWORD

ADMIN = Path(__file__).resolve().parent.parent / "mobile_web" / "admin"
ADMIN_PAGES = Path(__file__).resolve().parent.parent / "server" / "web" / "templates" / "admin"
LAPTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = "2025-03"
HEADER = ["姓名", "手机号", "支部", "社区", "角色"]


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


def open_page(browser, server, options=PHONE):
    context = browser.new_context(**options, accept_downloads=True)
    page = context.new_page()
    return context, page, PageWatch(page, server.url)


def sign_in(page, server, phone, path):
    page.goto(server.url + path)
    page.fill("#login-phone", phone)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#login-form")).to_have_count(0)


def assert_phone_friendly(page):
    problems = page.evaluate(PHONE_CHECKS)
    assert not problems, problems


def screenshot(page, name: str) -> None:
    """Like tests.browser.screenshot, but leaves the page as it was: Playwright's default caret hiding
    leaves an empty style="" on the inputs, which the phone checks would then report."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


def roster(path: Path, rows) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def xlsx_of(context, url):
    resp = context.request.get(url)
    assert resp.ok, (url, resp.status)
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats"), resp.headers
    return load_workbook(io.BytesIO(resp.body()))


# ---------------------------------------------------------------- roster import

GOOD = [["新成员一", "13700000001", "第一支部", "一号社区", "党员"],
        ["新成员二", "137 0000 0002", "第二支部", "", ""],
        ["甲三", "13800000103", "第一支部", "二号社区", "党员"]]  # already there: gets a community
BAD = [*GOOD, ["号码不对", "12345", "第一支部", "", ""],
       ["重复一行", "13700000001", "第一支部", "", ""]]


@pytest.mark.browser
@pytest.mark.slow
def test_admin_imports_a_roster_after_a_dry_run(server, browser, world, q, tmp_path):
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.admin, "/app/admin/import.html")
    expect(page.locator("h1")).to_have_text("名册导入")
    for link in ("#im-tpl-xlsx", "#im-tpl-csv"):  # the templates download with the page's own session
        href = page.locator(link).get_attribute("href")
        if link.endswith("xlsx"):
            assert [c.value for c in xlsx_of(context, server.url + href).active[1]] == HEADER + ["入党时间"]
        else:
            assert context.request.get(server.url + href).text().lstrip("\ufeff").splitlines()[0] == ",".join(
                HEADER + ["入党时间"])

    # the dry run shows every refusal with its reason, and the real run cannot start
    page.set_input_files("#im-file", str(roster(tmp_path / "roster-bad.xlsx", BAD)))
    page.click("#im-check")
    expect(page.locator("[data-count=refuse] b")).to_have_text("2")
    expect(page.locator("[data-count=create] b")).to_have_text("2")
    expect(page.locator("[data-count=update] b")).to_have_text("1")
    refused = page.locator("#im-rows li[data-action=refuse]")
    expect(refused).to_have_count(2)
    reason = page.locator("li[data-row='5'] [data-reason=bad_phone]")
    expect(reason).to_have_text("手机号格式不正确（应为 11 位手机号）")
    reason = page.locator("li[data-row='6'] [data-reason=duplicate_row]")
    expect(reason).to_have_text("与前面某行手机号重复（与第 2 行重复）")
    expect(page.locator("#im-apply")).to_be_disabled()
    expect(page.locator("#im-verdict")).to_contain_text("有 2 行有错误")
    page.click("[data-filter=update]")
    expect(page.locator("li[data-row='4']")).to_contain_text("社区改为：二号社区")
    assert q("select count(*) from users where phone like '137%'") == [(0,)]
    assert_phone_friendly(page)
    screenshot(page, "admin-import-dry-run")

    # the corrected file: checked, then applied all at once
    page.set_input_files("#im-file", str(roster(tmp_path / "roster.xlsx", GOOD)))
    expect(page.locator("#im-report")).to_have_count(0)  # a new file: the old report is gone
    page.fill("#im-password", "welcome-2025")
    page.click("#im-check")
    expect(page.locator("#im-verdict")).to_have_text("检查通过：将新建 2 人，更新 1 人。")
    page.click("#im-apply")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("将新建 2 人，更新 1 人")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("#im-verdict")).to_have_text("导入完成：新建 2 人，更新 1 人，0 人不变。")
    rows = q("select u.name, u.phone, o.name, c.name from users u left join organizations o on o.id = u.branch_id "
             "left join communities c on c.id = u.community_id where u.phone in "
             "('13700000001', '13700000002', '13800000103') order by u.phone")
    assert rows == [("新成员一", "13700000001", "第一支部", "一号社区"), ("新成员二", "13700000002", "第二支部", None),
                    ("甲三", "13800000103", "第一支部", "二号社区")]
    assert server.session("13700000001", "welcome-2025")  # the initial password signs in
    assert q("select count(*) from audit_log where action = 'member.import'") == [(1,)]
    assert_phone_friendly(page)
    screenshot(page, "admin-import-applied")

    # the same file again changes nothing
    page.click("#im-again")
    page.set_input_files("#im-file", str(tmp_path / "roster.xlsx"))
    page.click("#im-check")
    expect(page.locator("[data-count=unchanged] b")).to_have_text("3")
    expect(page.locator("#im-apply")).to_be_disabled()
    expect(page.locator("#im-verdict")).to_have_text("名册与现有数据一致，无需导入。")

    # as a complete roster of its branches: the members it no longer names are listed to deactivate
    page.check("#im-missing")
    page.click("#im-check")
    gone = q("select count(*) from users u join organizations o on o.id = u.branch_id where o.name in "
             "('第一支部', '第二支部') and u.active = :t and u.phone not in ('13700000001', '13700000002', "
             "'13800000103', :admin)", t=True, admin=world.phones.admin)[0][0]
    expect(page.locator("[data-count=deactivate] b")).to_have_text(str(gone))
    expect(page.locator("#im-verdict")).to_contain_text(f"停用 {gone} 人")
    expect(page.locator("#im-rows li[data-action=deactivate]").first).to_contain_text("名册中已无此人")
    watch.assert_clean()
    context.close()

    # an organizer imports for their own organization only: the server refuses another branch
    context, page, watch = open_page(browser, server, LAPTOP)
    sign_in(page, server, world.phones.org_a, "/app/admin/import.html")
    page.set_input_files("#im-file", str(roster(tmp_path / "org.xlsx", [["乙新", "13700000009", "第二支部", "", ""]])))
    page.click("#im-check")
    expect(page.locator("li[data-row='2'] [data-reason=branch_out_of_scope]")).to_be_visible()
    page.click("#bar button.lang")
    expect(page.locator("#im-check")).to_have_text("Check the roster (dry run)")
    expect(page.locator("[data-reason=branch_out_of_scope]")).to_have_text("this branch is outside your organizations")
    screenshot(page, "admin-import-organizer-en")
    watch.assert_clean()
    context.close()


# ---------------------------------------------------------------- participation report

def local(day, hour=9, minute=0):
    y, m = (int(p) for p in MONTH.split("-"))
    return to_utc_naive(datetime(y, m, day, hour, minute, tzinfo=SHANGHAI))


def _event(kind, title, start, **host):
    e = new_event(kind, title, start, start + timedelta(hours=2), status="closed", **host)
    db.session.add(e)
    db.session.flush()
    return e


def _attend(e, user_id, minutes=0, late=False, hours=None, state="checked_in"):
    a = Attendance(event_id=e.id, user_id=user_id, state=state, checkin_at=e.starts_at + timedelta(minutes=minutes),
                   checkin_method="qr", late=late, hours_confirmed=hours, hours_claimed=hours, note="")
    db.session.add(a)


@pytest.fixture
def month(world, ctx):
    """March 2025 under the general branch: a general party day (8 expected: org_general, org_a, a1–a4,
    org_b, b1; 4 came, a2 late), a branch_a party day (5 expected; a1 and a3, a3 late), volunteer hours
    (a1 2 h, b1 1.5 h) and a confirmed community duty of a2 at c1 (3 h)."""
    w = world
    with ctx():
        general = _event("party_day", "三月总支主题党日", local(5), host_org_id=w.general_id)
        for who, minutes, late in (("a1", -2, False), ("a2", 12, True), ("b1", 0, False), ("org_general", -5, False)):
            _attend(general, getattr(w.ids, who), minutes, late)
        branch = _event("party_day", "三月支部主题党日", local(20, 14), host_org_id=w.branch_a_id)
        _attend(branch, w.ids.a1)
        _attend(branch, w.ids.a3, 20, True)
        service = _event("volunteer_service", "三月义诊志愿服务", local(12), host_org_id=w.branch_a_id)
        _attend(service, w.ids.a1, hours=2.0, state="checked_out")
        _attend(service, w.ids.b1, hours=1.5, state="checked_out")
        duty = _event("community_duty", "三月社区值守", local(15), host_community_id=w.c1_id)
        _attend(duty, w.ids.a2, hours=3.0, state="confirmed")
        db.session.commit()
        return {"general": general.id, "branch": branch.id, "service": service.id, "duty": duty.id}


def page_cells(page):
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#rp-table td')]
        .map((td) => [`${td.dataset.col}|${td.dataset.key}`, td.textContent]))""")


def bars(page, chart):
    """[series, label, value or None] of each bar of the chart, in order."""
    found = page.evaluate("""(id) => [...document.querySelectorAll(`svg[data-chart="${id}"] rect.bar`)]
        .map((r) => [r.dataset.series, r.dataset.label, r.dataset.value])""", chart)
    return [[series, label, float(value) if value else None] for series, label, value in found]


@pytest.mark.browser
@pytest.mark.slow
def test_organizer_sees_the_month_as_tables_and_charts_with_the_export_numbers(server, browser, world, month):
    org = server.session(world.phones.org_general, PASSWORD)
    report = org.get(f"{server.url}/api/v1/reports/participation?org_id={world.general_id}&month={MONTH}",
                     timeout=10).json()
    t = report["totals"]  # the hand-computed fixture, as the API tells it
    assert (t["expected"], t["attended"], t["late"], t["absent"], t["party_days"]) == (13, 6, 2, 7, 2)
    assert (t["volunteer_service_hours"], t["community_duty_hours"], t["registered"], t["served"]) == (3.5, 3.0, 3, 1)
    assert [r["name"] for r in report["rows"]] == ["总支（本级）", "第一支部", "第二支部"]
    export = list(csv.reader(io.StringIO(org.get(
        f"{server.url}/api/v1/reports/participation?org_id={world.general_id}&month={MONTH}&format=csv",
        timeout=10).content.decode("utf-8-sig"))))

    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.org_general, "/app/admin/report.html")
    expect(page.locator("#rp-org")).to_have_value(str(world.general_id))
    page.fill("#rp-month", MONTH)  # the month picker loads the report on change
    expect(page.locator("#rp-head h2")).to_have_text(f"总支 · {MONTH}")
    expect(page.locator("#rp-table")).to_be_visible()

    # the table's cells are the export's cells (CSV), column for column; "—" where the CSV is empty
    cells = page_cells(page)
    header, *lines = export
    cols = [f"row-{i}" for i in range(len(report["rows"]))] + ["total"]
    keys = ["members", "expected", "attended", "attendance_rate", "absent", "late", "excused",
            "volunteer_service_hours", "community_duty_hours", "hours", "registered", "registered_share", "served",
            "served_share"]
    assert len(header) == len(keys) + 1 and len(lines) == len(cols)
    for col, line in zip(cols, lines, strict=True):
        for key, value in zip(keys, line[1:], strict=True):
            assert cells[f"{col}|{key}"] == (value or "—"), (col, key)
    assert cells["total|attended"] == "6" and cells["total|attendance_rate"] == "46.15%"
    assert cells["total|hours"] == "6.5"

    # one bar per series item, carrying the JSON's numbers
    charts = report["charts"]
    assert bars(page, "chart-attendance_rate") == [["value", i["label"], i["value"]] for i in charts["attendance_rate"]]
    hours = bars(page, "chart-hours")
    assert len(hours) == 2 * len(charts["hours"])
    assert [v for s, _, v in hours if s == "volunteer_service"] == [i["volunteer_service"] for i in charts["hours"]]
    assert len(bars(page, "chart-coverage")) == 2 * len(charts["coverage"])
    assert [v for s, _, v in bars(page, "chart-absent_late") if s == "absent"] == [r["absent"] for r in report["rows"]]
    assert len(bars(page, "chart-trend_rate")) == len(charts["trend"]["labels"]) == 3
    expect(page.locator("[data-figure=attendance_rate] b")).to_have_text("46.15%")
    assert_phone_friendly(page)
    screenshot(page, "admin-report-phone")

    # downloads: the report's workbook and each event's attendance workbook, with the page's own session
    book = xlsx_of(context, server.url + page.locator("#rp-xlsx").get_attribute("href"))
    summary = book["参与情况汇总"]
    assert [c.value for c in summary[summary.max_row]][:4] == ["合计", 8, 13, 6]
    listed = page.locator("#rp-events li[data-event]")
    expect(listed).to_have_count(3)  # the two party days and the volunteer service (the duty is a community's)
    link = page.locator(f"#rp-events li[data-event='{month['general']}'] a[data-sheet=xlsx]")
    expect(link).to_have_attribute("href", f"/api/v1/events/{month['general']}/attendance.xlsx")
    sheet = xlsx_of(context, server.url + link.get_attribute("href"))["签到表"]
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"甲一", "甲二", "乙一", "总支组织者"} <= names
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert saved["签到表"].max_row == sheet.max_row
    watch.assert_clean()
    context.close()

    # the same report on a laptop, in English, opened from its address
    context, page, watch = open_page(browser, server, LAPTOP)
    sign_in(page, server, world.phones.org_general, f"/app/admin/report.html?org={world.general_id}&month={MONTH}")
    expect(page.locator("#rp-table")).to_be_visible()
    page.click("#bar button.lang")
    expect(page.locator("#chart-attendance_rate h2")).to_have_text("Party-day attendance rate")
    assert page_cells(page) == cells
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "admin-report-laptop-en")
    page.goto(server.url + "/")  # the member app's home lists the organizer's pages (same sign-in)
    expect(page.locator("#manage-participation")).to_be_visible()
    expect(page.locator("#manage-import")).to_be_visible()
    expect(page.locator("#manage-rules")).to_be_hidden()
    watch.assert_clean()
    context.close()


# ---------------------------------------------------------------- points rules

@pytest.mark.browser
@pytest.mark.slow
def test_admin_edits_the_points_rules_and_organizers_may_not(server, browser, world, q):
    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.admin, "/app/admin/rules.html")
    expect(page.locator("#ru-later")).to_contain_text("修改只影响今后发放的积分")
    expect(page.locator("#r-party_day-checkin_points")).to_have_value("5")
    page.fill("#r-party_day-checkin_points", "8")
    page.fill("#r-volunteer_service-cap_per_activity", "30")
    page.fill("#ru-reason", "年度规则调整")
    assert_phone_friendly(page)
    screenshot(page, "admin-rules")
    page.click("#ru-save")
    expect(page.locator(".toast")).to_contain_text("已保存")
    assert q("select kind, checkin_points, cap_per_activity from points_rules where kind in "
             "('party_day', 'volunteer_service') order by kind") == [("party_day", 8, None),
                                                                     ("volunteer_service", 0, 30)]
    assert q("select count(*) from audit_log where action = 'points.rule.update' and reason = '年度规则调整'") == [(2,)]
    page.fill("#r-party_day-absence_points", "3")  # a deduction is 0 or negative: refused on the page
    page.click("#ru-save")
    expect(page.locator("#ru-form [role=alert]")).to_contain_text("-10000 到 0")
    assert q("select absence_points from points_rules where kind = 'party_day'") == [(-2,)]
    watch.assert_clean()
    context.close()

    context, page, watch = open_page(browser, server)
    sign_in(page, server, world.phones.org_a, "/app/admin/rules.html")
    expect(page.get_by_role("alert")).to_have_text("您没有权限查看本页。")
    watch.assert_clean()
    context.close()


# ---------------------------------------------------------------- my records

@pytest.mark.browser
@pytest.mark.slow
def test_member_records_list_a_party_day_check_in(server, browser, world, make_event, ctx):
    party = make_event("party_day", title="本月主题党日", start_in=timedelta(minutes=-5))
    with ctx():
        event = db.session.get(Event, party)
        core.check_in(event, world.ids.a1, event.starts_at + timedelta(minutes=1), "qr")
        db.session.commit()
    context, page, watch = open_page(browser, server)
    page.goto(server.url + "/")
    page.fill("#login-phone", world.phones.a1)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#view-home")).to_be_visible()
    expect(page.locator("#home-manage")).to_be_hidden()
    page.click("#home-records")
    row = page.locator("#records-list li", has_text="本月主题党日")
    expect(row).to_contain_text("主题党日")
    expect(row).to_contain_text("已签到")
    expect(page.locator("#records-note")).to_contain_text("共签到 1 次")
    expect(page.locator("#year-next")).to_be_hidden()  # no button for a year that has not come
    assert_phone_friendly(page)
    screenshot(page, "admin-member-records")
    page.click("#year-prev")  # last year: nothing
    expect(page.locator("#records-list")).to_contain_text("这一年没有签到记录。")
    page.click("#year-next")
    expect(row).to_be_visible()
    page.click("#tab-points")
    expect(page.locator("#records-list")).to_contain_text("本月主题党日")
    page.click("#tab-history")
    page.click("#lang-toggle")
    expect(page.locator("#records-note")).to_contain_text("1 check-in(s)")
    watch.assert_clean()
    context.close()


def test_admin_files_keep_to_the_csp_and_stay_small(anon):
    """No inline code or styles, served under the app's CSP; modules small, writing text (never HTML)."""
    pages = sorted(ADMIN_PAGES.glob("*.html"))
    assert {p.name for p in pages} == {"import.html", "live-board.html", "ratings.html", "report.html", "rules.html"}
    for page in pages:
        resp = anon.get(f"/app/admin/{page.name}")
        assert resp.status_code == 200 and "script-src 'self'" in resp.headers["Content-Security-Policy"]
        html = resp.get_data(as_text=True)
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert scripts and all('type="module"' in attrs and 'src="/app/admin/' in attrs and not body.strip()
                               for attrs, body in scripts), page.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.I), page.name
    for module in [*sorted(ADMIN.glob("*.js")), ADMIN.parent / "js" / "records.js"]:
        text = module.read_text()
        assert text.count("\n") <= 300, f"{module.name}: keep modules small"
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                       'setAttribute("style"', ".style.", "cssText"):
            assert banned not in text, f"{module.name}: {banned}"
    for asset in [*ADMIN.glob("*.js"), *ADMIN.glob("*.css"), *ADMIN_PAGES.glob("*.html")]:
        text = asset.read_text().replace("http://www.w3.org/2000/svg", "")  # the SVG namespace is a name, not a host
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), asset.name
