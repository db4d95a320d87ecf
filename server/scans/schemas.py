from marshmallow import Schema, fields, validate

from server.attendance.schemas import AttendanceSchema
from server.common.fields import one_of, text
from server.common.schemas import LocalDateTime
from server.events.schemas import EventBriefSchema


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0, 100000))


class ScanInSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_scan_id = fields.UUID(required=True)
    scanned_at = LocalDateTime(load_default=None, allow_none=True)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    confirm_checkout = fields.Boolean(load_default=False, metadata={
        "description": "the member confirmed a check-out within EARLY_CHECKOUT_MINUTES of the check-in"})


class ReviewInfoSchema(Schema):
    reason = fields.String(metadata={"description": "late (sent after the grace) or no_location (geofenced event)"})
    delay_s = fields.Integer()


class ScanOutSchema(Schema):
    outcome = fields.String()
    message = fields.String()
    offline = fields.Boolean()
    points_awarded = fields.Integer()
    event = fields.Nested(EventBriefSchema)
    attendance = fields.Nested(AttendanceSchema)
    review = fields.Nested(ReviewInfoSchema, metadata={"description": "present when the outcome is pending_review"})


class HeldScanSchema(Schema):
    scan_id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.String()
    member_phone = fields.String()
    branch_name = fields.String(allow_none=True)
    direction = fields.String()
    scanned_at = fields.String()
    received_at = fields.String()
    delay_s = fields.Integer(allow_none=True)
    held_because = fields.String(allow_none=True)
    has_location = fields.Boolean()
    distance_m = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    decision = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)


class HeldScansSchema(Schema):
    items = fields.List(fields.Nested(HeldScanSchema))


class ReviewDecisionSchema(Schema):
    decision = fields.String(required=True, validate=one_of(("accept", "refuse"), "处理结果"))
    reason = fields.String(load_default="", validate=text(200, "理由"))


class ReviewOutSchema(Schema):
    scan_id = fields.Integer()
    decision = fields.String()
    outcome = fields.String()
    points_awarded = fields.Integer()
    attendance = fields.Dict(allow_none=True)
