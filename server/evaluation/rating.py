"""The rating of every branch: per indicator the value against its target, a score out of 100 (the weights of
indicators with nothing to count yet are left out), stars from the sheet's thresholds, and the admins'
documented adjustments (a veto takes every star; a deduction takes points). A year is a draft computed on
demand until an admin publishes it: then the sheet used and every figure are stored, and it stays as it was."""
from datetime import datetime

from sqlalchemy import insert, select

import server.evaluation.messages  # noqa: F401  (registers the message codes)
from server.auth.models import Organization, User
from server.auth.permissions import require_admin
from server.auth.scope import scope_of
from server.common import audit
from server.common.errors import Conflict, Forbidden, Invalid, NotFound
from server.common.timeutil import iso_local, to_local, utcnow
from server.evaluation import indicators, sheet
from server.evaluation.models import BranchRating, RatingAdjustment, RatingYear
from server.extensions import db


def org_for(actor: User, org_id: int | None) -> Organization:
    """The organization asked for (managed by the actor), or the widest one the actor manages."""
    scope = scope_of(actor)
    if org_id is None:
        stmt = select(Organization).order_by(Organization.path)
        if not scope.admin:
            if not scope.org_paths:
                raise Forbidden(details={"hint": "ratings are for organizers and admins"})
            stmt = stmt.where(Organization.id.in_(scope.org_ids))
        org = db.session.scalars(stmt).first()
        if org is None:
            raise NotFound()
        return org
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"org_id": org_id})
    if not scope.manages_org(org):
        raise Forbidden(details={"org_id": org_id})
    return org


def _branches(org: Organization) -> list:
    parent = db.session.get(Organization, org.parent_id) if org.parent_id else None
    rows = db.session.execute(select(Organization.id, Organization.name, Organization.path, Organization.parent_id)
                              .where(Organization.path.startswith(org.path), Organization.level == "branch")
                              .order_by(Organization.path)).all()
    if not rows and org.level == "branch":
        rows = [(org.id, org.name, org.path, org.parent_id)]
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({r[3] for r in rows if r[3]}))).all()) if rows else {}
    if parent is not None:
        names.setdefault(parent.id, parent.name)
    return [{"id": r[0], "name": r[1], "organ": names.get(r[3])} for r in rows]


def score(the_sheet: dict, figures: dict, adjustments: list[dict]) -> tuple[float | None, int, list[dict]]:
    """(score, stars, parts) of one branch's figures {code: [num, den]}."""
    parts, earned, weights = [], 0.0, 0.0
    for item in the_sheet["indicators"]:
        num, den = figures.get(item["code"], (0, 0))
        value = num / den if den else None
        achieved = min(value / item["target"], 1.0) if value is not None else None
        if achieved is not None:
            earned += item["weight"] * achieved
            weights += item["weight"]
        parts.append({"code": item["code"], "label": sheet.INDICATORS[item["code"]][0], "num": num, "den": den,
                      "value": round(value, 4) if value is not None else None, "target": item["target"],
                      "weight": item["weight"], "points": round(item["weight"] * achieved, 2)
                      if achieved is not None else None})
    total = round(100 * earned / weights, 2) if weights else None
    deducted = sum(a["points"] for a in adjustments if a["kind"] == "deduct")
    if total is not None:
        total = max(0.0, round(total - deducted, 2))
    vetoed = any(a["kind"] == "veto" for a in adjustments)
    stars = 0 if vetoed or total is None else sum(total >= t for t in the_sheet["stars"])
    return total, stars, parts


def _adjustments(year: int, branch_ids: list[int] | None = None) -> dict[int, list[dict]]:
    stmt = select(RatingAdjustment).where(RatingAdjustment.year == year).order_by(RatingAdjustment.id)
    out: dict[int, list[dict]] = {}
    for a in db.session.scalars(stmt if branch_ids is None else stmt.where(RatingAdjustment.branch_id.in_(branch_ids))):
        out.setdefault(a.branch_id, []).append({"id": a.id, "kind": a.kind, "points": a.points, "reason": a.reason,
                                                "created_at": iso_local(a.created_at)})
    return out


def compute(actor: User, org: Organization, year: int, now: datetime, the_sheet: dict | None = None) -> list[dict]:
    """Every branch under the organization, rated now with the year's sheet (a draft)."""
    the_sheet = the_sheet or sheet.current(year)
    branches = _branches(org)
    figures: dict[int, dict] = {b["id"]: {} for b in branches}
    cache: dict = {}  # the participation's monthly rows serve both its indicator and the trend
    for item in the_sheet["indicators"]:
        got = indicators.COMPUTE[item["code"]](org, year, now, item, actor=actor, cache=cache)
        for bid, pair in got.items():
            if bid in figures:
                figures[bid][item["code"]] = [float(pair[0]), float(pair[1])]
    kinds = next((i["kinds"] for i in the_sheet["indicators"] if i["code"] == "attendance_rate"), None)
    trend = indicators.monthly(org, year, now, kinds, cache) if kinds else {}
    adjust = _adjustments(year, [b["id"] for b in branches])
    rows = []
    for b in branches:
        total, stars, parts = score(the_sheet, figures[b["id"]], adjust.get(b["id"], []))
        months = trend.get(b["id"], {})
        rows.append({**b, "score": total, "stars": stars, "parts": parts, "adjustments": adjust.get(b["id"], []),
                     "figures": figures[b["id"]],
                     "trend": [round(months[m][0] / months[m][1], 4) if m in months and months[m][1] else None
                               for m in range(1, 13)]})
    return rows


def _published(year: int) -> RatingYear | None:
    return db.session.get(RatingYear, year)


def table(actor: User, org_id: int | None, year: int, now: datetime | None = None) -> dict:
    """The league table of the organization's branches: stars, scores, trend, distribution, who is behind."""
    now = now or utcnow()
    org = org_for(actor, org_id)
    if year > to_local(now).year:
        raise Invalid({"year": "evaluation_future_year"}, location="query")
    done = _published(year)
    if done is not None:
        the_sheet, ids = done.sheet, {b["id"]: b for b in _branches(org)}
        rows = [{**ids[r.branch_id], **r.figures, "score": r.score, "stars": r.stars}
                for r in db.session.scalars(select(BranchRating).where(BranchRating.year == year))
                if r.branch_id in ids]
    else:
        the_sheet, rows = sheet.current(year), compute(actor, org, year, now)
    rows.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1), r["name"]))
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank
    distribution = {str(n): sum(r["stars"] == n for r in rows) for n in range(6)}
    behind = [{"id": r["id"], "name": r["name"], "overdue": int(f[1] - f[0])} for r in rows
              if (f := r["figures"].get("compliance")) and f[1] > f[0]]
    return {"year": year, "status": "published" if done else "draft",
            "published_at": iso_local(done.published_at) if done else None, "org": {"id": org.id, "name": org.name},
            "sheet": the_sheet, "rows": rows, "distribution": distribution, "behind": behind}


def breakdown(actor: User, branch_id: int, year: int, now: datetime | None = None) -> dict:
    """One branch: every indicator's value, target and points, the records behind each, the adjustments."""
    from server.evaluation import evidence
    now = now or utcnow()
    branch = org_for(actor, branch_id)
    if branch.level != "branch":
        raise Conflict("evaluation_not_branch", {"org_id": branch_id})
    body = table(actor, branch.id, year, now)
    row = next(r for r in body["rows"] if r["id"] == branch.id)
    items = {i["code"]: i for i in body["sheet"]["indicators"]}
    for part in row["parts"]:
        part["records"] = evidence.behind(part["code"], branch, year, now, items[part["code"]], actor)
    return {**body, "rows": None, "branch": row}


def adjust(admin: User, branch_id: int, year: int, kind: str, points: float, reason: str) -> dict:
    """A documented adjustment of a draft year (admins; audited)."""
    require_admin(admin)
    branch = org_for(admin, branch_id)
    if branch.level != "branch":
        raise Conflict("evaluation_not_branch", {"org_id": branch_id})
    if _published(year) is not None:
        raise Conflict("evaluation_published", {"year": year})
    row = RatingAdjustment(year=year, branch_id=branch.id, kind=kind, points=points if kind == "deduct" else 0,
                           reason=reason.strip(), created_by_id=admin.id)
    db.session.add(row)
    db.session.flush()
    audit.record(admin.id, "evaluation.adjust", "organization", branch.id, None,
                 {"year": year, "kind": kind, "points": row.points, "adjustment_id": row.id}, reason.strip())
    db.session.commit()
    return {"id": row.id, "kind": row.kind, "points": row.points, "reason": row.reason}


def publish(admin: User, year: int, now: datetime | None = None) -> dict:
    """Compute every branch's year with the current sheet and store it: from now on it does not change."""
    require_admin(admin)
    now = now or utcnow()
    if year > to_local(now).year:
        raise Invalid({"year": "evaluation_future_year"})
    if _published(year) is not None:
        raise Conflict("evaluation_published", {"year": year})
    the_sheet = sheet.current(year)
    rows = []
    for root in db.session.scalars(select(Organization).where(Organization.parent_id.is_(None))):
        rows += compute(admin, root, year, now, the_sheet)
    db.session.add(RatingYear(year=year, sheet=the_sheet, published_by_id=admin.id, published_at=now))
    db.session.flush()
    if rows:
        db.session.execute(insert(BranchRating), [
            {"year": year, "branch_id": r["id"], "score": r["score"], "stars": r["stars"],
             "figures": {k: r[k] for k in ("parts", "adjustments", "figures", "trend")}} for r in rows])
    audit.record(admin.id, "evaluation.publish", "rating_year", year, None,
                 {"version": the_sheet["version"], "branches": len(rows)})
    db.session.commit()
    return {"year": year, "branches": len(rows), "published_at": iso_local(now)}
