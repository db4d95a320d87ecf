"""Hours API shapes. Times are deployment-local ISO 8601 strings with their offset."""
from marshmallow import Schema, fields, validate

from server.common.schemas import Id, PageArgs
from server.hours.models import EVALUATIONS
from server.hours.queue import QUEUE_STATES
from server.hours.review import BULK_MAX

EVALUATION = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EVALUATIONS),
                           metadata={"description": "excellent 优秀 | good 良好 | fair 一般 | poor 较差"})
REASON_REQUIRED = {"description": "why (audited); required"}


class QueueArgs(PageArgs):
    state = fields.String(load_default="todo", validate=validate.OneOf(QUEUE_STATES), metadata={
        "description": "todo (default: pending + no_checkout + open disputes) | pending | no_checkout | disputed | "
                       "confirmed | rejected | checked_out | all"})
    event_id = Id(load_default=None)
    community_id = Id(load_default=None)
    q = fields.String(load_default=None, metadata={"description": "search member name or phone"})


class HoursMemberSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    branch_name = fields.String(allow_none=True)


class HoursEventSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    place_name = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    host_org_name = fields.String(allow_none=True)
    host_community_name = fields.String(allow_none=True)


class DisputeSchema(Schema):
    id = fields.Integer()
    attendance_id = fields.Integer()
    message = fields.String()
    status = fields.String(metadata={"description": "open | answered"})
    answer = fields.String()
    answered_by_id = fields.Integer(allow_none=True)
    answered_at = fields.String(allow_none=True)
    created_at = fields.String()


class HoursItemSchema(Schema):
    id = fields.Integer(metadata={"description": "attendance id"})
    event_id = fields.Integer()
    user_id = fields.Integer()
    state = fields.String(metadata={"description": "checked_in | checked_out | pending | confirmed | rejected | "
                                                  "no_checkout | annulled"})
    checkin_at = fields.String(allow_none=True)
    checkin_method = fields.String(allow_none=True)
    checkout_at = fields.String(allow_none=True)
    checkout_method = fields.String(allow_none=True)
    late = fields.Boolean()
    hours_claimed = fields.Float(allow_none=True, metadata={"description": "computed from the scans"})
    hours_confirmed = fields.Float(allow_none=True, metadata={"description": "what counts"})
    note = fields.String()
    member = fields.Nested(HoursMemberSchema)
    event = fields.Nested(HoursEventSchema)
    max_hours = fields.Float(metadata={"description": "the event's scheduled length: the cap for adjust and set"})
    confirmed_by_id = fields.Integer(allow_none=True)
    confirmed_by_name = fields.String(allow_none=True)
    confirmed_at = fields.String(allow_none=True)
    evaluation = fields.String(allow_none=True)
    comment = fields.String()
    publicity_days = fields.Integer()
    locks_at = fields.String(allow_none=True, metadata={"description": "end of publication (公示); null: no lock"})
    locked = fields.Boolean(metadata={"description": "changes now need correction=true and a reason"})
    dispute = fields.Nested(DisputeSchema, allow_none=True, metadata={"description": "the open dispute, if any"})


class QueueCountsSchema(Schema):
    pending = fields.Integer()
    no_checkout = fields.Integer()
    disputed = fields.Integer()


class QueueSchema(Schema):
    items = fields.List(fields.Nested(HoursItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    counts = fields.Nested(QueueCountsSchema, metadata={"description": "badges: whatever the state filter"})


class MineSchema(Schema):
    items = fields.List(fields.Nested(HoursItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class HistorySchema(Schema):
    action = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String()
    at = fields.String()


class HoursDetailSchema(HoursItemSchema):
    disputes = fields.List(fields.Nested(DisputeSchema))
    history = fields.List(fields.Nested(HistorySchema), metadata={"description": "the audit trail, oldest first"})


class ConfirmSchema(Schema):
    evaluation = EVALUATION
    comment = fields.String(load_default=None, validate=validate.Length(max=500))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class AdjustSchema(Schema):
    hours = fields.Float(required=True, metadata={"description": "0 < hours ≤ max_hours"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata=REASON_REQUIRED)
    evaluation = EVALUATION
    comment = fields.String(load_default=None, validate=validate.Length(max=500))
    correction = fields.Boolean(load_default=False, metadata={
        "description": "required (true) to change a locked record after its publication ended"})


class RejectSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata=REASON_REQUIRED)
    comment = fields.String(load_default=None, validate=validate.Length(max=500))
    correction = fields.Boolean(load_default=False)


class ActionResultSchema(Schema):
    action = fields.String()
    correction = fields.Boolean(metadata={"description": "the change was a correction of a locked record"})
    points_paid = fields.Integer()
    points_reversed = fields.Integer()
    item = fields.Nested(HoursItemSchema)


class BulkConfirmSchema(Schema):
    attendance_ids = fields.List(Id(), required=True,
                                 validate=validate.Length(min=1, max=BULK_MAX))
    evaluation = EVALUATION
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class SkippedSchema(Schema):
    attendance_id = fields.Integer()
    state = fields.String()


class BulkResultSchema(Schema):
    confirmed = fields.List(fields.Integer())
    skipped = fields.List(fields.Nested(SkippedSchema), metadata={"description": "not pending: left as they were"})
    points_paid = fields.Integer()


class DisputeInSchema(Schema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AnswerInSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ScopeArgs(Schema):
    community_id = Id(load_default=None)
    org_id = Id(load_default=None)


class PublicationItemSchema(Schema):
    attendance_id = fields.Integer()
    member_name = fields.String()
    branch_name = fields.String(allow_none=True)
    event = fields.Nested(HoursEventSchema)
    hours_confirmed = fields.Float(allow_none=True)
    locks_at = fields.String()
    dispute_open = fields.Boolean()


class PublicationSchema(Schema):
    community_id = fields.Integer(allow_none=True)
    org_id = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(PublicationItemSchema))


class SettingSchema(Schema):
    community_id = fields.Integer(allow_none=True)
    org_id = fields.Integer(allow_none=True)
    publicity_days = fields.Integer(metadata={"description": "0: confirmed hours never lock"})
    updated_at = fields.String(allow_none=True)


class SettingInSchema(Schema):
    community_id = Id(load_default=None)
    org_id = Id(load_default=None)
    publicity_days = fields.Integer(required=True, validate=validate.Range(min=0, max=90))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ServiceInfoSchema(Schema):
    event_id = fields.Integer(dump_only=True)
    recipient = fields.String(validate=validate.Length(max=200), metadata={"description": "服务对象"})
    content = fields.String(validate=validate.Length(max=2000), metadata={"description": "服务内容"})
    leader_name = fields.String(validate=validate.Length(max=80), metadata={"description": "活动负责人"})
    recorder_name = fields.String(validate=validate.Length(max=80), metadata={
        "description": "记录人; empty: whoever confirmed the hours"})
