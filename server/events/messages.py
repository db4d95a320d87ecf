"""Messages of event rules (zh-CN, English), registered once; {kind} is the kind's label."""
from server.common.i18n import MESSAGES, register_messages

EVENT_MESSAGES: dict[str, tuple[str, str]] = {
    "event_title_required": ("请填写活动名称", "title is required"),
    "event_ends_before_start": ("结束时间必须晚于开始时间", "ends_at must be after starts_at"),
    "event_too_long": ("活动时长不能超过 {days} 天", "an event lasts at most {days} days"),
    "event_needs_community": ("{kind}须指定主办社区", "{kind} needs host_community_id"),
    "event_no_such_community": ("主办社区不存在", "no such community"),
    "event_hosted_by_community": ("{kind}由社区主办，不填主办组织", "{kind} is hosted by a community only"),
    "event_needs_org": ("须指定主办党组织", "{kind} needs host_org_id"),
    "event_no_such_org": ("主办党组织不存在", "no such organization"),
    "event_hosted_by_org": ("该类活动由党组织主办，不填主办社区", "{kind} is hosted by an organization only"),
    "event_audience_not_org": ("{kind}的参加范围只能是 open 或 community", "{kind} audience is open or community"),
    "event_audience_community": ("只有社区主办的活动可按社区限定参加范围",
                                 "audience community needs a community-hosted kind"),
    "event_group_required": ("参加范围为党小组时须指定党小组（party_group_id）",
                             "audience group needs party_group_id (the Party group expected)"),
    "event_group_not_host": ("该党小组不属于主办党组织", "that Party group is not in the host organization"),
    "event_group_without_audience": ("只有参加范围为党小组（group）时才指定党小组",
                                     "party_group_id is only for audience group"),
    "event_no_hours_to_confirm": ("{kind}不签退，无需确认时长", "{kind} has no hours to confirm"),
    "event_hours_always_confirmed": ("{kind}时长须由联络员确认", "{kind} hours are always confirmed"),
    "event_geofence_needs": ("开启定位校验须填写 {missing}", "geofence needs {missing}"),
    "event_no_checkout_code": ("该活动只需签到，没有签退码", "this event has no check-out, so no out code"),
    "event_kind_fixed": ("活动类型创建后不能修改", "kind cannot change after creation"),
}

if MESSAGES.get("event_kind_fixed") != EVENT_MESSAGES["event_kind_fixed"]:  # a reload must not raise
    register_messages(EVENT_MESSAGES)
