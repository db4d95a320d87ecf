"""The one way the app writes spreadsheets: CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX.

Both are formula-safe: a text cell that a spreadsheet would read as a formula (starting with
= + - @, a tab or a carriage return) is written as plain text, so a member named
'=HYPERLINK(...)' shows as that text and never runs. Numbers and dates keep their types.
"""
import csv
import io
from datetime import datetime
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_safe(value):
    """OWASP's advice for CSV: a leading quote makes a would-be formula plain text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow([csv_safe(v) for v in header])
    writer.writerows([csv_safe(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def _disposition(ascii_name: str, name: str) -> str:
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _download(body: bytes, mimetype: str, ascii_name: str, name: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = _disposition(ascii_name, name)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def csv_response(header: list[str], rows, ascii_name: str, name: str) -> Response:
    resp = _download(csv_bytes(header, rows), "text/csv", ascii_name, name)
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    return resp


class Sheet:
    """One worksheet: a header row then data rows; times as real dates, widths set, header frozen."""

    def __init__(self, title: str, header: list[str], rows: list[list], percent_cols: tuple[int, ...] = (),
                 widths: dict[int, int] | None = None):
        self.title, self.header, self.rows = title, header, rows
        self.percent_cols, self.widths = percent_cols, widths or {}


def as_text(cell) -> None:
    """openpyxl stores a string starting with '=' as a formula; make every string plain text."""
    if isinstance(cell.value, str) and cell.data_type != "s":
        cell.data_type = "s"


def xml_safe(value):
    """XML cannot hold most control characters (openpyxl refuses the whole sheet): a stored name that
    came in with one (an old CSV import) is exported without it rather than failing the export."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.append([xml_safe(v) for v in sheet.header])
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
            as_text(cell)
        for row in sheet.rows:
            ws.append([xml_safe(v) for v in row])
        for col in range(1, len(sheet.header) + 1):
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = sheet.widths.get(col, max(10, 2 * len(str(sheet.header[col - 1])) + 2))
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = XLSX_TIME_FORMAT
                elif cell.column in sheet.percent_cols and isinstance(cell.value, float):
                    cell.number_format = "0.00%"
                else:
                    as_text(cell)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(sheets: list[Sheet], ascii_name: str, name: str) -> Response:
    return _download(xlsx_bytes(sheets), XLSX_MIME, ascii_name, name)
