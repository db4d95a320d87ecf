"""Messages of points rules and absence deductions (zh-CN, English), registered once."""
from server.common.i18n import MESSAGES, register_messages

POINTS_MESSAGES: dict[str, tuple[str, str]] = {
    "points_absence_excused": ("该缺席扣分已撤销", "This absence deduction was already cancelled"),
    "points_code_checkin": ("{kind}按时签到（checkin_points）", "{kind} check-in on time (checkin_points)"),
    "points_code_late_checkin": ("{kind}迟到签到（late_checkin_points）", "{kind} late check-in (late_checkin_points)"),
    "points_code_absence": ("{kind}缺席（活动结束时仍未签到的名册成员，absence_points ≤ 0）",
                            "absent from a {kind} (roster members not checked in when it closed; absence_points ≤ 0)"),
    "points_code_hours": ("{kind}时长（per_hour_points × 小时，至多 cap_per_activity；需确认的在确认后计分）",
                          "{kind} hours (per_hour_points × hours, at most cap_per_activity; paid once confirmed "
                          "where confirmation is needed)"),
    "points_code_repaid": ("时长更正后的重新计分（原分已冲销）",
                           "hours paid again after a correction, the old payment reversed"),
}

if MESSAGES.get("points_absence_excused") != POINTS_MESSAGES["points_absence_excused"]:  # a reload must not raise
    register_messages(POINTS_MESSAGES)
