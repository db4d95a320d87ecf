"""Messages of points rules and absence deductions (zh-CN, English), registered once."""
from server.common.i18n import MESSAGES, register_messages

POINTS_MESSAGES: dict[str, tuple[str, str]] = {
    "points_absence_excused": ("该缺席扣分已撤销", "This absence deduction was already cancelled"),
}

if MESSAGES.get("points_absence_excused") != POINTS_MESSAGES["points_absence_excused"]:  # a reload must not raise
    register_messages(POINTS_MESSAGES)
