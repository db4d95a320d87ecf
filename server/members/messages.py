"""Messages of the roster import (zh-CN, English), registered once at import."""
from server.common.i18n import MESSAGES, register_messages

IMPORT_MESSAGES: dict[str, tuple[str, str]] = {
    "member_role_exists": ("该成员已有这个角色", "The member already has this role"),
    "member_self": ("不能停用自己的账号", "You cannot deactivate your own account"),
    "member_no_such_branch": ("找不到该支部", "No such branch"),
    "member_no_such_community": ("找不到该社区", "No such community"),
    "member_branch_out_of_scope": ("目标支部不在您管理的组织范围内", "The new branch is outside your organizations"),
    "import_file_required": ("请选择要导入的文件", "the file is required"),
    "import_has_errors": ("名册中有错误行，未导入任何数据；请修改后再导入",
                          "The roster has rows with errors; nothing was imported"),
    "import_bad_file": ("无法读取该文件，请上传 CSV 或 Excel（.xlsx）文件",
                        "The file could not be read; upload a CSV or an Excel (.xlsx) file"),
    "import_cell_too_long": ("第 {row} 行第 {column} 列的内容过长（最多 {max} 字），请检查文件",
                             "Row {row}, column {column} is too long ({max} characters at most); check the file"),
    "import_no_rows": ("名册只有表头，没有成员行", "The roster has a header but no member rows"),
    "import_missing_columns": ("名册缺少必需的列（姓名、手机号）", "The roster lacks required columns (name, phone)"),
    "import_too_large": ("文件过大或行数过多，请分批导入", "The file is too large; import it in parts"),
    "import_row_name_required": ("缺少姓名", "name is missing"),
    "import_row_name_too_long": ("姓名过长（最多 80 字）", "name is too long (80 characters at most)"),
    "import_row_bad_join_date": ("入党时间格式不正确（如 2001-07-01 或 2001年7月1日）",
                                 "入党时间 is not a date (e.g. 2001-07-01)"),
    "import_row_bad_phone": ("手机号格式不正确（应为 11 位手机号）", "not a valid 11-digit mobile number"),
    "import_row_duplicate_row": ("与前面某行手机号重复", "the same phone as an earlier row"),
    "import_row_unknown_branch": ("找不到该支部，请核对名称", "no organization has this name"),
    "import_row_ambiguous_branch": ("有多个同名组织，无法确定", "several organizations have this name"),
    "import_row_branch_out_of_scope": ("该支部不在您管理的组织范围内", "this branch is outside your organizations"),
    "import_row_branch_required": ("请填写支部", "the branch is required"),
    "import_row_unknown_community": ("找不到该社区，请核对名称", "no community has this name"),
    "import_row_unknown_role": ("无法识别的角色", "unknown role"),
    "import_row_role_not_importable": ("管理员角色不能通过名册导入", "the admin role cannot be imported"),
    "import_row_role_needs_admin": ("只有管理员可以导入组织者或联络员角色",
                                    "only admins may import organizer or liaison roles"),
    "import_row_member_out_of_scope": ("该手机号的党员属于您管理范围以外的组织",
                                       "this phone belongs to a member outside your organizations"),
    "import_row_role_needs_branch": ("组织者须填写支部", "an organizer needs a branch"),
    "import_row_role_needs_community": ("联络员须填写社区", "a liaison needs a community"),
}

if MESSAGES.get("import_bad_file") != IMPORT_MESSAGES["import_bad_file"]:  # a reload must not raise
    register_messages(IMPORT_MESSAGES)
