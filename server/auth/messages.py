"""Messages of accounts: one-time codes, activation, resets and my account (zh-CN, English)."""
from server.common.i18n import register_messages

register_messages({
    "code_unknown": ("这个码无效，请核对后重新输入，或向组织员索取新码",
                     "This code is not valid; check it, or ask your organizer for a new one"),
    "code_replaced": ("这个码已失效：已有更新的码，或账号已激活。已激活请直接登录",
                      "This code no longer works: a newer one was issued, or the account is active. Sign in if so"),
    "code_spent": ("这个码已经用过了。请直接用手机号和密码登录",
                   "This code was already used; sign in with your phone and password"),
    "code_expired": ("这个码已过期，请向组织员索取新码", "This code has expired; ask your organizer for a new one"),
    "code_holder_mismatch": ("姓名或手机号与名册不符，请核对（须与组织员导入的名册一致）",
                             "The name or phone does not match the roster; check both as your organizer entered them"),
    "account_already_active": ("该账号已激活，请直接登录；忘记密码请在登录页申请重置",
                               "This account is already active: sign in, or ask for a reset on the sign-in page"),
    "current_password_wrong": ("当前密码不正确", "The current password is wrong"),
    "phone_taken": ("这个手机号已被其他账号使用", "Another account uses this phone number"),
    "phone_invalid": ("请填写 11 位手机号", "Enter an 11-digit mobile number"),
    "help_received": ("已通知您所在支部的组织员。他们会当面或电话给您一个重置码，在登录页输入即可",
                      "Your branch's organizer has been told; they will give you a reset code to enter "
                      "on the sign-in page"),
})
