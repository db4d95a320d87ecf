from marshmallow import Schema, fields, validate

from server.attendance.schemas import AttendanceSchema
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


class ScanOutSchema(Schema):
    outcome = fields.String()
    message = fields.String()
    offline = fields.Boolean()
    points_awarded = fields.Integer()
    event = fields.Nested(EventBriefSchema)
    attendance = fields.Nested(AttendanceSchema)
