"""Organizer attendance API shapes; field messages say what to fix (zh-CN / English)."""
import base64
import binascii
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.common.schemas import MAX_ID, Id
from server.events.schemas import EventBriefSchema

CURSOR_HELP = "游标无效，请去掉 since 重新获取 / cursor is not valid; fetch again without since"


def encode_cursor(at: datetime) -> str:
    """Opaque to clients: the naive UTC read time, base64url."""
    return base64.urlsafe_b64encode(at.isoformat().encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> datetime:
    try:
        at = datetime.fromisoformat(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationError(CURSOR_HELP)
    if at.tzinfo is not None:
        raise ValidationError(CURSOR_HELP)
    return at


class AttendanceSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    user_id = fields.Integer()
    state = fields.String()
    checkin_at = fields.String(allow_none=True)
    checkin_method = fields.String(allow_none=True)
    checkout_at = fields.String(allow_none=True)
    checkout_method = fields.String(allow_none=True)
    late = fields.Boolean()
    hours_claimed = fields.Float(allow_none=True)
    hours_confirmed = fields.Float(allow_none=True)
    note = fields.String()


class Cursor(fields.String):
    """Loads the opaque `since` cursor to the naive UTC time it encodes."""

    def _deserialize(self, value, attr, data, **kwargs):
        return decode_cursor(super()._deserialize(value, attr, data, **kwargs))


REASON_REQUIRED = "请填写原因 / reason is required: say why this change is made"


def reason_text(value: str) -> None:
    if not value.strip():
        raise ValidationError(REASON_REQUIRED)
    if len(value) > 500:
        raise ValidationError("原因不超过 500 字 / reason is at most 500 characters")


def reason_field() -> fields.String:
    return fields.String(required=True, validate=reason_text,
                         error_messages={"required": REASON_REQUIRED, "null": REASON_REQUIRED})


class SearchArgs(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=40))


class AttendanceListArgs(SearchArgs):
    since = Cursor(load_default=None, metadata={"description": "cursor from the previous answer"})


class AttendanceItemSchema(AttendanceSchema):
    member_name = fields.String()
    member_phone = fields.String()
    branch_name = fields.String(allow_none=True)


class SummarySchema(Schema):
    expected = fields.Integer(allow_none=True, metadata={"description": "kinds with a roster: active roster size"})
    checked_in = fields.Integer(metadata={"description": "attendances neither annulled nor excused"})
    checked_out = fields.Integer()
    late = fields.Integer()
    absent = fields.Integer(allow_none=True, metadata={
        "description": "kinds with a roster: roster neither checked in nor excused"})
    pending = fields.Integer()
    annulled = fields.Integer()
    excused = fields.Integer(metadata={"description": "approved leave (请假): not present, not absent"})
    rate_base = fields.Integer(allow_none=True, metadata={"description": "expected minus excused roster members"})
    attendance_rate = fields.Float(allow_none=True, metadata={"description": "roster checked in / rate_base"})


class AttendanceListSchema(Schema):
    summary = fields.Nested(SummarySchema)
    items = fields.List(fields.Nested(AttendanceItemSchema))
    cursor = fields.String(metadata={"description": "pass as ?since= to get only rows changed after this answer"})


class RosterAttendanceSchema(Schema):
    id = fields.Integer()
    state = fields.String()
    checkin_at = fields.String(allow_none=True)
    late = fields.Boolean()


class RosterItemSchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    branch_name = fields.String(allow_none=True)
    attendance = fields.Nested(RosterAttendanceSchema, allow_none=True)


class RosterSchema(Schema):
    items = fields.List(fields.Nested(RosterItemSchema))


class ManualCheckinSchema(Schema):
    member_id = Id(load_default=None)
    card_token = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    reason = reason_field()
    direction = fields.String(load_default="in", validate=validate.OneOf(
        ("in", "out"), error="direction 只能是 in 或 out / direction must be in or out"))

    @validates_schema
    def _one_member(self, data, **kwargs):
        if (data.get("member_id") is None) == (data.get("card_token") is None):
            raise ValidationError("请提供 member_id 或 card_token 其中之一 / give exactly one of member_id, card_token",
                                  field_name="member_id")


class ManualCheckinOutSchema(Schema):
    outcome = fields.String()
    points_awarded = fields.Integer()
    attendance = fields.Nested(AttendanceItemSchema)


class AnnulSchema(Schema):
    reason = reason_field()


class RestoreOutSchema(Schema):
    points_restored = fields.Integer()
    attendance = fields.Nested(AttendanceItemSchema)


class ReissueOutSchema(Schema):
    member_id = fields.Integer()
    card_version = fields.Integer()
    card_url = fields.String()


class AnnulOutSchema(Schema):
    points_reversed = fields.Integer()
    attendance = fields.Nested(AttendanceItemSchema)


def _this_year() -> int:
    from server.common.timeutil import local_zone
    return datetime.now(local_zone()).year


class MyAttendanceArgs(Schema):
    year = fields.Integer(load_default=_this_year, validate=validate.Range(2000, 2100))
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_ID))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class MyYearSchema(Schema):
    year = fields.Integer()
    count = fields.Integer()
    hours_confirmed = fields.Float()
    hours_pending = fields.Float()
    pending = fields.Integer()


class MyAttendanceItemSchema(AttendanceSchema):
    event = fields.Nested(EventBriefSchema)


class MyAttendanceSchema(Schema):
    summary = fields.Nested(MyYearSchema)
    items = fields.List(fields.Nested(MyAttendanceItemSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
