"""Reports API shapes: service record, participation report."""
from datetime import date

from marshmallow import Schema, fields, validate

from server.common.schemas import Id
from server.common.timeutil import YEARS

FORMAT_HELP = "json (default) | csv (UTF-8 with BOM, Chinese headers)"


DAYS = validate.Range(date(YEARS[0], 1, 1), date(YEARS[1], 12, 31))


class ServiceRecordArgs(Schema):
    date_from = fields.Date(data_key="from", load_default=None, validate=DAYS,
                            metadata={"description": "first day, YYYY-MM-DD"})
    date_to = fields.Date(data_key="to", load_default=None, validate=DAYS,
                          metadata={"description": "last day (inclusive)"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "html")),
                           metadata={"description": FORMAT_HELP + " | html (printable page)"})


class RecordMemberSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    branch_name = fields.String(allow_none=True)


class RecordEntrySchema(Schema):
    attendance_id = fields.Integer()
    event_id = fields.Integer()
    activity = fields.String(metadata={"description": "活动名称"})
    kind = fields.String()
    kind_label = fields.String()
    date = fields.String(metadata={"description": "服务日期 (local)"})
    place = fields.String(metadata={"description": "服务地点"})
    recipient = fields.String(metadata={"description": "服务对象"})
    content = fields.String(metadata={"description": "服务内容"})
    hours = fields.Float(metadata={"description": "confirmed hours"})
    evaluation = fields.String(allow_none=True)
    evaluation_label = fields.String(metadata={"description": "服务评价"})
    comment = fields.String()
    leader = fields.String(metadata={"description": "活动负责人"})
    recorder = fields.String(metadata={"description": "记录人"})


class RecordTotalsSchema(Schema):
    entries = fields.Integer()
    hours = fields.Float(metadata={"description": "in the period"})
    cumulative_hours = fields.Float(metadata={"description": "all confirmed hours up to the end of the period"})
    star_level = fields.Integer(metadata={"description": "0..5: 100, 300, 600, 1000, 1500 cumulative hours"})
    star_label = fields.String()
    next_threshold = fields.Integer(allow_none=True)
    hours_to_next = fields.Float(allow_none=True)


class ServiceRecordSchema(Schema):
    member = fields.Nested(RecordMemberSchema)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(RecordEntrySchema))
    totals = fields.Nested(RecordTotalsSchema)
    generated_at = fields.String()


class ParticipationArgs(Schema):
    org_id = Id(load_default=None, metadata={"description": "default: the organizer's top organization"})
    month = fields.String(load_default=None, metadata={"description": "YYYY-MM, local; default: this month"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")),
                           metadata={"description": FORMAT_HELP + " | xlsx (the month's workbook: summary, "
                                                                  "party days, absentees, late, every attendance, "
                                                                  "trend)"})


class NumbersSchema(Schema):
    org_id = fields.Integer()
    name = fields.String()
    members = fields.Integer()
    expected = fields.Integer(metadata={"description": "party-day attendances expected (member × party day)"})
    attended = fields.Integer()
    absent = fields.Integer(metadata={"description": "expected - attended - excused"})
    late = fields.Integer()
    excused = fields.Integer(metadata={"description": "approved leave (请假): neither attended nor absent"})
    attendance_rate = fields.Float(allow_none=True, metadata={"description": "attended / (expected - excused), 0..1"})
    volunteer_service_hours = fields.Float()
    community_duty_hours = fields.Float()
    hours = fields.Float()
    registered = fields.Integer(metadata={"description": "members registered with a community (双报到)"})
    registered_share = fields.Float(allow_none=True)
    served = fields.Integer(metadata={"description": "members who served their community this year"})
    served_share = fields.Float(allow_none=True)


class TotalsSchema(NumbersSchema):
    party_days = fields.Integer()


class NotYetHeldSchema(Schema):
    event_id = fields.Integer()
    title = fields.String()
    starts_at = fields.String()
    open = fields.Boolean(metadata={"description": "started and not yet ended (else coming)"})
    expected = fields.Integer()
    checked_in = fields.Integer()


class PartyDaySchema(Schema):
    event_id = fields.Integer()
    title = fields.String()
    starts_at = fields.String()
    host_org_name = fields.String()
    expected = fields.Integer()
    attended = fields.Integer()
    late = fields.Integer()
    excused = fields.Integer()
    absent = fields.Integer()
    attendance_rate = fields.Float(allow_none=True, metadata={"description": "attended / (expected - excused)"})


class PersonSchema(Schema):
    event_id = fields.Integer()
    event_title = fields.String(allow_none=True)
    member_id = fields.Integer()
    name = fields.String()
    branch_name = fields.String(allow_none=True)
    checkin_at = fields.String()


class TrendSchema(Schema):
    month = fields.String()
    expected = fields.Integer()
    attended = fields.Integer()
    excused = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    volunteer_hours = fields.Float()


class ParticipationSchema(Schema):
    org = fields.Dict()
    month = fields.String()
    period = fields.Dict(metadata={"description": "{from, to}: local ISO times, to exclusive"})
    totals = fields.Nested(TotalsSchema)
    rows = fields.List(fields.Nested(NumbersSchema), metadata={"description": "one per direct sub-organization "
                                                                            "(and the organization itself)"})
    party_days = fields.List(fields.Nested(PartyDaySchema), metadata={"description": "held: ended or closed"})
    party_days_not_yet_held = fields.List(fields.Nested(NotYetHeldSchema), metadata={
        "description": "open or coming: counted in no rate or absence until they end"})
    absentees = fields.List(fields.Nested(PersonSchema))
    late_arrivals = fields.List(fields.Nested(PersonSchema))
    trend = fields.List(fields.Nested(TrendSchema), metadata={"description": "January to the month"})
    charts = fields.Dict(metadata={"description": "chart-ready series: attendance_rate [{label, value}], hours "
                                                  "[{label, volunteer_service, community_duty}], coverage "
                                                  "[{label, registered_share, served_share}], trend {labels, "
                                                  "attendance_rate, volunteer_hours}"})
    generated_at = fields.String()
