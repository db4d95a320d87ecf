from marshmallow import Schema, fields, validate

from server.common.schemas import LocalDateTime


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0, 100000))


class ScanInSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_scan_id = fields.UUID(required=True)
    scanned_at = LocalDateTime(load_default=None, allow_none=True)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)


class EventBriefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    place_name = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()


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


class ScanOutSchema(Schema):
    outcome = fields.String()
    message = fields.String()
    offline = fields.Boolean()
    points_awarded = fields.Integer()
    event = fields.Nested(EventBriefSchema)
    attendance = fields.Nested(AttendanceSchema)
