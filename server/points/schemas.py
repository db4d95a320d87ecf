"""Points API shapes: the member's ledger and the leaderboard."""
from marshmallow import Schema, fields, validate

from server.common.schemas import Id, PageArgs


class LedgerArgs(PageArgs):
    member_id = Id(load_default=None, metadata={"description": "admins and organizers only"})


class LedgerEntrySchema(Schema):
    id = fields.Integer()
    amount = fields.Integer()
    rule_code = fields.String()
    entry_type = fields.String(metadata={"description": "pay | reverse | adjust"})
    attendance_id = fields.Integer(allow_none=True)
    event_id = fields.Integer(allow_none=True)
    event_title = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reason = fields.String()
    created_at = fields.String()


class LedgerSchema(Schema):
    member_id = fields.Integer()
    balance = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    items = fields.List(fields.Nested(LedgerEntrySchema))


class LeaderboardArgs(Schema):
    org_id = Id(load_default=None)
    community_id = Id(load_default=None)
    period = fields.String(load_default="month", validate=validate.OneOf(
        ("month", "year", "all"), error="period 只能是 month、year 或 all / period must be month, year or all"))


class LeaderRowSchema(Schema):
    rank = fields.Integer()
    member_id = fields.Integer()
    name = fields.String()
    branch_name = fields.String(allow_none=True)
    points = fields.Integer()


class LeaderboardSchema(Schema):
    org_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    period = fields.String()
    since = fields.String(allow_none=True)
    items = fields.List(fields.Nested(LeaderRowSchema))
