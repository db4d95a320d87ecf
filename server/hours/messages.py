"""Messages of hours review (zh-CN, English), registered once."""
from server.common.i18n import MESSAGES, register_messages

HOURS_MESSAGES: dict[str, tuple[str, str]] = {
    "hours_own": ("不能审核自己的服务时长", "You cannot review your own hours"),
    "hours_state": ("该记录当前状态不能执行此操作", "This is not allowed in the record's current state"),
    "hours_locked": ("公示期已结束，记录已锁定；如需修改请以更正方式提交并说明理由",
                     "Publication has ended and the record is locked; submit the change as a correction, "
                     "with a reason"),
    "hours_above_scheduled": ("服务时长不能超过活动计划时长", "Hours cannot exceed the event's scheduled length"),
    "hours_no_hours": ("该活动不计服务时长", "This event does not record service hours"),
    "hours_dispute_open": ("该记录已有待处理的异议，请等待答复", "This record already has an open dispute"),
    "hours_dispute_not_open": ("该异议已答复", "This dispute has already been answered"),
    "hours_not_yours": ("只能对自己的服务时长提出异议", "You can dispute only your own hours"),
}

if MESSAGES.get("hours_own") != HOURS_MESSAGES["hours_own"]:  # a reload must not raise
    register_messages(HOURS_MESSAGES)
