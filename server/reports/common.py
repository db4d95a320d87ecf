"""Shared by the exports: Chinese labels, local times, CSV (UTF-8 with BOM, so Excel reads Chinese) and
XLSX (openpyxl) responses, and local calendar periods."""
import csv
import io
from datetime import date, datetime
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from server.common.errors import ApiError
from server.common.timeutil import YEARS, local_zone, to_local, to_utc_naive

STATE_LABELS = {"checked_in": "已签到", "checked_out": "已签退", "pending": "待确认", "confirmed": "已确认",
                "rejected": "已驳回", "no_checkout": "未签退", "annulled": "已作废", "absent": "缺席"}
METHOD_LABELS = {"qr": "扫码", "offline_qr": "离线扫码", "manual": "手工登记", "card": "扫会员卡"}
KIND_LABELS = {"party_day": "主题党日", "volunteer_service": "志愿服务", "community_duty": "社区服务"}
EVALUATION_LABELS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local_naive(value: datetime | None) -> datetime | None:
    """Naive UTC → naive deployment-local (what a spreadsheet cell holds)."""
    local = to_local(value)
    return local.replace(tzinfo=None) if local else None


def local_text(value: datetime | None) -> str:
    local = local_naive(value)
    return local.strftime(TIME_FORMAT) if local else ""


def yes_no(flag) -> str:
    return "是" if flag else "否"


def day_start(day: date) -> datetime:
    """Local midnight of a date, as naive UTC."""
    return to_utc_naive(datetime(day.year, day.month, day.day, tzinfo=local_zone()))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = day_start(date(year, month, 1))
    end = day_start(date(year + (month == 12), month % 12 + 1, 1))
    return start, end


def parse_month(text: str | None, now: datetime) -> tuple[int, int]:
    if not text:
        local = to_local(now)
        return local.year, local.month
    try:
        year, month = (int(p) for p in text.split("-"))
        date(year, month, 1)
        if not YEARS[0] <= year <= YEARS[1]:
            raise ValueError(year)
    except (ValueError, TypeError):
        raise ApiError(422, "report_bad_period", {"fields": {"query": {"month": [
            "月份格式为 YYYY-MM / month is YYYY-MM"]}}}) from None
    return year, month


def _disposition(ascii_name: str, name: str) -> str:
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def csv_response(header: list[str], rows: list[list], ascii_name: str, name: str) -> Response:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    resp = Response(buf.getvalue().encode("utf-8"), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = _disposition(ascii_name, name)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


class Sheet:
    """One worksheet: a header row then data rows; times as real dates, widths set, header frozen."""

    def __init__(self, title: str, header: list[str], rows: list[list], percent_cols: tuple[int, ...] = (),
                 widths: dict[int, int] | None = None):
        self.title, self.header, self.rows = title, header, rows
        self.percent_cols, self.widths = percent_cols, widths or {}


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.append(sheet.header)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
        for row in sheet.rows:
            ws.append(row)
        for col in range(1, len(sheet.header) + 1):
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = sheet.widths.get(col, max(10, 2 * len(str(sheet.header[col - 1])) + 2))
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = XLSX_TIME_FORMAT
                elif cell.column in sheet.percent_cols and isinstance(cell.value, float):
                    cell.number_format = "0.00%"
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(sheets: list[Sheet], ascii_name: str, name: str) -> Response:
    resp = Response(xlsx_bytes(sheets), mimetype=XLSX_MIME)
    resp.headers["Content-Disposition"] = _disposition(ascii_name, name)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def percent_text(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.2f}%"
