"""Messages of the review of held scans (zh-CN, English), registered once."""
from server.common.i18n import MESSAGES, register_messages

SCAN_MESSAGES: dict[str, tuple[str, str]] = {
    "review_reason_required": ("不予认可时请写明理由", "Give a reason when you refuse a scan"),
    "already_reviewed": ("这次扫码已经处理过了", "This scan has already been decided"),
}

if MESSAGES.get("already_reviewed") != SCAN_MESSAGES["already_reviewed"]:  # a reload must not raise
    register_messages(SCAN_MESSAGES)
