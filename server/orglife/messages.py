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
    "orglife_makeup_not_meeting": ("只有组织生活会议和主题党日可以补课", "make-ups are for meetings and Party days"),
    "orglife_makeup_not_yet": ("会议结束后才能登记补课", "a make-up is recorded after the meeting ended"),
    "orglife_makeup_bad_time": ("补课时间须在会议开始之后、现在之前",
                                "studied_at is between the meeting's start and now"),
    "orglife_makeup_was_there": ("您已参加该会议，无需补课", "you attended this meeting: no make-up needed"),
    "orglife_makeup_exists": ("您已登记过该会议的补课", "you already recorded a make-up for this meeting"),
    "orglife_makeup_confirmed": ("该补课已确认", "this make-up was already confirmed"),
    "orglife_record_not_meeting": ("只有组织生活会议和主题党日有会议记录", "records are for meetings and Party days"),
    "orglife_record_too_early": ("会议开始后才能填写会议记录", "a record is filed once the meeting has started"),
    "orglife_record_topic_required": ("请填写会议主题", "the topic is required"),
    "orglife_record_amend_reason": ("会议记录已审核锁定，修改须填写原因", "the record is approved and locked: "
                                    "an amendment needs a reason"),
    "orglife_record_approved": ("该会议记录已审核", "this record is already approved"),
    "orglife_record_missing": ("请先填写会议记录，再上传附件", "file the record before adding attachments"),
    "orglife_file_too_large": ("附件不能超过 {max_mb} MB", "an attachment is at most {max_mb} MB"),
    "orglife_file_type": ("附件只能是图片（PNG、JPEG、GIF、WebP）或 PDF", "an attachment is an image (PNG, JPEG, "
                          "GIF, WebP) or a PDF"),
    "orglife_requirement_kind": ("只能为组织生活类活动设定频次要求", "requirements are for organizational life kinds"),
    "orglife_feed_unknown": ("该日历订阅链接无效或已停用，请在应用中重新获取",
                             "This calendar link is unknown or was revoked; get a new one in the app"),
}
if MESSAGES.get("orglife_group_name_taken") != ORGLIFE_MESSAGES["orglife_group_name_taken"]:
    register_messages(ORGLIFE_MESSAGES)
