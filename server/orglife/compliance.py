"""Requirements as data and the compliance calendar: how often each kind of meeting must be held (defaults
from the kinds table, Kind.min_per; an admin edits them per year), and per branch and period what is due,
held or overdue, rolled up an organization's tree. A kind whose audience is one Party group (党小组会) is
required of every group of the branch: its period is held when each group held enough (a branch without
groups counts its meetings as one). A fixed number of queries whatever the tree's size."""
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import func, select

import server.orglife.messages  # noqa: F401  (registers the message codes)
from server.auth.models import Organization, PartyGroup, User
from server.auth.permissions import require_admin
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Forbidden, Invalid, NotFound
from server.common.sql import unindexed
from server.common.timeutil import LocalMonths, local_zone, utcnow
from server.events.kinds import KINDS
from server.events.models import Event
from server.extensions import db
from server.orglife.models import Requirement

PERIODS = {"month": 12, "quarter": 4, "year": 1}
HELD_STATUSES = ("published", "closed")


def defaults() -> dict[str, tuple[str, int]]:
    return {k.code: k.min_per for k in KINDS.values() if k.org_life and k.min_per}


def requirements(year: int) -> dict[str, tuple[str, int]]:
    """The year's rules: the admin's rows over the kinds' defaults (a minimum of 0 switches a kind off)."""
    rules = defaults()
    for r in db.session.scalars(select(Requirement).where(Requirement.year == year)):
        rules[r.kind] = (r.period, r.min_count)
    return {k: v for k, v in rules.items() if v[1] > 0}


def list_requirements(year: int) -> list[dict]:
    edited = {r.kind for r in db.session.scalars(select(Requirement).where(Requirement.year == year))}
    every = {**defaults(), **_rows(year)}
    return [{"year": year, "kind": k, "period": p, "min_count": n, "default": k not in edited}
            for k, (p, n) in sorted(every.items())]


def _rows(year: int) -> dict[str, tuple[str, int]]:
    return {r.kind: (r.period, r.min_count) for r in db.session.scalars(select(Requirement).where(
        Requirement.year == year))}


def put_requirements(actor: User, year: int, items: list[dict], reason: str) -> list[dict]:
    """An admin sets the year's minimum frequencies (audited with before and after)."""
    require_admin(actor)
    for i, item in enumerate(items):
        if item["kind"] not in KINDS or not KINDS[item["kind"]].org_life:
            raise Invalid({f"items.{i}.kind": "orglife_requirement_kind"})
    current = _rows(year)
    for item in items:
        row = db.session.scalar(select(Requirement).where(Requirement.year == year, Requirement.kind == item["kind"]))
        before = current.get(item["kind"]) or defaults().get(item["kind"])
        if row is None:
            row = Requirement(year=year, kind=item["kind"])
            db.session.add(row)
        row.period, row.min_count, row.updated_by_id, row.updated_at = (item["period"], item["min_count"], actor.id,
                                                                       utcnow())
        audit.record(actor.id, "orglife.requirement.set", "requirement", None,
                     {"year": year, "kind": item["kind"], "rule": list(before) if before else None},
                     {"year": year, "kind": item["kind"], "rule": [item["period"], item["min_count"]]}, reason)
    db.session.commit()
    return list_requirements(year)


def _period_of(period: str, month: int) -> int:
    return {"month": month, "quarter": (month - 1) // 3 + 1, "year": 1}[period]


def _period_end(year: int, period: str, index: int) -> datetime:
    """The first instant after the period, naive UTC."""
    month = {"month": index, "quarter": index * 3, "year": 12}[period]
    y, m = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(y, m, 1, tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def _read(actor: User, org_id: int, year: int, now: datetime) -> SimpleNamespace:
    """The tree's branches, the meetings held per (branch, kind, period) and per group, in three queries; the
    rules and the end of each period, for _cells."""
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"org_id": org_id})
    if not scope_of(actor).manages_org(org):
        raise Forbidden(details={"org_id": org_id})
    rules = requirements(year)
    start = datetime(year, 1, 1, tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)
    end = _period_end(year, "year", 1)
    branches = db.session.execute(select(Organization.id, Organization.name, Organization.path).where(
        Organization.path.startswith(org.path), Organization.level == "branch").order_by(Organization.path)).all()
    if not branches:  # a branch-less organization (or a branch asked directly) is its own row
        branches = [(org.id, org.name, org.path)]
    held: dict[tuple[int, str, int], int] = {}
    month_of = LocalMonths(year)
    by_group: dict[tuple[int, str, int, int | None], int] = {}
    # per period kind: the index of each month, worked out once (a city holds some 55,000 meetings a year)
    index_of = {p: [0] + [_period_of(p, m) for m in range(1, 13)] for p in PERIODS}
    starts = unindexed(Event.starts_at)  # found by host, not by date (common/sql.py)
    for host_id, kind, starts_at, group_id in db.session.execute(
            select(Event.host_org_id, Event.kind, Event.starts_at, Event.party_group_id)
            .where(Event.host_org_id == org.id if org.level == "branch" else Event.host_org_id.in_(
                Organization.ids_under(org.path)),
                   Event.kind.in_(tuple(rules)),
                   Event.status.in_(HELD_STATUSES), starts >= start, starts < end, starts <= now)):
        index = index_of[rules[kind][0]][month_of(starts_at)]
        held[(host_id, kind, index)] = held.get((host_id, kind, index), 0) + 1
        by_group[(host_id, kind, index, group_id)] = by_group.get((host_id, kind, index, group_id), 0) + 1
    groups: dict[int, list[tuple[int, str]]] = {}
    for gid, branch_id, gname in db.session.execute(select(PartyGroup.id, PartyGroup.branch_id, PartyGroup.name)
                                                    .where(PartyGroup.branch_id.in_([b[0] for b in branches]))
                                                    .order_by(PartyGroup.name, PartyGroup.id)):
        groups.setdefault(branch_id, []).append((gid, gname))
    ends = {(p, i): _period_end(year, p, i) for p in PERIODS for i in range(1, PERIODS[p] + 1)}
    return SimpleNamespace(org=org, rules=rules, branches=branches, held=held, by_group=by_group, groups=groups,
                           ends=ends, now=now)


def _cells(facts: SimpleNamespace, bid: int):
    """Each required period of one branch: (kind, period, minimum, index, held, [(group, name, held)], status).
    The group that met least decides a group kind's period; a period is overdue once it has ended unmet."""
    for kind, (period, minimum) in facts.rules.items():
        per_group = KINDS[kind].audience == "group" and facts.groups.get(bid)
        for index in range(1, PERIODS[period] + 1):
            count = facts.held.get((bid, kind, index), 0)
            met = [(gid, name, facts.by_group.get((bid, kind, index, gid), 0)) for gid, name in per_group] \
                if per_group else None
            least = min(n for _, _, n in met) if met else count
            status = "held" if least >= minimum else ("overdue" if facts.ends[(period, index)] <= facts.now else "due")
            yield kind, period, minimum, index, count, met, status


def calendar(actor: User, org_id: int, year: int, now: datetime | None = None) -> dict:
    """Per branch of the tree, per required kind and period: held count and due / held / overdue."""
    now = now or utcnow()
    facts = _read(actor, org_id, year, now)
    org, rules, branches = facts.org, facts.rules, facts.branches
    rows, behind = [], []
    for bid, name, _path in branches:
        kinds: dict[str, dict] = {}
        overdue = 0
        for kind, period, minimum, index, count, met, status in _cells(facts, bid):
            row = kinds.setdefault(kind, {"kind": kind, "label": KINDS[kind].label_zh, "period": period, "cells": []})
            cell = {"period": index, "held": count, "min_count": minimum}
            if met is not None:  # each group's count is shown
                cell["groups"] = [{"id": gid, "name": gname, "held": n} for gid, gname, n in met]
            row["cells"].append({**cell, "status": status})
            overdue += status == "overdue"
        rows.append({"org_id": bid, "name": name, "overdue": overdue, "kinds": list(kinds.values())})
        if overdue:
            behind.append({"org_id": bid, "name": name, "overdue": overdue})
    members = dict(db.session.execute(select(User.branch_id, func.count(User.id)).where(
        User.branch_id.in_([b[0] for b in branches]), User.active.is_(True)).group_by(User.branch_id)).all())
    for r in rows:
        r["members"] = members.get(r["org_id"], 0)
    return {"org": {"id": org.id, "name": org.name}, "year": year, "branches": rows, "behind": behind,
            "requirements": [{"kind": k, "period": p, "min_count": n} for k, (p, n) in rules.items()]}


def held_of_due(actor: User, org_id: int, year: int, now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """Per branch: periods held and periods that count (held or overdue), as the calendar says, without its
    cells (the rating of a city reads 1,000 branches' calendars)."""
    now = now or utcnow()
    facts = _read(actor, org_id, year, now)
    out = {}
    for bid, _name, _path in facts.branches:
        statuses = [c[-1] for c in _cells(facts, bid)]
        out[bid] = (statuses.count("held"), statuses.count("held") + statuses.count("overdue"))
    return out
