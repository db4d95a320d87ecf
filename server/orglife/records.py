"""Meeting records (会议记录): filed by an organizer managing the meeting once it has started, approved by the
branch's secretary (an organizer managing it) or an admin, then locked: a later change is an amendment with a
reason, audited with before and after. Attachments are photos or PDFs, typed by their bytes, size-limited,
stored on disk under ORG_FILES_DIR (the instance folder's orgfiles by default)."""
import os
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

import server.orglife.messages  # noqa: F401  (registers the message codes)
from server.auth.models import User
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Conflict, Invalid, NotFound
from server.common.timeutil import iso_local, utcnow
from server.events.kinds import KINDS
from server.events.lookup import event_for
from server.events.models import Event
from server.extensions import db
from server.orglife.models import MeetingRecord, RecordAttachment

FIELDS = ("topic", "first_topic", "presided_by", "minutes_by", "minutes", "decisions")
# magic bytes → (mime type, extension): photos and PDFs only, whatever the file's name says
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
              (b"%PDF-", "application/pdf", "pdf"), (b"GIF87a", "image/gif", "gif"), (b"GIF89a", "image/gif", "gif"))


def files_dir() -> str:
    return current_app.config.get("ORG_FILES_DIR") or os.path.join(current_app.instance_path, "orgfiles")


def max_bytes() -> int:
    return int(current_app.config.get("ORG_FILE_MAX_BYTES") or 5 * 1024 * 1024)


def sniff(data: bytes) -> tuple[str, str] | None:
    for magic, mime, ext in SIGNATURES:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def attachment_json(a: RecordAttachment) -> dict:
    return {"id": a.id, "filename": a.filename, "mime": a.mime, "size": a.size, "created_at": iso_local(a.created_at),
            "url": f"/api/v1/orglife/attachments/{a.id}"}


def record_json(r: MeetingRecord, files: list[RecordAttachment] | None = None) -> dict:
    files = files if files is not None else list(db.session.scalars(
        select(RecordAttachment).where(RecordAttachment.record_id == r.id).order_by(RecordAttachment.id)))
    return {"event_id": r.event_id, **{f: getattr(r, f) for f in FIELDS}, "status": r.status,
            "locked": r.status == "approved", "filed_by_id": r.filed_by_id, "approved_by_id": r.approved_by_id,
            "approved_at": iso_local(r.approved_at) if r.approved_at else None, "amendments": r.amendments,
            "updated_at": iso_local(r.updated_at), "attachments": [attachment_json(a) for a in files]}


def _meeting(actor: User, event_id: int, need: str) -> Event:
    event = event_for(scope_of(actor), event_id, need)  # another branch's meeting: 404 / 403
    if not KINDS[event.kind].org_life:
        raise Conflict("orglife_record_not_meeting", {"event_id": event_id})
    return event


def _record(event_id: int) -> MeetingRecord | None:
    return db.session.scalar(select(MeetingRecord).where(MeetingRecord.event_id == event_id))


def get(actor: User, event_id: int) -> dict:
    _meeting(actor, event_id, "manage")
    r = _record(event_id)
    if r is None:
        raise NotFound(details={"event_id": event_id, "record": None})
    return record_json(r)


def file(actor: User, event_id: int, values: dict, reason: str = "", now: datetime | None = None) -> dict:
    """File (or correct) the record; once approved only as an amendment with a reason."""
    now = now or utcnow()
    event = _meeting(actor, event_id, "manage")
    if event.status == "cancelled" or event.starts_at > now:
        raise Conflict("orglife_record_too_early", {"event_id": event_id, "starts_at": iso_local(event.starts_at)})
    r = _record(event_id)
    if r is not None and r.status == "approved" and not reason.strip():
        raise Invalid({"reason": "orglife_record_amend_reason"})
    if r is None:
        if not values.get("topic"):
            raise Invalid({"topic": "orglife_record_topic_required"})
        r = MeetingRecord(event_id=event_id, status="filed", filed_by_id=actor.id, created_at=now, updated_at=now,
                          **{f: values.get(f, "") for f in FIELDS})
        db.session.add(r)
        db.session.flush()
        audit.record(actor.id, "orglife.record.file", "meeting_record", r.id, None, _fields(r), reason)
    else:
        before = _fields(r)
        for f in FIELDS:
            if f in values:
                setattr(r, f, values[f])
        if not r.topic:
            raise Invalid({"topic": "orglife_record_topic_required"})
        after = _fields(r)
        changed = {k: v for k, v in after.items() if before[k] != v}
        if changed:
            action = "orglife.record.amend" if r.status == "approved" else "orglife.record.edit"
            r.amendments += r.status == "approved"
            audit.record(actor.id, action, "meeting_record", r.id, {k: before[k] for k in changed}, changed, reason)
    db.session.commit()
    return record_json(r)


def _fields(r: MeetingRecord) -> dict:
    return {f: getattr(r, f) for f in FIELDS}


def approve(actor: User, event_id: int, now: datetime | None = None) -> dict:
    _meeting(actor, event_id, "manage")
    r = _record(event_id)
    if r is None:
        raise NotFound(details={"event_id": event_id, "record": None})
    if r.status == "approved":
        raise Conflict("orglife_record_approved", {"event_id": event_id})
    r.status, r.approved_by_id, r.approved_at = "approved", actor.id, now or utcnow()
    audit.record(actor.id, "orglife.record.approve", "meeting_record", r.id, {"status": "filed"},
                 {"status": "approved"})
    db.session.commit()
    return record_json(r)


def attach(actor: User, event_id: int, filename: str, data: bytes, reason: str = "") -> dict:
    """Store a photo or PDF of a filed record; to a locked record only as an amendment with a reason."""
    _meeting(actor, event_id, "manage")
    r = _record(event_id)
    if r is None:
        raise Conflict("orglife_record_missing", {"event_id": event_id})
    if len(data) > max_bytes():
        raise Invalid({"file": ("orglife_file_too_large", {"max_mb": max_bytes() // (1024 * 1024)})},
                      location="files")
    kind = sniff(data)
    if not data or kind is None:
        raise Invalid({"file": "orglife_file_type"}, location="files")
    if r.status == "approved" and not reason.strip():
        raise Invalid({"reason": "orglife_record_amend_reason"}, location="form")
    mime, ext = kind
    stored = f"{secrets.token_hex(16)}.{ext}"
    os.makedirs(files_dir(), exist_ok=True)
    path = os.path.join(files_dir(), stored)
    with open(path, "wb") as out:
        out.write(data)
    a = RecordAttachment(record_id=r.id, filename=(os.path.basename(filename) or stored)[:200], stored_name=stored,
                         mime=mime, size=len(data), uploaded_by_id=actor.id)
    db.session.add(a)
    try:
        db.session.flush()
        if r.status == "approved":
            r.amendments += 1
        audit.record(actor.id, "orglife.record.amend" if r.status == "approved" else "orglife.record.attach",
                     "meeting_record", r.id, None, {"attachment_id": a.id, "mime": mime, "size": len(data)}, reason)
        db.session.commit()
    except Exception:
        db.session.rollback()
        os.remove(path)
        raise
    return attachment_json(a)


def attachment(actor: User, attachment_id: int) -> tuple[str, str, str]:
    """(path, mime, download name) of an attachment of a meeting the actor manages."""
    a = db.session.get(RecordAttachment, attachment_id)
    r = a and db.session.get(MeetingRecord, a.record_id)
    if r is None:
        raise NotFound(details={"attachment_id": attachment_id})
    try:
        _meeting(actor, r.event_id, "manage")
    except NotFound:
        raise NotFound(details={"attachment_id": attachment_id}) from None
    return os.path.join(files_dir(), a.stored_name), a.mime, a.filename
