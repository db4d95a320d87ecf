"""Reading a roster file within bounds: an upload cannot make a worker read more than a roster holds.

An .xlsx is a zip: the sizes its parts declare are checked before anything is unpacked (a part cannot
unpack beyond its declared size: zipfile stops there and the CRC check fails), then the first sheet is
streamed row by row. Rows, columns and cell length are checked while reading, so a sheet declaring a
million rows is refused after the limit, not after reading the million. A CSV is read the same way.
Nothing unbounded is echoed back: error details quote at most a few characters of a cell.
"""
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from openpyxl import load_workbook

import server.members.messages  # noqa: F401  (registers the message codes)
from server.common.errors import Unprocessable

MAX_BYTES = 10 * 1024 * 1024        # the upload itself
MAX_ROWS = 20000                    # data rows of one roster
MAX_COLS = 30                       # columns read; a roster uses five, later ones are not read
MAX_CELL = 200                      # characters in one cell (a name is at most 80)
MAX_PART_BYTES = 48 * 1024 * 1024   # one unpacked part of an .xlsx (a 20,000-row sheet is about 4 MB)
MAX_UNPACKED = 96 * 1024 * 1024     # all unpacked parts together
EMPTY_RUN_END = 1000                # this many empty rows in a row end the table (formatting, not data)
QUOTE = 20                          # characters of a cell quoted in an error


def quote(text: str) -> str:
    return text if len(text) <= QUOTE else text[:QUOTE] + "…"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number: 13800000000.0
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


def bounded(rows: Iterable, cell=_cell) -> list[list[str]]:
    """Rows as text, refusing at the first row over a limit; a long run of empty rows ends the table."""
    table: list[list[str]] = []
    filled = empty_run = 0
    for number, raw in enumerate(rows, start=1):
        values = [cell(v) for v in raw[:MAX_COLS]]
        while values and not values[-1]:  # a sheet's dimension pads every row to its widest
            values.pop()
        if not any(values):
            empty_run += 1
            if empty_run >= EMPTY_RUN_END:
                break
            table.append(values)
            continue
        empty_run = 0
        filled += 1
        if filled > MAX_ROWS + 1:  # the header and MAX_ROWS data rows
            raise Unprocessable("import_too_large", {"max_rows": MAX_ROWS})
        for col, value in enumerate(values, start=1):
            if len(value) > MAX_CELL:
                raise Unprocessable("import_cell_too_long", {"row": number, "column": col, "max": MAX_CELL,
                                                             "starts": quote(value)})
        table.append(values)
    while table and not any(table[-1]):
        table.pop()
    return table


def _check_zip(data: bytes) -> None:
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise Unprocessable("import_bad_file", {"reason": "not a valid .xlsx (zip) file"}) from None
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > MAX_PART_BYTES or total > MAX_UNPACKED:
            raise Unprocessable("import_too_large", {"unpacked_max_bytes": MAX_UNPACKED, "part": quote(part.filename)})


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    _check_zip(data)
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        # max_col bounds each row: a sheet whose dimension says XFD is not padded to 16,384 cells
        yield from wb.worksheets[0].iter_rows(max_col=MAX_COLS, values_only=True)
    finally:
        wb.close()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unprocessable("import_bad_file", {"reason": "encoding"})


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if "\x00" in text:  # not a text file; and PostgreSQL could not store the names anyway
        raise Unprocessable("import_bad_file", {"reason": "NUL character"})
    first = text[:4096].split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of cells as text; XLSX by name or by its zip signature, anything else as CSV."""
    if len(data) > MAX_BYTES:
        raise Unprocessable("import_too_large", {"max_bytes": MAX_BYTES})
    if (filename or "").lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        try:
            return bounded(_xlsx_rows(data))
        except Unprocessable:
            raise
        except Exception as exc:  # openpyxl and zipfile raise many kinds for a broken file
            raise Unprocessable("import_bad_file", {"reason": type(exc).__name__}) from None
    try:
        return bounded(_csv_rows(data), cell=lambda v: v.strip())
    except csv.Error as exc:  # a field over csv's own limit (128 KiB) among them
        raise Unprocessable("import_bad_file", {"reason": quote(str(exc))}) from None
