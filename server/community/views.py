"""Response shapes of the double-registration API; times are local ISO with offset."""
from marshmallow import Schema, fields

from server.common.schemas import LocalDateTime


class CommunityBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)


class MemberBriefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    branch_id = fields.Integer(allow_none=True)
    branch_name = fields.String(allow_none=True)


class NoteSchema(Schema):
    address = fields.String()
    skills = fields.String()
    availability = fields.String()


class ReceiptSchema(Schema):
    receipt_no = fields.String(metadata={"description": "回执编号"})
    text = fields.String(metadata={"description": "the receipt sentence to show, in Chinese"})
    community_name = fields.String()
    member_name = fields.String()
    branch_name = fields.String(allow_none=True)
    accepted_at = LocalDateTime()
    accepted_by = fields.String(allow_none=True)
    message = fields.String(metadata={"description": "the liaison's welcome message"})


class RegistrationSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "pending | accepted | declined | ended"})
    community = fields.Nested(CommunityBriefSchema)
    member = fields.Nested(MemberBriefSchema)
    note = fields.Nested(NoteSchema)
    created_at = LocalDateTime()
    decided_at = LocalDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String(metadata={"description": "decline reason, or the welcome message"})
    started_at = LocalDateTime(allow_none=True)
    ended_at = LocalDateTime(allow_none=True)
    end_reason = fields.String(metadata={"description": "moved | superseded | the reason given"})
    receipt = fields.Nested(ReceiptSchema, allow_none=True, metadata={"description": "present once accepted"})


class MyRegistrationsSchema(Schema):
    community = fields.Nested(CommunityBriefSchema, allow_none=True, metadata={"description": "registered now"})
    current = fields.Nested(RegistrationSchema, allow_none=True)
    history = fields.List(fields.Nested(RegistrationSchema), metadata={"description": "newest first"})


class RegistrationPreviewSchema(Schema):
    community = fields.Nested(CommunityBriefSchema)
    already_registered = fields.Boolean()
    current_community_id = fields.Integer(allow_none=True)
    pending_registration = fields.Nested(RegistrationSchema, allow_none=True)


class RegistrationCodeSchema(Schema):
    community_id = fields.Integer()
    token = fields.String()
    url = fields.String(metadata={"description": "{PUBLIC_BASE_URL}/r/{token}: what the QR encodes"})
    key_version = fields.Integer()


class PairingSchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    organization_name = fields.String()
    community_id = fields.Integer()
    community_name = fields.String()
    note = fields.String()
    started_at = LocalDateTime()
    ended_at = LocalDateTime(allow_none=True)
    active = fields.Boolean()


class SlotSchema(Schema):
    id = fields.Integer()
    duty_id = fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    capacity = fields.Integer()
    claimed = fields.Integer()
    remaining = fields.Integer()
    status = fields.String(metadata={"description": "open | cancelled"})
    event_id = fields.Integer(metadata={"description": "the community_duty event whose QR codes check in/out"})
    claimed_by_me = fields.Boolean()
    can_claim = fields.Boolean()
    can_withdraw = fields.Boolean()


class DutySchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    community_name = fields.String()
    title = fields.String()
    description = fields.String()
    place_name = fields.String()
    skills = fields.List(fields.String())
    status = fields.String(metadata={"description": "open | closed | cancelled"})
    created_at = LocalDateTime()
    slots = fields.List(fields.Nested(SlotSchema))


class AttendanceBriefSchema(Schema):
    id = fields.Integer()
    state = fields.String()
    checkin_at = LocalDateTime(allow_none=True)
    checkout_at = LocalDateTime(allow_none=True)
    hours_claimed = fields.Float(allow_none=True)
    hours_confirmed = fields.Float(allow_none=True)


class DutyBriefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    place_name = fields.String()
    community_id = fields.Integer()
    community_name = fields.String()


class ClaimSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "active | withdrawn"})
    claimed_at = LocalDateTime()
    withdrawn_at = LocalDateTime(allow_none=True)
    slot = fields.Nested(SlotSchema)
    duty = fields.Nested(DutyBriefSchema)
    attendance = fields.Nested(AttendanceBriefSchema, allow_none=True)


class SlotClaimSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    claimed_at = LocalDateTime()
    withdrawn_at = LocalDateTime(allow_none=True)
    withdraw_reason = fields.String(metadata={"description": "why it was withdrawn for the member (a move), if so"})
    member = fields.Nested(MemberBriefSchema)
    attendance = fields.Nested(AttendanceBriefSchema, allow_none=True)


class SlotClaimsSchema(Schema):
    slot = fields.Nested(SlotSchema)
    claims = fields.List(fields.Nested(SlotClaimSchema))


class EvaluationSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    member = fields.Nested(MemberBriefSchema)
    period = fields.String()
    rating = fields.String()
    rating_label = fields.String()
    comment = fields.String()
    updated_at = LocalDateTime()


class ReportEvaluationSchema(Schema):
    rating = fields.String()
    rating_label = fields.String(metadata={"description": "优秀 | 良好 | 一般 | 较差"})
    comment = fields.String()
    community_id = fields.Integer()
    community_name = fields.String()


class ReportRowSchema(Schema):
    user_id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    branch_id = fields.Integer(allow_none=True)
    branch_name = fields.String(allow_none=True)
    registered = fields.Boolean()
    community_id = fields.Integer(allow_none=True)
    community_name = fields.String(allow_none=True)
    registered_since = LocalDateTime(allow_none=True)
    duties_claimed = fields.Integer()
    attended = fields.Integer()
    hours_confirmed = fields.Float()
    evaluation = fields.Nested(ReportEvaluationSchema, allow_none=True)
    flags = fields.List(fields.String(), metadata={"description": "not_registered | under_threshold"})


class ReportScopeSchema(Schema):
    type = fields.String(metadata={"description": "organization | community"})
    id = fields.Integer()
    name = fields.String()


class ReportPeriodSchema(Schema):
    year = fields.Integer()
    quarter = fields.Integer(allow_none=True)
    code = fields.String(metadata={"description": "2026 or 2026Q3 (the evaluation period)"})
    label = fields.String(metadata={"description": "2026年第3季度 / 2026年度"})
    starts_at = LocalDateTime()
    ends_at = LocalDateTime(metadata={"description": "exclusive"})


class ReportTotalsSchema(Schema):
    members = fields.Integer()
    registered = fields.Integer()
    not_registered = fields.Integer()
    under_threshold = fields.Integer()
    duties_claimed = fields.Integer()
    attended = fields.Integer()
    hours_confirmed = fields.Float()


class ReportSchema(Schema):
    scope = fields.Nested(ReportScopeSchema)
    period = fields.Nested(ReportPeriodSchema)
    threshold_hours = fields.Float(metadata={"description": "the threshold for this period"})
    threshold_hours_per_year = fields.Float()
    totals = fields.Nested(ReportTotalsSchema)
    rows = fields.List(fields.Nested(ReportRowSchema))
