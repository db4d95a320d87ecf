"""Messages of the double-registration feature (zh-CN, English), registered once at import."""
from server.common.i18n import MESSAGES, register_messages

COMMUNITY_MESSAGES: dict[str, tuple[str, str]] = {
    "slot_ends_before_start": ("结束时间应晚于开始时间", "must be after starts_at"),
    "slot_over": ("该时段已经结束", "the slot is already over"),
    "slot_starts_in_past": ("开始时间应晚于现在", "must be in the future"),
    "registration_code_invalid": (
        "报到二维码无效或已作废，请向社区联络员索取最新的报到二维码",
        "This registration code is not valid or was replaced; ask the community liaison for the current one"),
    "registration_already_registered": (
        "您已在该社区报到，无需重复报到", "You are already registered with this community"),
    "registration_not_pending": (
        "该报到申请已处理，不能再次处理", "This registration request has already been handled"),
    "registration_not_active": (
        "该报到记录已结束或未通过", "This registration is not current"),
    "claim_full": ("该时段认领人数已满，请选择其他时段", "This time slot is full; choose another slot"),
    "claim_not_registered": (
        "请先到该社区报到并通过审核后再认领", "Register with this community (and be accepted) before claiming"),
    "claim_slot_over": ("该时段已结束，不能认领", "This time slot is over; it can no longer be claimed"),
    "claim_slot_cancelled": ("该时段已取消", "This time slot was cancelled"),
    "claim_withdraw_too_late": (
        "该时段已开始，不能取消认领，如有变化请联系社区联络员",
        "This time slot has started; a claim can no longer be withdrawn, contact the liaison"),
    "claim_not_claimed": ("您没有认领该时段", "You have not claimed this time slot"),
    "claim_capacity_below_claims": (
        "需求人数不能少于已认领人数", "The number of people wanted cannot be below the number who claimed"),
    "duty_slot_started": ("该时段已开始，不能再修改时间", "This time slot has started; its times cannot change"),
    "duty_not_open": ("该需求已关闭或取消", "This need is closed or cancelled"),
    "pairing_exists": ("该组织已与该社区结对", "This organization is already paired with this community"),
    "pairing_already_ended": ("该结对关系已解除", "This pairing has already ended"),
    "evaluation_not_registered": (
        "只能评价在本社区报到或服务过的党员", "Only members registered with or serving in this community can be rated"),
}

if MESSAGES.get("claim_full") != COMMUNITY_MESSAGES["claim_full"]:  # a reload must not raise
    register_messages(COMMUNITY_MESSAGES)
