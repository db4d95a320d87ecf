"""The community-service report as an XLSX workbook with Chinese headers (openpyxl)."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from server.common.sheets import as_text
from server.common.timeutil import iso_local, to_local, utcnow

HEADERS = ("姓名", "手机号", "所在支部", "是否报到", "报到社区", "报到日期", "认领岗位数", "参加次数",
           "确认服务时长（小时）", "社区评价", "评价说明", "提示")
WIDTHS = (10, 14, 22, 9, 18, 12, 11, 9, 18, 9, 30, 26)
SHEET_TITLE = "双报到情况"


def flag_labels(row: dict, threshold: float) -> str:
    labels = []
    if "not_registered" in row["flags"]:
        labels.append("未到社区报到")
    if "under_threshold" in row["flags"]:
        labels.append(f"服务时长不足{threshold:g}小时")
    return "；".join(labels)


def row_values(row: dict, threshold: float) -> list:
    ev = row["evaluation"] or {}
    since = to_local(row["registered_since"])
    return [row["name"], row["phone"], row["branch_name"] or "", "是" if row["registered"] else "否",
            row["community_name"] or "", since.strftime("%Y-%m-%d") if since else "", row["duties_claimed"],
            row["attended"], row["hours_confirmed"], ev.get("rating_label", ""), ev.get("comment", ""),
            flag_labels(row, threshold)]


def _put(ws, row: int, col: int, value) -> None:
    as_text(ws.cell(row=row, column=col, value=value))  # a name typed as "=..." stays text, never a formula


def workbook_bytes(report: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    bold = Font(bold=True)
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font, cell.alignment = bold, Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    flagged = PatternFill("solid", fgColor="FFF2CC")
    for r, row in enumerate(report["rows"], start=2):
        for col, value in enumerate(row_values(row, report["threshold_hours"]), start=1):
            _put(ws, r, col, value)
        if row["flags"]:
            ws.cell(row=r, column=len(HEADERS)).fill = flagged
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(len(report['rows']) + 1, 1)}"

    info = wb.create_sheet("说明")
    t = report["totals"]
    scope_kind = "党组织" if report["scope"]["type"] == "organization" else "社区"
    lines = [("报告范围", f"{scope_kind}：{report['scope']['name']}"), ("统计期间", report["period"]["label"]),
             ("时长标准（小时）", report["threshold_hours"]), ("人数", t["members"]), ("已报到", t["registered"]),
             ("未报到", t["not_registered"]), ("时长不足", t["under_threshold"]),
             ("确认服务时长合计（小时）", t["hours_confirmed"]), ("生成时间", iso_local(utcnow()))]
    for r, (key, value) in enumerate(lines, start=1):
        info.cell(row=r, column=1, value=key).font = bold
        _put(info, r, 2, value)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 24, 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def filename(report: dict) -> str:
    name = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in report["scope"]["name"])
    return f"双报到情况_{name}_{report['period']['code']}.xlsx"
