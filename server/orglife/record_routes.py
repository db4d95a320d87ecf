"""Meeting record API (会议记录): file, approve (locks it), amend with a reason, attach photos or PDFs."""
from flask import request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields

from server.auth.permissions import login_required, require_user
from server.common.errors import Invalid
from server.common.fields import text
from server.orglife import records
from server.orglife.routes import blp


class MeetingRecordBodySchema(Schema):
    topic = fields.String(validate=text(200, "会议主题"))
    first_topic = fields.String(validate=text(500, "第一议题"))
    presided_by = fields.String(validate=text(80, "主持人"))
    minutes_by = fields.String(validate=text(80, "记录人"))
    minutes = fields.String(validate=text(20000, "会议记录"))
    decisions = fields.String(validate=text(5000, "会议决定"))
    reason = fields.String(load_default="", validate=text(255, "修改原因"),
                           metadata={"description": "required once the record is approved (an amendment)"})


class RecordAttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    mime = fields.String()
    size = fields.Integer()
    created_at = fields.String()
    url = fields.String()


class MeetingRecordSchema(Schema):
    event_id = fields.Integer()
    topic = fields.String()
    first_topic = fields.String(metadata={"description": "第一议题: the study item"})
    presided_by = fields.String()
    minutes_by = fields.String()
    minutes = fields.String()
    decisions = fields.String()
    status = fields.String(metadata={"description": "filed, or approved (locked)"})
    locked = fields.Boolean()
    filed_by_id = fields.Integer(allow_none=True)
    approved_by_id = fields.Integer(allow_none=True)
    approved_at = fields.String(allow_none=True)
    amendments = fields.Integer()
    updated_at = fields.String()
    attachments = fields.List(fields.Nested(RecordAttachmentSchema))


class RecordAttachFormSchema(Schema):
    reason = fields.String(load_default="", validate=text(255, "修改原因"))


@blp.route("/orglife/events/<int:event_id>/record")
class Record(MethodView):
    decorators = [login_required]

    @blp.response(200, MeetingRecordSchema)
    @blp.alt_response(403, description="You see the meeting but do not manage it")
    @blp.alt_response(404, description="No such meeting visible to you, or no record yet")
    def get(self, event_id):
        """The meeting's record with its attachments."""
        return records.get(require_user(), event_id)

    @blp.arguments(MeetingRecordBodySchema)
    @blp.response(200, MeetingRecordSchema)
    @blp.alt_response(403, description="You see the meeting but do not manage it (another branch's)")
    @blp.alt_response(404, description="No such meeting visible to you")
    @blp.alt_response(409, description="Not started yet, or not a meeting (orglife_record_*)")
    def put(self, body, event_id):
        """File or correct the record; once approved, an amendment with a reason (audited)."""
        reason = body.pop("reason")
        return records.file(require_user(), event_id, body, reason)


@blp.route("/orglife/events/<int:event_id>/record/approve")
class RecordApprove(MethodView):
    decorators = [login_required]

    @blp.response(200, MeetingRecordSchema)
    @blp.alt_response(403, description="You see the meeting but do not manage it")
    @blp.alt_response(404, description="No such meeting or no record")
    @blp.alt_response(409, description="Already approved")
    def post(self, event_id):
        """Approve the record: it is locked, later changes are amendments (audited)."""
        return records.approve(require_user(), event_id)


@blp.route("/orglife/events/<int:event_id>/record/attachments")
class RecordAttachments(MethodView):
    decorators = [login_required]

    @blp.arguments(RecordAttachFormSchema, location="form")
    @blp.response(201, RecordAttachmentSchema)
    @blp.alt_response(403, description="You see the meeting but do not manage it")
    @blp.alt_response(404, description="No such meeting visible to you")
    @blp.alt_response(409, description="No record filed yet")
    @blp.alt_response(422, description="Too large, or not an image or a PDF by its bytes")
    def post(self, form, event_id):
        """Attach a photo (PNG, JPEG, GIF, WebP) or a PDF, multipart field `file`; typed by its bytes."""
        upload = request.files.get("file")
        if upload is None:
            raise Invalid({"file": "orglife_file_type"}, location="files")
        data = upload.read(records.max_bytes() + 1)
        return records.attach(require_user(), event_id, upload.filename or "", data, form["reason"])


@blp.route("/orglife/attachments/<int:attachment_id>")
class Attachment(MethodView):
    decorators = [login_required]

    @blp.response(200, description="The file, with its sniffed type")
    @blp.alt_response(403, description="You see the meeting but do not manage it")
    @blp.alt_response(404, description="No such attachment of a meeting you see")
    def get(self, attachment_id):
        """Download an attachment of a meeting record."""
        path, mime, name = records.attachment(require_user(), attachment_id)
        return send_file(path, mimetype=mime, download_name=name, as_attachment=mime == "application/pdf")
