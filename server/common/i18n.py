"""Messages shown to people, zh-CN first, English when the client asks."""
from flask import has_request_context, request

MESSAGES: dict[str, tuple[str, str]] = {
    "checked_in": ("签到成功", "Checked in"),
    "checked_out": ("签退成功", "Checked out"),
    "already_checked_in": ("您已签到，无需重复签到", "You are already checked in"),
    "already_checked_out": ("您已签退，无需重复签退", "You are already checked out"),
    "pending_review": ("已收到您的扫码，等待组织者确认", "Your scan was received and waits for the organizer's review"),
    # A refusal says what happened, calmly; the app adds one piece of advice (API clients read the code).
    "invalid_token": ("无法识别这个二维码", "This QR code is not valid here"),
    "expired_token": ("这个二维码已过期", "This QR code has expired"),
    "not_open_yet": ("签到尚未开始", "Check-in has not opened yet"),
    "closed": ("签到已结束", "Check-in has closed"),
    "cancelled": ("活动已取消", "This event was cancelled"),
    "not_eligible": ("您不在本次活动的参加范围内", "You are not on this event's list"),
    "outside_geofence": ("您不在活动地点范围内", "You are not at the event's place"),
    "location_required": ("本活动需要您的位置才能签到", "This event needs your location to check you in"),
    "not_checked_in": ("您尚未签到，不能签退", "You have not checked in, so you cannot check out"),
    "capacity_full": ("活动名额已满", "This event is full"),
    "rate_limited": ("操作太频繁，请稍后再试", "Too many attempts; wait a moment and try again"),
    "validation_error": ("提交的内容有误，请按提示修改", "Some fields are not valid; see details"),
    "not_found": ("找不到该内容", "Not found"),
    "unauthorized": ("请先登录", "Please sign in"),
    "forbidden": ("您没有权限执行此操作", "You are not allowed to do this"),
    "bad_credentials": ("手机号或密码错误", "Wrong phone number or password"),
    "csrf_failed": ("请求校验失败，请刷新页面后重试", "Request check failed; reload the page and try again"),
    "conflict": ("操作与当前状态冲突", "This conflicts with the current state"),
    "bad_request": ("请求格式错误", "Malformed request"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "internal_error": ("服务器出错，请稍后再试", "Server error; try again later"),
    "already_annulled": ("该记录已作废", "This record is already annulled"),
    "not_annulled": ("该记录没有作废，无需恢复", "This record is not annulled: nothing to restore"),
    "inactive_user": ("该账号已停用", "This account is disabled"),
    "inactive_member": ("该成员的账号已停用", "This member's account is disabled"),
    "on_leave": ("您本次活动的请假已获批准；如需参加，请联系支部书记撤销请假",
                 "Your leave from this event was approved; ask the branch secretary to withdraw it to check in"),
    "annulled": ("您在本次活动的签到已被组织者作废", "Your attendance at this event was annulled by the organizer"),
    "card_revoked": ("这张会员卡已作废（已补办新卡），请使用新卡或按姓名签到",
                     "This member card was replaced by a new one: use the new card, or check in by name"),
    "card_token_invalid": ("会员卡二维码无效，请重新扫描", "The card's code is not valid; scan the member's card again"),
    "confirm_checkout": ("您 {minutes} 分钟前刚签到，现在签退吗？", "You checked in {minutes} minutes ago: check out now?"),
    "no_checkout_for_event": ("本活动只需签到，不需要签退", "This event has no check-out"),
    "too_large": ("提交的内容过大", "The request is too large"),
    "bad_json": ("请求内容格式有误（层级过深或含无效字符）", "The request body is not valid (nested too deep or invalid text)"),
    "report_bad_period": ("统计期间有误", "The report period is not valid"),
    # field messages (details.fields.<location>.<name>), shared by every feature
    "reason_required": ("请填写理由", "a reason is required"),
    "community_or_org": ("请指定社区或组织其中之一", "give community_id or org_id"),
    "org_or_community_not_both": ("只能选择组织或社区其中之一", "give org_id or community_id, not both"),
    "org_required": ("请选择组织", "org_id is required"),
    "month_format": ("月份格式为 YYYY-MM", "month is YYYY-MM"),
    "to_before_from": ("结束日期早于开始日期", "to is before from"),
    "scanned_at_future": ("设备时间晚于服务器时间过多，请校准手机时间", "scanned_at is in the future; check the phone's clock"),
    "rules_kind_twice": ("每种活动只能出现一次", "each kind at most once"),
}


def register_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Feature packages add their own (zh, en) messages at import; codes must not collide."""
    clash = set(messages) & set(MESSAGES)
    if clash:
        raise ValueError(f"message codes already defined: {sorted(clash)}")
    MESSAGES.update(messages)


def wants_english() -> bool:
    if not has_request_context():
        return False
    lang = request.args.get("lang") or request.headers.get("X-Lang") or ""
    if lang:
        return lang.lower().startswith("en")
    header = request.headers.get("Accept-Language", "")
    if "en" not in header.lower():  # most phones here: no English at all, so no need to parse the header
        return False
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="zh")
    return best.startswith("en")


def lang() -> str:
    return "en" if wants_english() else "zh"


def message(code: str, **params) -> str:
    """The code's text in the request's language, its {placeholders} filled from params."""
    zh, en = MESSAGES.get(code, (code, code))
    text = en if wants_english() else zh
    if params:
        try:
            text = text.format(**params)
        except (KeyError, IndexError, ValueError):
            pass
    return text
