"""Meeting records (会议记录): filed after the start by the meeting's managers, approved then locked, amended
only with a reason (audited); attachments typed by their bytes, size-limited, stored on disk."""
import io
import os
from datetime import timedelta

from PIL import Image

BODY = {"topic": "学习贯彻全会精神", "first_topic": "习近平总书记重要讲话", "presided_by": "甲组织者",
        "minutes_by": "甲二", "minutes": "会议传达了……", "decisions": "一、开展专题学习"}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_record_filed_approved_locked_and_amended(world, make_event, login, q):
    meeting = make_event("branch_assembly", start_in=timedelta(hours=-3), hours=2)
    coming = make_event("branch_assembly", start_in=timedelta(days=2))
    org = login(world.phones.org_a)
    early = org.put(f"/api/v1/orglife/events/{coming}/record", json=BODY)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "orglife_record_too_early"
    other = login(world.phones.org_b).put(f"/api/v1/orglife/events/{meeting}/record", json=BODY)
    assert other.status_code == 404  # another branch's meeting
    assert login(world.phones.a1).put(f"/api/v1/orglife/events/{meeting}/record", json=BODY).status_code == 403
    assert q("select count(*) from meeting_records")[0][0] == 0
    no_topic = org.put(f"/api/v1/orglife/events/{meeting}/record", json={**BODY, "topic": ""})
    assert no_topic.status_code == 422

    filed = org.put(f"/api/v1/orglife/events/{meeting}/record", json=BODY)
    assert filed.status_code == 200 and filed.get_json()["status"] == "filed"
    assert org.put(f"/api/v1/orglife/events/{meeting}/record", json={"decisions": "一、二"}).status_code == 200
    approved = org.post(f"/api/v1/orglife/events/{meeting}/record/approve")
    assert approved.status_code == 200 and approved.get_json()["locked"] is True
    assert org.post(f"/api/v1/orglife/events/{meeting}/record/approve").status_code == 409
    locked = org.put(f"/api/v1/orglife/events/{meeting}/record", json={"minutes": "改"})
    assert locked.status_code == 422
    assert locked.get_json()["error"]["details"]["codes"]["reason"] == "orglife_record_amend_reason"
    assert q("select minutes from meeting_records")[0][0] == "会议传达了……"  # nothing changed
    amended = org.put(f"/api/v1/orglife/events/{meeting}/record",
                      json={"minutes": "补正后的记录", "reason": "漏记发言"})
    assert amended.status_code == 200 and amended.get_json()["amendments"] == 1
    rows = q("select action, reason from audit_log where action like 'orglife.record.%' order by id")
    assert [r[0] for r in rows] == ["orglife.record.file", "orglife.record.edit", "orglife.record.approve",
                                    "orglife.record.amend"]
    assert rows[-1][1] == "漏记发言"
    assert org.get(f"/api/v1/orglife/events/{meeting}/record").get_json()["minutes"] == "补正后的记录"
    party = make_event("volunteer_service", start_in=timedelta(hours=-3), hours=2)
    assert org.put(f"/api/v1/orglife/events/{party}/record", json=BODY).get_json()["error"]["code"] == \
        "orglife_record_not_meeting"


def test_attachments_sniffed_limited_and_stored(app, world, make_event, login, q, tmp_path):
    app.config["ORG_FILES_DIR"] = str(tmp_path / "files")
    app.config["ORG_FILE_MAX_BYTES"] = 64 * 1024
    meeting = make_event("group_meeting", start_in=timedelta(hours=-3), hours=2, audience="organization")
    org = login(world.phones.org_a)
    url = f"/api/v1/orglife/events/{meeting}/record/attachments"
    none_yet = org.post(url, data={"file": (io.BytesIO(png_bytes()), "a.png")}, content_type="multipart/form-data")
    assert none_yet.status_code == 409
    org.put(f"/api/v1/orglife/events/{meeting}/record", json=BODY)
    fake = org.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00 not an image"), "photo.jpg")},
                    content_type="multipart/form-data")
    assert fake.status_code == 422 and fake.get_json()["error"]["details"]["codes"]["file"] == "orglife_file_type"
    big = org.post(url, data={"file": (io.BytesIO(b"%PDF-1.4" + b"0" * 70 * 1024), "big.pdf")},
                   content_type="multipart/form-data")
    assert big.status_code == 422 and big.get_json()["error"]["details"]["codes"]["file"] == "orglife_file_too_large"
    assert q("select count(*) from record_attachments")[0][0] == 0
    assert not os.path.exists(tmp_path / "files") or os.listdir(tmp_path / "files") == []
    ok = org.post(url, data={"file": (io.BytesIO(png_bytes()), "会场.txt")}, content_type="multipart/form-data")
    assert ok.status_code == 201 and ok.get_json()["mime"] == "image/png"
    stored = os.listdir(tmp_path / "files")
    assert len(stored) == 1 and stored[0].endswith(".png")
    got = org.get(ok.get_json()["url"])
    assert got.status_code == 200 and got.mimetype == "image/png" and got.data == png_bytes()
    assert login(world.phones.org_b).get(ok.get_json()["url"]).status_code == 404
    pdf = org.post(url, data={"file": (io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\n"), "纪要.pdf")},
                   content_type="multipart/form-data")
    assert pdf.status_code == 201 and pdf.get_json()["mime"] == "application/pdf"
    org.post(f"/api/v1/orglife/events/{meeting}/record/approve")
    locked = org.post(url, data={"file": (io.BytesIO(png_bytes()), "b.png")}, content_type="multipart/form-data")
    assert locked.status_code == 422
    amend = org.post(url, data={"file": (io.BytesIO(png_bytes()), "b.png"), "reason": "补传照片"},
                     content_type="multipart/form-data")
    assert amend.status_code == 201
    record = org.get(f"/api/v1/orglife/events/{meeting}/record").get_json()
    assert [a["mime"] for a in record["attachments"]] == ["image/png", "application/pdf", "image/png"]
    assert record["amendments"] == 1
