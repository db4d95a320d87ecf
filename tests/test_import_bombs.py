"""Roster files built to exhaust a worker get a clear 422 within seconds, in bounded memory, and the
import holds no write lock while it reads them, so members' scans go on meanwhile."""
import io
import threading
import time
import tracemalloc
import uuid
import zipfile
from datetime import timedelta

import pytest
from openpyxl import Workbook

from server.members import table
from tests.live import LiveServer
from tests.support import PASSWORD

MiB = 1024 * 1024


def _xlsx_with(parts: dict[str, object]) -> bytes:
    """A real workbook from openpyxl, with some of its parts replaced (bytes, or a chunk generator)."""
    wb = Workbook()
    wb.active["A1"] = "姓名"
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename not in parts:
                dst.writestr(info, src.read(info.filename))
        for name, content in parts.items():
            with dst.open(name, "w", force_zip64=True) as f:
                for chunk in ([content] if isinstance(content, bytes) else content):
                    f.write(chunk)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
TAIL = b"</sheetData></worksheet>"


def far_cell() -> bytes:
    """The 1.6 KB file declaring A1:XFD1048576 with one far cell."""
    wb = Workbook()
    wb.active.cell(row=1048576, column=16384, value="x")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def many_rows(n: int) -> bytes:
    def chunks():
        yield HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d</t></is></c>' \
                     b'<c r="B1" t="inlineStr"><is><t>phone</t></is></c></row>'
        rows = b"".join(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' for _ in range(10000))
        for _ in range(n // 10000):
            yield rows
        yield TAIL
    return _xlsx_with({SHEET: chunks()})


def whitespace(size: int) -> bytes:
    def chunks():
        yield HEAD
        block = b" " * (8 * MiB)
        for _ in range(size // len(block)):
            yield block
        yield TAIL
    return _xlsx_with({SHEET: chunks()})


def huge_cell(size: int) -> bytes:
    def chunks():
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/' \
              b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        block = b"A" * (8 * MiB)
        for _ in range(size // len(block)):
            yield block
        yield b"</t></si></sst>"
    sheet = HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + TAIL
    return _xlsx_with({SHEET: sheet, "xl/sharedStrings.xml": chunks()})


@pytest.fixture(scope="module")
def bombs():
    """Built once: (name, filename, bytes, expected code)."""
    return [
        ("far cell (A1:XFD1048576)", "far.xlsx", far_cell(), "import_missing_columns"),
        ("3,000,000 rows", "rows.xlsx", many_rows(3_000_000), "import_too_large"),
        ("30,000 rows (within the unpacked limit)", "rows.xlsx", many_rows(30_000), "import_too_large"),
        ("1 GiB of whitespace", "ws.xlsx", whitespace(1024 * MiB), "import_too_large"),
        ("a 256 MiB cell", "cell.xlsx", huge_cell(256 * MiB), "import_too_large"),
        ("3,000,000 empty CSV lines", "rows.csv", b"\xe5\xa7\x93\xe5\x90\x8d,phone\n" + b"\n" * 3_000_000,
         "import_no_rows"),
        ("a 5 MB CSV cell", "cell.csv", "姓名,手机号\n".encode() + b"A" * (5 * MiB) + b",13800000000\n",
         "import_bad_file"),
        ("a 250-character CSV cell", "cell.csv", "姓名,手机号\n".encode() + b"A" * 250 + b",13800000000\n",
         "import_cell_too_long"),
    ]


def test_every_bomb_is_small_on_the_wire_but_would_be_huge_unpacked(bombs):
    for name, _filename, data, _code in bombs:
        assert len(data) <= table.MAX_BYTES, name


def test_each_bomb_is_refused_quickly_in_bounded_memory(bombs):
    from server.common.errors import Unprocessable
    for name, filename, data, code in bombs:
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(Unprocessable) as refused:
                from server.members.parsing import parse_rows
                parse_rows(table.read_table(filename, data))
            took = time.monotonic() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert refused.value.code == code, (name, refused.value.code, refused.value.details)
        assert took < 10, (name, took)
        assert peak < 80 * MiB, (name, peak // MiB)
        assert len(repr(refused.value.details)) < 400, name  # nothing unbounded echoed back


def test_over_the_api_each_bomb_gets_a_short_422(bombs, world, login):
    org = login(world.phones.org_a)
    for name, filename, data, code in bombs:
        resp = org.post("/api/v1/members/import", data={"file": (io.BytesIO(data), filename), "dry_run": "true"},
                        content_type="multipart/form-data")
        assert resp.status_code == 422, (name, resp.status_code)
        body = resp.get_json()
        assert body["error"]["code"] == code and len(resp.data) < 2000, name
        assert body["error"]["message"], name


def test_scans_go_on_while_a_bomb_is_read(app, db_url, world, make_event, token_for, bombs):
    """On SQLite the import used to read the file holding the write lock: scans waited and failed."""
    eid = make_event("volunteer_service", start_in=timedelta(minutes=-5))
    files = [next(data for name, _f, data, _c in bombs if name.startswith(start)) for start in ("3,000", "30,000")]
    server = LiveServer(db_url, workers=3)
    try:
        org = server.session(world.phones.org_a, PASSWORD)
        members = [server.session(p, PASSWORD) for p in (world.phones.a1, world.phones.a2, world.phones.a3)]
        results: list[int] = []

        def bomb():
            for i in range(4):
                r = org.post(server.url + "/api/v1/members/import", files={"file": ("rows.xlsx", files[i % 2])},
                             data={"dry_run": "true"}, timeout=60)
                results.append(r.status_code)
        thread = threading.Thread(target=bomb)
        thread.start()
        answers, slowest = [], 0.0
        time.sleep(0.2)
        for member in members:
            started = time.monotonic()
            r = member.post(server.url + "/api/v1/scans", json={"token": token_for(eid),
                                                               "client_scan_id": str(uuid.uuid4())}, timeout=30)
            slowest = max(slowest, time.monotonic() - started)
            answers.append(r.status_code)
        thread.join()
    finally:
        server.stop()
    assert results == [422] * 4
    assert answers == [201, 201, 201]
    assert slowest < 5, slowest


def test_a_real_roster_still_imports(world, login):
    org = login(world.phones.org_a)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "手机号", "支部"])
    ws.append(["王五", "13912340001", "第一支部"])
    ws.cell(row=1048576, column=3, value=None)  # formatting far below: the sheet declares a large dimension
    out = io.BytesIO()
    wb.save(out)
    resp = org.post("/api/v1/members/import", data={"file": (io.BytesIO(out.getvalue()), "r.xlsx"),
                                                    "dry_run": "true"}, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    assert [r["name"] for r in resp.get_json()["rows"]] == ["王五"]

