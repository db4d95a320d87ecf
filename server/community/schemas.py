"""Request shapes of the double-registration API, with field messages a form can show (zh-CN / English).

Response shapes are in server.community.views.
"""
from marshmallow import Schema, fields, validate

from server.common.fields import between, bi, one_of, required, text
from server.common.schemas import Id, LocalDateTime
from server.community.models import RATINGS, REGISTRATION_STATUSES

# -- registration ------------------------------------------------------------------------------

class RegistrationNoteSchema(Schema):
    address = fields.String(load_default="", validate=text(255, "居住地址"),
                            metadata={"description": "居住地址 home address"})
    skills = fields.String(load_default="", validate=text(255, "特长"), metadata={"description": "特长 skills"})
    availability = fields.String(load_default="", validate=text(255, "可服务时间"),
                                 metadata={"description": "可服务时间 when the member can serve"})


class RegistrationCreateSchema(Schema):
    token = required(fields.String, validate=text(120, "报到码", 1),
                     metadata={"description": "the token from the scanned URL {PUBLIC_BASE_URL}/r/{token}"})
    note = fields.Nested(RegistrationNoteSchema, load_default=dict)


class TokenArgs(Schema):
    token = required(fields.String, validate=text(120, "报到码", 1))


class AcceptSchema(Schema):
    message = fields.String(load_default="", validate=text(500, "欢迎语"),
                            metadata={"description": "shown on the member's receipt (回执)"})


class DeclineSchema(Schema):
    reason = required(fields.String, validate=text(500, "不通过原因", 1))


class ReasonSchema(Schema):
    reason = fields.String(load_default="", validate=text(500, "原因"))


class RegistrationListArgs(Schema):
    status = fields.String(validate=one_of(REGISTRATION_STATUSES, "状态"))


class QrArgs(Schema):
    format = fields.String(load_default="png", validate=one_of(("png", "svg"), "图片格式"))
    box_size = fields.Integer(load_default=10, validate=between(2, 40, "像素"),
                              metadata={"description": "PNG pixels per module"})


# -- pairing ------------------------------------------------------------------------------------

class PairingCreateSchema(Schema):
    organization_id = required(Id)
    community_id = required(Id)
    note = fields.String(load_default="", validate=text(255, "备注"))


class PairingListArgs(Schema):
    organization_id = Id()
    community_id = Id()
    include_ended = fields.Boolean(load_default=False)


# -- needs and claims ---------------------------------------------------------------------------

class SlotCreateSchema(Schema):
    starts_at = required(LocalDateTime)
    ends_at = required(LocalDateTime)
    capacity = required(fields.Integer, validate=between(1, 1000, "需求人数"),
                        metadata={"description": "people wanted (名额)"})


class SlotPatchSchema(Schema):
    starts_at = LocalDateTime(metadata={"description": "only before the slot starts"})
    ends_at = LocalDateTime(metadata={"description": "only before the slot starts"})
    capacity = fields.Integer(validate=between(1, 1000, "需求人数"),
                              metadata={"description": "never below the claims held"})


SKILLS = fields.List(fields.String(validate=text(30, "技能", 1)), validate=validate.Length(
    max=20, error=bi("技能最多 20 项", "at most 20 skills")))


class DutyPatchSchema(Schema):
    title = fields.String(validate=text(200, "需求名称", 1))
    description = fields.String(validate=text(5000, "需求说明"))
    place_name = fields.String(validate=text(200, "地点"))
    skills = SKILLS
    status = fields.String(validate=one_of(("open", "closed", "cancelled"), "状态"), metadata={
        "description": "closed: no new claims; cancelled: slots not yet over and their events are cancelled"})


class DutyCreateSchema(Schema):
    title = required(fields.String, validate=text(200, "需求名称", 1))
    description = fields.String(load_default="", validate=text(5000, "需求说明"))
    place_name = fields.String(load_default="", validate=text(200, "地点"))
    skills = fields.List(fields.String(validate=text(30, "技能", 1)), load_default=list,
                         validate=validate.Length(max=20, error=bi("技能最多 20 项", "at most 20 skills")))
    slots = required(fields.List, cls_or_instance=fields.Nested(SlotCreateSchema), validate=validate.Length(
        1, 50, error=bi("请填写 1–50 个时段", "give 1 to 50 time slots")))


class IncludePastArgs(Schema):
    include_past = fields.Boolean(load_default=False)


# -- evaluations and reports -------------------------------------------------------------------

# years 2000-2099 only: "0000Q1" or "9999" name no period an evaluation can belong to
PERIOD = validate.Regexp(r"^20\d\d(Q[1-4])?$", error=bi("期间格式为 2026 或 2026Q3", "period is 2026 or 2026Q3"))


class EvaluationPutSchema(Schema):
    user_id = required(Id)
    period = required(fields.String, validate=PERIOD, metadata={"description": "a year (2026) or a quarter (2026Q3)"})
    rating = required(fields.String, validate=one_of(RATINGS, "评价"),
                      metadata={"description": "excellent 优秀 | good 良好 | fair 一般 | poor 较差"})
    comment = fields.String(load_default="", validate=text(1000, "评价说明"))


class EvaluationListArgs(Schema):
    period = fields.String(validate=PERIOD)


class ReportArgs(Schema):
    year = required(fields.Integer, validate=between(2000, 2100, "年份"))
    quarter = fields.Integer(validate=between(1, 4, "季度"), metadata={"description": "omit for the whole year"})
    min_hours = fields.Float(validate=between(0, 2000, "年度服务时长标准"), metadata={
        "description": "yearly hours under which a member is flagged (default COMMUNITY_MIN_HOURS_PER_YEAR, 50); "
                       "a quarter uses a quarter of it"})
