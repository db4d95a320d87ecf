"""A volunteer's service record (志愿服务记录): each counted service with its details, the period's total,
the cumulative confirmed hours and the star level they reach (一星 100 h … 五星 1500 h).

Counted: volunteer_service and community_duty attendances in state confirmed (by a reviewer) or
checked_out (an event that needs no confirmation), with hours above 0. Two queries."""
import base64
import hashlib
from datetime import date, timedelta

from flask import Response, render_template_string
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from server.attendance.lifecycle import COUNTED
from server.attendance.models import Attendance
from server.auth.models import Community, Organization, User
from server.auth.permissions import can_manage_org, forbid, is_admin, liaison_community_ids
from server.common.errors import Invalid, NotFound
from server.common.sheets import csv_response
from server.common.timeutil import to_local, utcnow
from server.events.models import Event
from server.extensions import db
from server.hours.common import HOURS_KINDS
from server.hours.models import EventServiceInfo, HoursReview
from server.reports.common import EVALUATION_LABELS, KIND_LABELS, day_start

STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
STAR_LABELS = ("未达星级", "一星级志愿者", "二星级志愿者", "三星级志愿者", "四星级志愿者", "五星级志愿者")
CSV_HEADER = ["序号", "活动名称", "活动类型", "服务日期", "服务地点", "服务对象", "服务内容", "服务时长（小时）",
              "服务评价", "活动负责人", "记录人"]
AUTO_RECORDER = "扫码签退自动记录"
EPS = 1e-9


def star_level(hours: float) -> int:
    """0 below 100 hours; 1 from 100; … 5 from 1500."""
    return sum(1 for t in STAR_THRESHOLDS if hours + EPS >= t)


def star_info(hours: float) -> dict:
    level = star_level(hours)
    nxt = STAR_THRESHOLDS[level] if level < len(STAR_THRESHOLDS) else None
    return {"star_level": level, "star_label": STAR_LABELS[level], "next_threshold": nxt,
            "hours_to_next": round(nxt - hours, 2) if nxt is not None else None}


def _member_in_view(viewer: User, member_id: int) -> User:
    member = db.session.get(User, member_id)
    if member is None:
        if is_admin(viewer):
            raise NotFound(details={"member_id": member_id})
        forbid({"member_id": member_id})
    if member.id == viewer.id or can_manage_org(viewer, member.branch):
        return member
    if member.community_id is not None and member.community_id in liaison_community_ids(viewer):
        return member
    forbid({"member_id": member_id, "hint": "the member, admins, organizers over the member's branch, "
                                            "liaisons of the member's community"})


def service_record(viewer: User, member_id: int, date_from: date | None, date_to: date | None) -> dict:
    member = _member_in_view(viewer, member_id)
    if date_from and date_to and date_to < date_from:
        raise Invalid({"to": "to_before_from"}, location="query", code="report_bad_period")
    start = day_start(date_from) if date_from else None
    end = day_start(date_to + timedelta(days=1)) if date_to else None
    base = [Attendance.user_id == member.id, Attendance.state.in_(COUNTED), Attendance.hours_confirmed > 0,
            Event.kind.in_(HOURS_KINDS)]
    period = [c for c in (Event.starts_at >= start if start else None, Event.starts_at < end if end else None)
              if c is not None]
    Leader, Recorder, HostOrg = aliased(User), aliased(User), aliased(Organization)
    rows = db.session.execute(
        select(Attendance.id, Attendance.hours_confirmed, Attendance.confirmed_by_id, Event.id.label("event_id"),
               Event.title, Event.kind, Event.starts_at, Event.place_name, Event.description,
               Community.name.label("community_name"), HostOrg.name.label("org_name"),
               EventServiceInfo.recipient, EventServiceInfo.content, EventServiceInfo.leader_name,
               EventServiceInfo.recorder_name, Leader.name.label("creator_name"),
               Recorder.name.label("confirmer_name"), HoursReview.evaluation, HoursReview.comment)
        .join(Event, Event.id == Attendance.event_id)
        .outerjoin(Community, Community.id == Event.host_community_id)
        .outerjoin(HostOrg, HostOrg.id == Event.host_org_id)
        .outerjoin(EventServiceInfo, EventServiceInfo.event_id == Event.id)
        .outerjoin(Leader, Leader.id == Event.created_by_id)
        .outerjoin(Recorder, Recorder.id == Attendance.confirmed_by_id)
        .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
        .where(*base, *period).order_by(Event.starts_at, Attendance.id)).all()
    cumulative_stmt = select(func.coalesce(func.sum(Attendance.hours_confirmed), 0.0)).join(
        Event, Event.id == Attendance.event_id).where(*base)
    if end is not None:
        cumulative_stmt = cumulative_stmt.where(Event.starts_at < end)
    cumulative = round(float(db.session.scalar(cumulative_stmt)), 2)
    entries = []
    for r in rows:
        entries.append({
            "attendance_id": r.id, "event_id": r.event_id, "activity": r.title, "kind": r.kind,
            "kind_label": KIND_LABELS.get(r.kind, r.kind), "date": to_local(r.starts_at).date().isoformat(),
            "place": r.place_name or "",
            "recipient": r.recipient or (f"{r.community_name}居民" if r.community_name else ""),
            "content": r.content or r.description or r.title,
            "hours": round(r.hours_confirmed, 2),
            "evaluation": r.evaluation, "evaluation_label": EVALUATION_LABELS.get(r.evaluation, ""),
            "comment": r.comment or "",
            "leader": r.leader_name or r.creator_name or "",
            "recorder": r.recorder_name or r.confirmer_name or AUTO_RECORDER,
        })
    total = round(sum(e["hours"] for e in entries), 2)
    return {
        "member": {"id": member.id, "name": member.name,
                   "branch_name": member.branch.name if member.branch else None},
        "from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None,
        "entries": entries,
        "totals": {"entries": len(entries), "hours": total, "cumulative_hours": cumulative, **star_info(cumulative)},
        "generated_at": to_local(utcnow()).isoformat(timespec="seconds"),
    }


def _period_label(record: dict) -> str:
    if record["from"] or record["to"]:
        return f"{record['from'] or '…'} 至 {record['to'] or '…'}"
    return "全部"


def as_csv(record: dict) -> Response:
    rows = [[i, e["activity"], e["kind_label"], e["date"], e["place"], e["recipient"], e["content"], e["hours"],
             e["evaluation_label"], e["leader"], e["recorder"]] for i, e in enumerate(record["entries"], start=1)]
    t = record["totals"]
    rows += [[], ["合计", f"{t['entries']} 次", "", "", "", "", "", t["hours"]],
             ["累计服务时长（小时）", t["cumulative_hours"]], ["星级", t["star_label"]],
             ["姓名", record["member"]["name"]], ["所在支部", record["member"]["branch_name"] or ""],
             ["统计期间", _period_label(record)]]
    mid = record["member"]["id"]
    return csv_response(CSV_HEADER, rows, f"service-record-{mid}.csv",
                        f"志愿服务记录-{record['member']['name']}.csv")


STYLE = """
body { font-family: "Songti SC", "SimSun", serif; margin: 2em auto; max-width: 60em; color: #000; }
h1 { text-align: center; font-size: 1.6em; letter-spacing: .2em; }
.meta { display: flex; justify-content: space-between; margin: 1em 0; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #000; padding: .35em .5em; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
.totals { margin-top: 1em; line-height: 1.8; }
.sign { margin-top: 3em; display: flex; justify-content: space-between; }
@media print { body { margin: 0; max-width: none; } @page { size: A4 landscape; margin: 15mm; } }
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>志愿服务记录 - {{ r.member.name }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{{ style|safe }}</style></head>
<body>
<h1>志愿服务记录</h1>
<div class="meta"><span>姓名：{{ r.member.name }}</span><span>所在支部：{{ r.member.branch_name or "—" }}</span>
<span>统计期间：{{ period }}</span></div>
<table>
<thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for e in r.entries %}<tr><td class="num">{{ loop.index }}</td><td>{{ e.activity }}</td><td>{{ e.kind_label }}</td>
<td>{{ e.date }}</td><td>{{ e.place }}</td><td>{{ e.recipient }}</td><td>{{ e.content }}</td>
<td class="num">{{ e.hours }}</td><td>{{ e.evaluation_label }}</td><td>{{ e.leader }}</td><td>{{ e.recorder }}</td></tr>
{% else %}<tr><td colspan="{{ header|length }}">本期间无服务记录</td></tr>{% endfor %}
</tbody></table>
<div class="totals">
<div>本期间服务 {{ r.totals.entries }} 次，合计 {{ r.totals.hours }} 小时。</div>
<div>累计确认服务时长 {{ r.totals.cumulative_hours }} 小时，星级：{{ r.totals.star_label }}{{ next_note }}。</div>
</div>
<div class="sign"><span>出具单位（盖章）：</span><span>出具日期：{{ today }}</span></div>
</body></html>
"""


def as_html(record: dict) -> Response:
    t = record["totals"]
    next_note = (f"（距下一星级 {t['next_threshold']} 小时还差 {t['hours_to_next']} 小时）"
                 if t["next_threshold"] else "")
    html = render_template_string(PAGE, r=record, style=STYLE, header=CSV_HEADER, period=_period_label(record),
                                  today=to_local(utcnow()).date().isoformat(), next_note=next_note)
    resp = Response(html, mimetype="text/html")
    # no script at all; only this page's own stylesheet (by hash), printable from the phone or a laptop
    resp.headers["Content-Security-Policy"] = (f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; "
                                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp

