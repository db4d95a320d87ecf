"""Messages of organizational life (zh-CN, English), registered once at import."""
from server.common.i18n import MESSAGES, register_messages

ORGLIFE_MESSAGES: dict[str, tuple[str, str]] = {
    "orglife_group_name_taken": ("该支部已有同名党小组", "this branch already has a Party group of that name"),
    "orglife_no_such_branch": ("组织不存在", "no such organization"),
    "orglife_no_such_group": ("党小组不存在", "no such Party group"),
    "orglife_group_other_branch": ("党小组须属于该党员所在支部", "the Party group must be of the member's branch"),
    "orglife_leave_not_meeting": ("只有组织生活会议和主题党日可以请假", "leave is only for meetings and Party days"),
    "orglife_leave_not_open": ("该活动已取消或已结束，不能请假", "this event was cancelled or has closed"),
    "orglife_leave_too_late": ("活动已开始，不能再请假；请联系支部书记", "the event has started: leave is asked before "
                               "the start; talk to the branch secretary"),
    "orglife_leave_not_expected": ("您不在该会议的应到人员中，无需请假", "you are not expected at this meeting"),
    "orglife_leave_checked_in": ("已签到，不能请假", "already checked in: no leave"),
    "orglife_leave_exists": ("您已为该活动提交过请假", "you already asked leave from this event"),
    "orglife_leave_decided": ("该请假已处理", "this leave request was already decided"),
}
if MESSAGES.get("orglife_group_name_taken") != ORGLIFE_MESSAGES["orglife_group_name_taken"]:
    register_messages(ORGLIFE_MESSAGES)
