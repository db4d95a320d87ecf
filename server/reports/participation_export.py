"""The participation report as files: CSV (the numbers table) and an XLSX workbook (numbers, party
days, absentees, late arrivals, trend, and each attendance), the same numbers as the JSON."""
from datetime import datetime

from server.common.sheets import Sheet, csv_response, xlsx_response
from server.common.timeutil import to_utc_naive
from server.reports.common import (
    KIND_LABELS,
    METHOD_LABELS,
    STATE_LABELS,
    local_naive,
    percent_text,
    yes_no,
)
from server.reports.participation import HOURS_KEYS, ROW_HEADER

RATE_COLS = tuple(i for i, title in enumerate(ROW_HEADER) if title in ("出勤率", "报到率", "社区服务率"))


def _row_cells(r: dict) -> list:
    return [r["name"], r["members"], r["expected"], r["attended"], r["attendance_rate"], r["absent"], r["late"],
            r["excused"], *(r[key] for key in HOURS_KEYS), r["hours"], r["registered"],
            r["registered_share"], r["served"], r["served_share"]]


def _names(report: dict, ext: str) -> tuple[str, str]:
    return (f"participation-{report['org']['id']}-{report['month']}.{ext}",
            f"参与情况-{report['org']['name']}-{report['month']}.{ext}")


def as_csv(report: dict):
    rows = []
    for r in report["rows"] + [report["totals"]]:
        cells = _row_cells(r)
        for i in RATE_COLS:
            cells[i] = percent_text(cells[i])
        rows.append(cells)
    return csv_response(ROW_HEADER, rows, *_names(report, "csv"))


def as_xlsx(report: dict):
    """The month's workbook: summary per organization, party days, absentees, late arrivals, every
    attendance of the month, and the trend."""
    summary = Sheet("参与情况汇总", ROW_HEADER, [_row_cells(r) for r in report["rows"] + [report["totals"]]],
                    percent_cols=tuple(i + 1 for i in RATE_COLS), widths={1: 24})
    parties = Sheet("主题党日", ["活动名称", "开始时间", "主办组织", "应到人数", "实到人数", "迟到人数", "缺席人数",
                             "出勤率"],
                    [[p["title"], local_naive(_utc(p["starts_at"])), p["host_org_name"], p["expected"], p["attended"],
                      p["late"], p["absent"], p["attendance_rate"]] for p in report["party_days"]],
                    percent_cols=(8,), widths={1: 30, 2: 20, 3: 20})
    absent = Sheet("缺席名单", ["活动名称", "姓名", "所在支部"],
                   [[a["event_title"], a["name"], a["branch_name"]] for a in report["absentees"]],
                   widths={1: 30, 3: 20})
    late = Sheet("迟到名单", ["活动名称", "姓名", "所在支部", "签到时间"],
                 [[a["event_title"], a["name"], a["branch_name"], local_naive(_utc(a["checkin_at"]))]
                  for a in report["late_arrivals"]], widths={1: 30, 3: 20, 4: 20})
    detail = Sheet("签到明细", ["活动名称", "活动类型", "活动时间", "主办", "姓名", "所在支部", "签到时间", "是否迟到",
                             "签退时间", "确认时长（小时）", "状态", "签到方式"],
                   [[d["event"], KIND_LABELS.get(d["kind"], d["kind"]), local_naive(d["starts_at"]), d["host"],
                     d["name"], d["branch"], local_naive(d["att"].checkin_at), yes_no(d["att"].late),
                     local_naive(d["att"].checkout_at), d["att"].hours_confirmed, STATE_LABELS.get(d["att"].state, ""),
                     METHOD_LABELS.get(d["att"].checkin_method, "")] for d in report.get("detail", [])],
                   widths={1: 30, 3: 20, 4: 20, 6: 20, 7: 20, 9: 20})
    trend = Sheet("全年趋势", ["月份", "应到人次", "实到人次", "出勤率", "服务时长（小时）"],
                  [[t["month"], t["expected"], t["attended"], t["attendance_rate"], t["volunteer_hours"]]
                   for t in report["trend"]], percent_cols=(4,))
    return xlsx_response([summary, parties, absent, late, detail, trend], *_names(report, "xlsx"))


def _utc(iso_text: str | None):
    """Back from the report's local ISO text to naive UTC for the spreadsheet cell."""
    if not iso_text:
        return None
    return to_utc_naive(datetime.fromisoformat(iso_text))
