"""A 5,000-row roster imports in seconds (bulk statements, no query per row). The times are printed,
not asserted: they depend on the machine."""
import io
import time

from openpyxl import Workbook

ROWS = 5000


def roster_xlsx(n: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "手机号", "支部", "社区", "角色"])
    for i in range(n):
        ws.append([f"党员{i:05d}", 13700000000 + i, "第一支部" if i % 2 else "第二支部",
                   "一号社区" if i % 3 == 0 else ("二号社区" if i % 3 == 1 else None), "党员"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def timed(client, data, dry_run):
    started = time.perf_counter()
    resp = client.post("/api/v1/members/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "roster-5000.xlsx"), "dry_run": "true" if dry_run else "false"})
    return resp, time.perf_counter() - started


def test_import_5000_rows(world, login, q, capsys):
    admin = login(world.phones.admin)
    data = roster_xlsx(ROWS)
    dry, t_dry = timed(admin, data, True)
    assert dry.status_code == 200 and dry.get_json()["summary"]["create"] == ROWS
    real, t_real = timed(admin, data, False)
    assert real.status_code == 200, real.get_json()
    assert real.get_json()["summary"] == {"rows": ROWS, "create": ROWS, "update": 0, "unchanged": 0, "refuse": 0,
                                         "deactivate": 0}
    assert q("select count(*) from users where phone like '137%'")[0][0] == ROWS
    assert q("select count(*) from users where phone like '137%' and community_id is not null")[0][0] == 3334
    again, t_again = timed(admin, data, False)
    assert again.get_json()["summary"]["unchanged"] == ROWS
    with capsys.disabled():
        print(f"\n[import {ROWS} rows, XLSX] dry run {t_dry:.2f} s, real run {t_real:.2f} s, "
              f"re-import (all unchanged) {t_again:.2f} s")
