"""Field messages of request schemas, in one place: each says what to fix, in Chinese and English,
for a form to show as it is (the request's language picks nothing here: marshmallow validates first)."""
from marshmallow import validate


def bi(zh: str, en: str) -> str:
    return f"{zh} / {en}"


REQUIRED = {"required": bi("必填", "this field is required"), "null": bi("不能为空", "may not be null")}
FIELD_MESSAGES = {**REQUIRED, "invalid": bi("格式不正确", "not a valid value")}
TIME_INVALID = bi("时间格式应为 ISO 8601，如 2025-07-01T09:00:00+08:00", "not an ISO 8601 time")


def one_of(choices, zh: str) -> validate.OneOf:
    listed = ", ".join(choices)
    return validate.OneOf(choices, error=bi(f"{zh}只能是 {'、'.join(choices)}", f"must be one of: {listed}"))


def between(lo, hi, zh: str, unit_zh: str = "", unit_en: str = "") -> validate.Range:
    zh_text, en_text = f"{zh}应在 {lo}–{hi}{unit_zh} 之间", f"must be between {lo} and {hi}{unit_en}"
    return validate.Range(lo, hi, error=bi(zh_text, en_text))


# C0 control characters but tab and line breaks: nobody types them, and XML (so XLSX) cannot hold them
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f"


def text(max_len: int, zh: str, min_len: int = 0) -> list[validate.Validator]:
    if min_len:
        length = validate.Length(min_len, max_len, error=bi(f"{zh}不能为空，且不超过 {max_len} 个字",
                                                            f"must be {min_len} to {max_len} characters"))
    else:
        length = validate.Length(max=max_len, error=bi(f"{zh}不超过 {max_len} 个字", f"at most {max_len} characters"))
    plain = validate.Regexp(f"[^{CONTROL_CHARS}]*\\Z", error=bi(f"{zh}含有不可见的控制字符，请删去后重试",
                                                   "contains control characters; remove them"))
    return [length, plain]


def required(field_cls, **kw):
    return field_cls(required=True, error_messages=REQUIRED, **kw)
