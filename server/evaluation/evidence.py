"""The records behind one branch's figures, indicator by indicator, for the click-through from the rating:
the events and their counts, the calendar's cells, the meetings and their records, the members."""
from sqlalchemy import select

from server.auth.models import Organization, User
from server.common.timeutil import iso_local
from server.evaluation import indicators as ind
from server.events.kinds import KINDS
from server.extensions import db
from server.hours.common import HOURS_KINDS
from server.orglife import compliance as calendar

LIMIT = 200


def _attendance(branch, year, now, item, actor):
    return [{"event_id": r.id, "title": r.title, "starts_at": iso_local(r.starts_at), "expected": r.expected,
             "attended": r.attended, "excused": r.excused, "made_up": r.made_up}
            for r in ind._attendance_rows(branch, year, now, item["kinds"], by="event", branch_id=branch.id)]


def _compliance(branch, year, now, item, actor):
    rows = calendar.calendar(actor, branch.id, year, now)["branches"]
    return [{"kind": k["kind"], "label": KINDS[k["kind"]].label_zh, "period": k["period"], "cells": k["cells"]}
            for b in rows if b["org_id"] == branch.id for k in b["kinds"]]


def _records(branch, year, now, item, actor):
    days = item.get("days", 7)
    return [{"event_id": r.id, "title": r.title, "starts_at": iso_local(r.starts_at), "record_status": r.status,
             "approved_at": iso_local(r.approved_at), "on_time": ind.on_time(r, days, now)}
            for r in ind._meetings(branch, year, now, branch.id)]


def _unregistered(branch, year, now, item, actor):
    rows = db.session.execute(select(User.id, User.name).where(User.branch_id == branch.id, User.active.is_(True),
                                                               User.community_id.is_(None))
                              .order_by(User.name, User.id).limit(LIMIT))
    return [{"member_id": uid, "name": name} for uid, name in rows]


def _served(branch, year, now, item, actor):
    threshold = ind.served_threshold(item)
    hours = {uid: float(total) for uid, _name, total, _b in ind._served_rows(branch, year, branch.id)}
    rows = db.session.execute(select(User.id, User.name).where(User.branch_id == branch.id, User.active.is_(True))
                              .order_by(User.name, User.id).limit(LIMIT))
    return [{"member_id": uid, "name": name, "hours": hours.get(uid, 0.0), "reached": hours.get(uid, 0.0) >= threshold}
            for uid, name in rows]


def _hours(branch, year, now, item, actor):
    rows = ind._hours(branch, year, HOURS_KINDS, group_users=True, branch_id=branch.id)
    return sorted(({"member_id": r.id, "name": r.name, "hours": float(r.total)} for r in rows),
                  key=lambda r: (-r["hours"], r["name"]))[:LIMIT]


def _points(branch, year, now, item, actor):
    rows = ind._points(branch, year, group_users=True, branch_id=branch.id)
    return sorted(({"member_id": r.id, "name": r.name, "points": float(r.total)} for r in rows),
                  key=lambda r: (-r["points"], r["name"]))[:LIMIT]


EVIDENCE = {"attendance_rate": _attendance, "compliance": _compliance, "record_timeliness": _records,
            "registration": _unregistered, "served": _served, "hours_per_member": _hours,
            "points_per_member": _points}


def behind(code: str, branch: Organization, year: int, now, item: dict, actor) -> list[dict]:
    return EVIDENCE[code](branch, year, now, item, actor)
