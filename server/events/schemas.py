"""Event request and response shapes, with field messages a form can show (zh-CN / English)."""
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from server.common import geo
from server.common.fields import FIELD_MESSAGES, TIME_INVALID, between, bi, one_of, text
from server.common.schemas import Id, LocalDateTime, PageArgs
from server.events.models import GEOFENCE_MODES, KINDS, QR_MODES, STATUSES

# "claimers" is set by duty slots (server.community); committee: the branch's 支委, group: one 党小组
AUDIENCE_CHOICES = ("open", "organization", "community", "committee", "group")


class BilingualSchema(Schema):
    """Field errors a form can show as they are, in Chinese and English."""

    error_messages = {"unknown": bi("不支持的字段", "unknown field")}

    def on_bind_field(self, field_name, field_obj):
        invalid = TIME_INVALID if isinstance(field_obj, fields.DateTime) else FIELD_MESSAGES["invalid"]
        field_obj.error_messages.update({**FIELD_MESSAGES, "invalid": invalid})


class EventPatchSchema(BilingualSchema):
    """Every field optional: PATCH changes only what it names. Coordinates come out WGS-84."""

    kind = fields.String(validate=one_of(KINDS, "活动类型"))
    title = fields.String(validate=text(200, "活动名称", 1))
    description = fields.String(validate=text(5000, "活动说明"))
    host_org_id = Id(allow_none=True)
    host_community_id = Id(allow_none=True)
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    opens_before_minutes = fields.Integer(strict=True,
                                          validate=between(0, 1440, "提前开放签到时间", " 分钟", " minutes"))
    closes_after_minutes = fields.Integer(strict=True,
                                          validate=between(0, 1440, "结束后保留签到时间", " 分钟", " minutes"))
    place_name = fields.String(validate=text(200, "地点名称"))
    lat = fields.Float(allow_none=True, validate=between(-90, 90, "纬度"))
    lng = fields.Float(allow_none=True, validate=between(-180, 180, "经度"))
    coord_system = fields.String(validate=one_of(("wgs84", "gcj02"), "坐标系"))
    geofence_radius_m = fields.Integer(strict=True, allow_none=True,
                                       validate=between(10, 10000, "签到范围半径", " 米", " metres"))
    geofence_mode = fields.String(validate=one_of(GEOFENCE_MODES, "定位校验方式"))
    capacity = fields.Integer(strict=True, allow_none=True, validate=between(1, 100000, "名额", " 人", " people"))
    audience = fields.String(validate=one_of(AUDIENCE_CHOICES, "参加范围"))
    party_group_id = Id(allow_none=True, metadata={"description": "audience group: the Party group (党小组) expected"})
    requires_confirmation = fields.Boolean()
    late_after_minutes = fields.Integer(strict=True, validate=between(0, 240, "迟到判定时间", " 分钟", " minutes"))
    qr_mode = fields.String(validate=one_of(QR_MODES, "二维码方式"))
    status = fields.String(validate=one_of(("draft", "published"), "状态"))

    @validates_schema(skip_on_field_errors=False)
    def _coordinates_in_pairs(self, data, **kwargs):
        if ("lat" in data) != ("lng" in data):
            missing = "lng" if "lat" in data else "lat"
            raise ValidationError(bi("纬度和经度需同时提供", "send lat and lng together"), missing)

    @post_load
    def _normalise(self, data, **kwargs):
        """Store WGS-84: phones and Chinese maps (AMap, Tencent) often give GCJ-02."""
        system = data.pop("coord_system", "wgs84")
        if system == "gcj02" and data.get("lat") is not None and data.get("lng") is not None:
            data["lat"], data["lng"] = geo.gcj02_to_wgs84(data["lat"], data["lng"])
        for key in ("title", "description", "place_name"):
            if key in data:
                data[key] = data[key].strip()
        return data


class EventCreateSchema(EventPatchSchema):
    kind = fields.String(required=True, validate=one_of(KINDS, "活动类型"))
    title = fields.String(required=True, validate=text(200, "活动名称", 1))
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    opens_before_minutes = fields.Integer(strict=True, load_default=30,
                                          validate=between(0, 1440, "提前开放签到时间", " 分钟", " minutes"))
    closes_after_minutes = fields.Integer(strict=True, load_default=30,
                                          validate=between(0, 1440, "结束后保留签到时间", " 分钟", " minutes"))
    coord_system = fields.String(load_default="wgs84", validate=one_of(("wgs84", "gcj02"), "坐标系"))
    status = fields.String(load_default="published", validate=one_of(("draft", "published"), "状态"))


class EventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    status = fields.String()
    host_org_id = fields.Integer(allow_none=True)
    host_org_name = fields.String(allow_none=True)
    host_community_id = fields.Integer(allow_none=True)
    host_community_name = fields.String(allow_none=True)
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    window_opens_at = LocalDateTime()
    window_closes_at = LocalDateTime()
    opens_before_minutes = fields.Integer()
    closes_after_minutes = fields.Integer()
    scheduled_hours = fields.Float()
    place_name = fields.String()
    lat = fields.Float(allow_none=True, metadata={"description": "WGS-84"})
    lng = fields.Float(allow_none=True, metadata={"description": "WGS-84"})
    geofence_radius_m = fields.Integer(allow_none=True)
    geofence_mode = fields.String()
    capacity = fields.Integer(strict=True, allow_none=True)
    audience = fields.String()
    party_group_id = fields.Integer(allow_none=True)
    requires_checkout = fields.Boolean()
    requires_confirmation = fields.Boolean()
    late_after_minutes = fields.Integer()
    qr_mode = fields.String()
    key_version = fields.Integer()
    created_by_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    can_manage = fields.Boolean(metadata={"description": "the signed-in user may change this event"})
    qr_valid_seconds = fields.Integer(allow_none=True, metadata={
        "description": "rotating codes: at most this long from showing (or printing) to expiry; static: null"})
    my_attendance = fields.Dict(allow_none=True, metadata={
        "description": "in lists: the caller's own attendance here ({state, checkin_at, checkout_at}) or null"})


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class EventListArgs(PageArgs):
    kind = fields.String(validate=one_of(KINDS, "活动类型"))
    status = fields.String(validate=one_of(STATUSES, "状态"))
    host_org_id = Id()
    host_community_id = Id()
    from_ = LocalDateTime(data_key="from", metadata={"description": "events still running at or after this time"})
    to = LocalDateTime(metadata={"description": "events starting before this time"})
    open_now = fields.Boolean(metadata={"description": "only published events whose check-in window is open now"})


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=text(500, "取消原因", 1))


class RotateKeySchema(BilingualSchema):
    reason = fields.String(load_default="", validate=text(500, "原因"))


class QrTokenArgs(Schema):
    direction = fields.String(load_default="in", validate=one_of(("in", "out"), "方向"))


class QrImageArgs(QrTokenArgs):
    format = fields.String(load_default="png", validate=one_of(("png", "svg"), "图片格式"))
    size = fields.Integer(load_default=512, validate=between(128, 2048, "图片尺寸", " 像素", " pixels"),
                          metadata={"description": "largest PNG width in pixels; the code keeps whole modules"})
    token = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "the token qr-token gave the screen: drawn while it is the current or the previous "
                       "window's code of this event, so the image matches it across a window's turn"})


class QrTokenSchema(Schema):
    token = fields.String()
    url = fields.String()
    expires_at = LocalDateTime()
    refresh_in_seconds = fields.Integer()


class EventBriefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    place_name = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
