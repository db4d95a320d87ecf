"""Reading a roster file: CSV or XLSX to rows, headers to fields, phones and roles normalised."""
import re
from dataclasses import dataclass, field
from datetime import date

import server.members.messages  # noqa: F401  (registers the message codes)
from server.auth.services import PHONE_RE, UNUSABLE_PASSWORD, normalize_phone  # noqa: F401  (parsing.<name>)
from server.common.errors import Unprocessable
from server.common.fields import CONTROL_CHARS
from server.members.table import MAX_BYTES, MAX_ROWS, quote, read_table  # noqa: F401  (parsing.<name>)

CHUNK = 900  # bound parameters per IN (): safe on every SQLite build
COLUMNS = {
    "name": ("姓名", "名字", "党员姓名", "name"),
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话", "联系方式", "phone", "mobile"),
    "branch": ("支部", "所在支部", "党支部", "所属支部", "所在党支部", "组织", "所属组织", "branch"),
    "community": ("社区", "报到社区", "所在社区", "居住社区", "双报到社区", "community"),
    "role": ("角色", "身份", "职务", "role", "roles"),
    "joined": ("入党时间", "入党日期", "joined_party_on"),
}
ROLE_WORDS = {
    "member": ("党员", "成员", "普通党员", "member", "志愿者"),
    "organizer": ("组织者", "书记", "支部书记", "组织委员", "organizer"),
    "liaison": ("联络员", "社区联络员", "liaison"),
    "admin": ("管理员", "admin"),
}
ROLE_SPLIT = re.compile(r"[,，、;；/\s]+")
TEMPLATE_HEADER = ["姓名", "手机号", "支部", "社区", "角色", "入党时间"]


@dataclass
class Row:
    number: int  # the spreadsheet's row number, header = 1
    name: str
    phone: str
    branch: str
    community: str
    role: str
    joined: str = ""  # 入党时间 as written; joined_on once read
    joined_on: date | None = None
    action: str = "create"
    reasons: list[str] = field(default_factory=list)
    reason_details: dict = field(default_factory=dict)
    user_id: int | None = None
    branch_id: int | None = None
    community_id: int | None = None
    roles: list[str] = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    new_grants: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    left: tuple | None = None  # (user_id, branch_id, branch_since) before this import


# ---------------------------------------------------------------- reading the file

INVISIBLE = re.compile(f"[{CONTROL_CHARS}]")  # a spreadsheet's stray control characters, never meant


def _norm_header(text: str) -> str:
    return re.sub(r"[\s*＊:：()（）]", "", text).lower()


def parse_rows(table: list[list[str]]) -> tuple[dict[str, str], list[Row]]:
    """The header is the first non-empty row; returns (field → column title, data rows)."""
    start = next((i for i, r in enumerate(table) if any(r)), None)
    if start is None:
        raise Unprocessable("import_missing_columns", {"found": [], "required": ["姓名", "手机号"]})
    header = table[start]
    index: dict[str, int] = {}
    for i, title in enumerate(header):
        key = _norm_header(title)
        for fname, aliases in COLUMNS.items():
            if fname not in index and key in {_norm_header(a) for a in aliases}:
                index[fname] = i
    missing = [COLUMNS[f][0] for f in ("name", "phone") if f not in index]
    if missing:
        raise Unprocessable("import_missing_columns", {"found": [quote(h) for h in header if h][:10],
                                                       "missing": missing})
    rows = []
    for offset, raw in enumerate(table[start + 1:], start=start + 2):
        if not any(raw):
            continue

        def get(fname, raw=raw):
            i = index.get(fname)
            return INVISIBLE.sub("", raw[i]).strip() if i is not None and i < len(raw) and raw[i] else ""
        rows.append(Row(offset, get("name"), get("phone"), get("branch"), get("community"), get("role"),
                        get("joined")))
    if not rows:
        raise Unprocessable("import_no_rows", {"columns": [quote(h) for h in header if h][:10]})
    if len(rows) > MAX_ROWS:
        raise Unprocessable("import_too_large", {"max_rows": MAX_ROWS, "rows": len(rows)})
    return {f: header[i] for f, i in index.items()}, rows


def parse_roles(text: str) -> tuple[list[str], list[str]]:
    """(roles, unknown words); an empty cell is a plain member."""
    roles, unknown = [], []
    for word in ROLE_SPLIT.split(text.strip().lower()):
        if not word:
            continue
        role = next((r for r, words in ROLE_WORDS.items() if word in words), None)
        if role is None:
            unknown.append(word)
        elif role not in roles:
            roles.append(role)
    return roles or ["member"], unknown


# ---------------------------------------------------------------- judging the rows


def template_rows(branch: str = "第一党支部", community: str = "", grants_roles: bool = True) -> list[list[str]]:
    """Two example rows; with the caller's own branch, community and rights they import as they are."""
    return [["张三", "19912340001", branch, community, "党员", "2001-07-01"],
            ["李四", "19912340002", branch, "", "支部书记" if grants_roles else "党员", ""]]


DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?$")


def parse_date(text: str) -> date | None:
    """入党时间 as people write it: 2001-07-01, 2001/7/1, 2001.7.1, 2001年7月1日 (or a spreadsheet date)."""
    m = DATE_RE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
