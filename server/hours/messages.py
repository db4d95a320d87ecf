"""Messages of hours review (zh-CN, English), registered once."""
from server.common.i18n import MESSAGES, register_messages

HOURS_MESSAGES: dict[str, tuple[str, str]] = {
    "hours_required": ("请填写服务时长", "hours is required"),
    "hours_positive": ("服务时长须大于 0，不计时长请选择驳回", "hours must be above 0; reject to give none"),
    "hours_at_most": ("≤ {max}", "≤ {max}"),
    "hours_none_selected": ("请选择要确认的记录", "give at least one attendance id"),
    "hours_too_many": ("一次最多确认 {max} 条", "at most {max} ids at once"),
    "hours_dispute_message_required": ("请填写异议内容", "message is required"),
    "hours_dispute_answer_required": ("请填写答复", "answer is required"),
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
