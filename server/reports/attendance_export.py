"""An event's attendance sheet (签到表) as CSV or XLSX, for the event's managers.

Rows: every attendance (any state, annulled included), then, for a party day, the roster members with
no attendance at all (state 缺席). Two queries whatever the size."""
from sqlalchemy import and_, case, false, select

from server.attendance import lifecycle
from server.attendance.models import Attendance
from server.auth.models import Organization, User
from server.auth.scope import scope_of
from server.common.sheets import Sheet, csv_response, xlsx_response
from server.common.timeutil import utcnow
from server.events import audience
from server.events.kinds import KINDS
from server.events.lookup import event_for
from server.events.models import Event
from server.extensions import db
from server.reports.common import (
    KIND_LABELS,
    METHOD_LABELS,
    STATE_LABELS,
    local_naive,
    local_text,
    yes_no,
)

HEADER = ["序号", "姓名", "所在支部", "签到时间", "是否迟到", "签退时间", "申报时长（小时）", "确认时长（小时）",
          "状态", "签到方式", "签退方式", "备注"]
SUMMARY_HEADER = ["项目", "内容"]


def _event(user, event_id: int) -> Event:
    return event_for(scope_of(user), event_id, "manage")


def rows_of(event: Event) -> tuple[list[dict], dict]:
    """The sheet's rows (raw values, times naive UTC) and its summary."""
    party = KINDS[event.kind].expects_roster and event.host_org is not None
    narrow = audience.roster_of(event, User) if party else None  # a committee or Party group meeting
    in_roster = (and_(User.active.is_(True), Organization.path.startswith(event.host_org.path),
                      *([] if narrow is None else [narrow])) if party else false())
    stmt = (select(Attendance, User.name, Organization.name.label("branch_name"),
                   case((in_roster, True), else_=False).label("in_roster"))
            .join(User, User.id == Attendance.user_id).outerjoin(Organization, Organization.id == User.branch_id)
            .where(Attendance.event_id == event.id).order_by(Attendance.checkin_at, Attendance.id))
    rows = []
    roster_seen = roster_live = 0
    for att, name, branch, roster in db.session.execute(stmt):
        rows.append({"member_id": att.user_id, "attendance_id": att.id, "name": name, "branch": branch,
                     "checkin_at": att.checkin_at, "late": att.late, "checkout_at": att.checkout_at,
                     "hours_claimed": att.hours_claimed, "hours_confirmed": att.hours_confirmed,
                     "state": att.state, "checkin_method": att.checkin_method,
                     "checkout_method": att.checkout_method, "note": att.note or ""})
        roster_seen += bool(roster)
        roster_live += bool(roster) and att.state != "annulled"  # excused too: on the roster, not absent
    absent_rows = []
    if party:
        anyone = select(Attendance.user_id).where(Attendance.event_id == event.id)
        for uid, name, branch in db.session.execute(
                select(User.id, User.name, Organization.name).join(Organization, Organization.id == User.branch_id)
                .where(in_roster, User.id.not_in(anyone)).order_by(Organization.name, User.name, User.id)):
            absent_rows.append({"member_id": uid, "attendance_id": None, "name": name, "branch": branch,
                                "checkin_at": None, "late": False, "checkout_at": None, "hours_claimed": None,
                                "hours_confirmed": None, "state": "absent", "checkin_method": None,
                                "checkout_method": None, "note": ""})
    live = [r for r in rows if r["state"] not in lifecycle.NOT_PRESENT]
    summary = {
        "expected": roster_seen + len(absent_rows) if party else None,
        "checked_in": len(live),
        "late": sum(1 for r in live if r["late"]),
        "absent": roster_seen + len(absent_rows) - roster_live if party else None,
        "checked_out": sum(1 for r in live if r["checkout_at"] is not None),
        "pending": sum(1 for r in live if r["state"] == "pending"),
        "annulled": sum(1 for r in rows if r["state"] == "annulled"),
        "excused": sum(1 for r in rows if r["state"] == "excused"),
    }
    return rows + absent_rows, summary


def _cells(rows: list[dict], as_text: bool) -> list[list]:
    fmt = local_text if as_text else local_naive
    out = []
    for i, r in enumerate(rows, start=1):
        present = r["state"] != "absent"
        out.append([i, r["name"], r["branch"] or "", fmt(r["checkin_at"]), yes_no(r["late"]) if present else "",
                    fmt(r["checkout_at"]), r["hours_claimed"], r["hours_confirmed"], STATE_LABELS[r["state"]],
                    METHOD_LABELS.get(r["checkin_method"], ""), METHOD_LABELS.get(r["checkout_method"], ""),
                    r["note"]])
    return out


def _names(event: Event, ext: str) -> tuple[str, str]:
    day = local_naive(event.starts_at).strftime("%Y%m%d")
    return f"attendance-{event.id}-{day}.{ext}", f"签到表-{event.title}-{day}.{ext}"


def export_csv(user, event_id: int):
    event = _event(user, event_id)
    rows, _summary = rows_of(event)
    return csv_response(HEADER, _cells(rows, as_text=True), *_names(event, "csv"))


def export_xlsx(user, event_id: int):
    event = _event(user, event_id)
    rows, s = rows_of(event)
    host = event.host_org.name if event.host_org else (event.host_community.name if event.host_community else "")
    info = [["活动名称", event.title], ["活动类型", KIND_LABELS.get(event.kind, event.kind)], ["主办", host],
            ["开始时间", local_naive(event.starts_at)], ["结束时间", local_naive(event.ends_at)],
            ["地点", event.place_name or ""]]
    if s["expected"] is not None:
        info += [["应到人数", s["expected"]], ["缺席人数", s["absent"]], ["请假人数（不计缺席）", s["excused"]]]
    info += [["签到人数", s["checked_in"]], ["迟到人数", s["late"]], ["签退人数", s["checked_out"]],
             ["待确认", s["pending"]], ["已作废", s["annulled"]], ["导出时间", local_naive(utcnow())]]
    sheets = [Sheet("签到表", HEADER, _cells(rows, as_text=False), widths={2: 12, 3: 22, 4: 20, 6: 20, 12: 30}),
              Sheet("活动信息", SUMMARY_HEADER, info, widths={1: 12, 2: 40})]
    return xlsx_response(sheets, *_names(event, "xlsx"))
