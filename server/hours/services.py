"""Service hours review: the liaison's queue, confirm / adjust / reject / set by hand, bulk confirm,
disputes, publication (公示) and lock, and the per-event service details of the service record.

State machine (events that record hours: volunteer_service and community_duty):

    pending ──confirm──▶ confirmed          pending|confirmed|rejected|checked_out ──adjust──▶ confirmed
    no_checkout ──set──▶ confirmed          pending|confirmed|checked_out|no_checkout ──reject──▶ rejected

Who: a liaison for their communities' community_duty, an organizer for volunteer_service hosted in their
organizations (and below), admins for all; nobody for their own attendance. Hours never exceed the event's
scheduled length. Every change writes the audit log (before, after, who, why) in its transaction.
Points: paying, reversing and re-paying live in points.ledger (rule code "<kind>.hours", then "<kind>.hours.<n>");
a later change reverses the open hours payments and pays again under "<kind>.hours.<n>", because the
ledger pays a rule code once per attendance. Amounts are stored on entries, so rule changes never
rewrite what was paid. A record in publication locks at locks_at; after that only a change sent as a
correction (correction=true, with a reason) is accepted, and it is audited as "hours.correction.*".
"""
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

import server.hours.messages  # noqa: F401  (registers the message codes)
from server.attendance import core, lifecycle
from server.attendance.models import Attendance
from server.auth.models import Community, Organization, User
from server.auth.permissions import (
    can_manage_community,
    can_manage_event,
    can_manage_org,
    forbid,
)
from server.auth.scope import Scope, scope_of
from server.common import audit
from server.common.audit import AuditLog
from server.common.errors import ApiError, Conflict
from server.common.timeutil import iso_local, utcnow
from server.events import lookup
from server.events.kinds import codes_where
from server.events.lookup import event_for
from server.events.models import Event
from server.extensions import db
from server.hours.models import EventServiceInfo, HoursDispute, HoursReview, HoursSetting
from server.points import ledger as points

HOURS_KINDS = codes_where(records_hours=True)
QUEUE_STATES = ("todo", "pending", "no_checkout", "disputed", "confirmed", "rejected", "checked_out", "all")
BULK_MAX = 500
EPS = 1e-9



# ---------------------------------------------------------------- who may review what

def reviewer_of(user: User) -> Scope:
    """Who reviews what lives in the request's Scope (server.auth.scope, server.events.lookup)."""
    return scope_of(user)


# ---------------------------------------------------------------- small helpers

def _bad(field: str, zh: str, en: str) -> ApiError:
    return ApiError(422, "validation_error", {"fields": {"json": {field: [f"{zh} / {en}"]}}})


def _is_locked(review: HoursReview | None, now: datetime) -> bool:
    return review is not None and review.locks_at is not None and review.locks_at <= now


def snapshot(att: Attendance, review: HoursReview | None = None) -> dict:
    """The audited view of an attendance's hours."""
    return {"state": att.state, "hours_claimed": att.hours_claimed, "hours_confirmed": att.hours_confirmed,
            "confirmed_by_id": att.confirmed_by_id,
            "evaluation": review.evaluation if review else None,
            "locks_at": iso_local(review.locks_at) if review else None}


def _org_ids(path: str) -> list[int]:
    return [int(p) for p in path.split("/") if p]


def publicity_map(events: list[Event]) -> dict[int, int]:
    """event id → publication days: the host community's setting, or the nearest organization's. One query."""
    comm_ids = {e.host_community_id for e in events if e.host_community_id}
    org_ids = {i for e in events if e.host_org is not None for i in _org_ids(e.host_org.path)}
    if not comm_ids and not org_ids:
        return {}
    rows = db.session.execute(select(HoursSetting.community_id, HoursSetting.organization_id,
                                     HoursSetting.publicity_days).where(or_(
                                         HoursSetting.community_id.in_(sorted(comm_ids) or [-1]),
                                         HoursSetting.organization_id.in_(sorted(org_ids) or [-1])))).all()
    by_comm = {r.community_id: r.publicity_days for r in rows if r.community_id is not None}
    by_org = {r.organization_id: r.publicity_days for r in rows if r.organization_id is not None}
    result = {}
    for e in events:
        days = 0
        if e.host_community_id:
            days = by_comm.get(e.host_community_id, 0)
        elif e.host_org is not None:
            for oid in reversed(_org_ids(e.host_org.path)):  # nearest setting wins
                if oid in by_org:
                    days = by_org[oid]
                    break
        result[e.id] = days
    return result


def _upsert_review(att: Attendance, review: HoursReview | None, actor_id: int, now: datetime, days: int,
                   evaluation: str | None, comment: str | None, locked: bool, confirming: bool) -> HoursReview:
    if review is None:
        review = HoursReview(attendance_id=att.id, comment="", corrections=0)
        db.session.add(review)
    if evaluation is not None:
        review.evaluation = evaluation
    if comment is not None:
        review.comment = comment
    review.reviewed_by_id, review.reviewed_at = actor_id, now
    if locked:
        review.corrections = (review.corrections or 0) + 1  # a correction keeps the record locked
    elif confirming:
        review.publicity_days = days
        review.locks_at = now + timedelta(days=days) if days > 0 else None
    else:
        review.locks_at = None  # rejected: nothing to publish
    return review


def _commit() -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise ApiError(409, "conflict", {"reason": "changed_concurrently"}) from None


def _load(attendance_id: int):
    row = db.session.execute(
        select(Attendance, Event, HoursReview).join(Event, Event.id == Attendance.event_id)
        .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
        .where(Attendance.id == attendance_id)).first()
    if row is None:
        raise ApiError(404, "not_found", {"attendance_id": attendance_id})
    return row


def _load_for_review(user: User, attendance_id: int):
    att, event, review = _load(attendance_id)
    if event.kind not in HOURS_KINDS or not event.requires_checkout:
        raise ApiError(409, "hours_no_hours", {"attendance_id": att.id, "kind": event.kind})
    if att.user_id == user.id:
        raise ApiError(403, "hours_own", {"attendance_id": att.id})
    if not lookup.reviews(reviewer_of(user), event):
        forbid({"attendance_id": att.id, "hint": "liaisons review their communities' duties; "
                                                 "organizers their organizations' services"})
    return att, event, review


def _check_hours(event: Event, hours: float | None) -> float:
    if hours is None:
        raise _bad("hours", "请填写服务时长", "hours is required")
    if hours <= 0:
        raise _bad("hours", "服务时长须大于 0，不计时长请选择驳回", "hours must be above 0; reject to give none")
    scheduled = round(event.scheduled_hours, 2)
    if hours > event.scheduled_hours + EPS:
        raise ApiError(422, "hours_above_scheduled", {"hours": hours, "max_hours": scheduled,
                                                      "fields": {"json": {"hours": [f"≤ {scheduled}"]}}})
    return round(hours, 2)


# ---------------------------------------------------------------- one record

def act(user: User, attendance_id: int, action: str, *, hours: float | None = None, reason: str = "",
        evaluation: str | None = None, comment: str | None = None, correction: bool = False,
        now: datetime | None = None) -> dict:
    """confirm | adjust | reject | set one attendance; see the module docstring for the rules."""
    now = now or utcnow()
    reason = (reason or "").strip()
    att, event, review = _load_for_review(user, attendance_id)
    if not lifecycle.allowed(action, att.state):
        raise Conflict("hours_state", {"state": att.state, "action": action,
                                       "allowed": list(lifecycle.TRANSITIONS[action][0])})
    locked = _is_locked(review, now)
    if locked and not correction:
        raise ApiError(409, "hours_locked", {"locks_at": iso_local(review.locks_at),
                                             "hint": "send correction=true with a reason"})
    if action != "confirm" or locked:
        if not reason:
            raise _bad("reason", "请填写理由", "a reason is required")
    if action in ("adjust", "set"):
        hours = _check_hours(event, hours)

    days = publicity_map([event]).get(event.id, 0)
    confirmed = None if action == "reject" else (att.hours_claimed or 0.0) if action == "confirm" else hours
    shown = {"review": review}  # the audited view includes the review, written in the same step

    def ledger() -> dict:
        """Reverse what was paid (unless a first confirmation), then pay the confirmed hours again."""
        reversed_total = points.reverse_hours(entries, user.id, reason or action) if action != "confirm" else 0
        paid = points.pay_hours(event.kind, att.user_id, att.id, confirmed or 0, entries, user.id,
                                reason) if action != "reject" else 0
        return {"points_paid": paid, "points_reversed": reversed_total}

    try:
        entries = points.hours_entries(att.id, event.kind)
        before = snapshot(att, review)
        shown["review"] = _upsert_review(att, review, user.id, now, days, evaluation, comment, locked,
                                         confirming=action != "reject")
        money = lifecycle.transition(
            att, action, user.id, reason, ledger=ledger, refusal="hours_state",
            changes={"hours_confirmed": confirmed, "confirmed_by_id": user.id, "confirmed_at": now},
            before=before, view=lambda a: snapshot(a, shown["review"]),
            audit_as=f"hours.correction.{action}" if locked else f"hours.{action}")
        paid, reversed_total = money["points_paid"], money["points_reversed"]
        db.session.commit()
    except (StaleDataError, IntegrityError):  # another reviewer changed it first: nothing of ours stays
        db.session.rollback()
        raise ApiError(409, "conflict", {"reason": "changed_concurrently"}) from None
    return {"action": action, "correction": locked, "points_paid": paid, "points_reversed": reversed_total,
            "item": record_view(att.id, now)}


def bulk_confirm(user: User, attendance_ids: list[int], evaluation: str | None = None, reason: str = "",
                 now: datetime | None = None) -> dict:
    """Confirm every pending record of the list in one transaction; others are reported as skipped.

    All are checked first: an unknown id is 404, one's own or another's scope 403, and nothing changes.
    A fixed number of queries whatever the length (rules per kind are read once)."""
    now, reason = now or utcnow(), (reason or "").strip()
    ids = list(dict.fromkeys(attendance_ids))
    if not ids:
        raise _bad("attendance_ids", "请选择要确认的记录", "give at least one attendance id")
    if len(ids) > BULK_MAX:
        raise _bad("attendance_ids", f"一次最多确认 {BULK_MAX} 条", f"at most {BULK_MAX} ids at once")
    rows = db.session.execute(
        select(Attendance, Event, HoursReview).join(Event, Event.id == Attendance.event_id)
        .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
        .where(Attendance.id.in_(ids)).order_by(Attendance.id)).all()
    missing = sorted(set(ids) - {att.id for att, _e, _r in rows})
    if missing:
        raise ApiError(404, "not_found", {"attendance_ids": missing})
    own = [att.id for att, _e, _r in rows if att.user_id == user.id]
    if own:
        raise ApiError(403, "hours_own", {"attendance_ids": own})
    reviewer = reviewer_of(user)
    outside = [att.id for att, event, _r in rows if not lookup.reviews(reviewer, event)]
    if outside:
        forbid({"attendance_ids": outside})
    days = publicity_map([event for _a, event, _r in rows])
    rules = {kind: points.rule_for(kind) for kind in {event.kind for _a, event, _r in rows}}
    confirmed, skipped, total = [], [], 0
    try:
        for att, event, review in rows:
            if not lifecycle.allowed("confirm", att.state):
                skipped.append({"attendance_id": att.id, "state": att.state})
                continue
            before = snapshot(att, review)
            review = _upsert_review(att, review, user.id, now, days.get(event.id, 0), evaluation, None, False, True)
            hours = att.hours_claimed or 0.0

            def first_payment(att=att, kind=event.kind, hours=hours) -> dict:
                """Pending records were never paid: the first payment, the same code as ledger.pay_hours."""
                return {"points_paid": points.pay(att.user_id, att.id, points.hours_code(kind),
                                                  points.hours_points(rules[kind], hours), user.id, reason),
                        "bulk": True}

            money = lifecycle.transition(
                att, "confirm", user.id, reason, before=before, view=lambda a, r=review: snapshot(a, r),
                changes={"hours_confirmed": hours, "confirmed_by_id": user.id, "confirmed_at": now},
                ledger=first_payment, audit_as="hours.confirm", refusal="hours_state")
            total += money["points_paid"]
            confirmed.append(att.id)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(details={"reason": "changed_concurrently"}) from None
    _commit()
    return {"confirmed": confirmed, "skipped": skipped, "points_paid": total}


# ---------------------------------------------------------------- disputes

def open_dispute(user: User, attendance_id: int, message: str, now: datetime | None = None) -> dict:
    """The member objects to their own hours; the dispute shows in the reviewers' queue."""
    now, message = now or utcnow(), (message or "").strip()
    if not message:
        raise _bad("message", "请填写异议内容", "message is required")
    att, event, review = _load(attendance_id)
    if att.user_id != user.id:
        raise ApiError(403, "hours_not_yours", {"attendance_id": att.id})
    if event.kind not in HOURS_KINDS or not event.requires_checkout:
        raise ApiError(409, "hours_no_hours", {"attendance_id": att.id, "kind": event.kind})
    if not lifecycle.allowed("dispute", att.state):
        raise Conflict("hours_state", {"state": att.state, "action": "dispute",
                                       "allowed": list(lifecycle.TRANSITIONS["dispute"][0])})
    if _is_locked(review, now):
        raise ApiError(409, "hours_locked", {"locks_at": iso_local(review.locks_at)})
    if db.session.scalar(select(HoursDispute.id).where(HoursDispute.attendance_id == att.id,
                                                       HoursDispute.status == "open")):
        raise ApiError(409, "hours_dispute_open", {"attendance_id": att.id})
    dispute = HoursDispute(attendance_id=att.id, user_id=user.id, message=message[:2000], status="open",
                           answer="", created_at=now)
    db.session.add(dispute)
    try:
        db.session.flush()  # the partial unique index settles two racing disputes
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, "hours_dispute_open", {"attendance_id": attendance_id}) from None
    audit.record(user.id, "hours.dispute", "attendance", att.id, None,
                 {"dispute_id": dispute.id, "message": dispute.message}, dispute.message)
    _commit()
    return dispute_json(dispute)


def answer_dispute(user: User, dispute_id: int, answer: str, now: datetime | None = None) -> dict:
    now, answer = now or utcnow(), (answer or "").strip()
    if not answer:
        raise _bad("answer", "请填写答复", "answer is required")
    dispute = db.session.get(HoursDispute, dispute_id)
    if dispute is None:
        raise ApiError(404, "not_found", {"dispute_id": dispute_id})
    _load_for_review(user, dispute.attendance_id)
    if dispute.status != "open":
        raise ApiError(409, "hours_dispute_not_open", {"dispute": dispute_json(dispute)})
    dispute.status, dispute.answer = "answered", answer[:2000]
    dispute.answered_by_id, dispute.answered_at = user.id, now
    audit.record(user.id, "hours.dispute.answer", "attendance", dispute.attendance_id,
                 {"dispute_id": dispute.id, "status": "open"},
                 {"dispute_id": dispute.id, "status": "answered", "answer": dispute.answer}, dispute.answer)
    _commit()
    return dispute_json(dispute)


def dispute_json(d: HoursDispute | None) -> dict | None:
    if d is None or d.id is None:
        return None
    return {"id": d.id, "attendance_id": d.attendance_id, "message": d.message, "status": d.status,
            "answer": d.answer or "", "answered_by_id": d.answered_by_id,
            "answered_at": iso_local(d.answered_at), "created_at": iso_local(d.created_at)}


# ---------------------------------------------------------------- reading

Confirmer = aliased(User)
OpenDispute = aliased(HoursDispute)


def _rows_query():
    return (select(Attendance, Event, User.name.label("member_name"), User.phone.label("member_phone"),
                   Organization.name.label("branch_name"), HoursReview, OpenDispute,
                   Confirmer.name.label("confirmed_by_name"))
            .join(Event, Event.id == Attendance.event_id)
            .join(User, User.id == Attendance.user_id)
            .outerjoin(Organization, Organization.id == User.branch_id)
            .outerjoin(HoursReview, HoursReview.attendance_id == Attendance.id)
            .outerjoin(OpenDispute, and_(OpenDispute.attendance_id == Attendance.id, OpenDispute.status == "open"))
            .outerjoin(Confirmer, Confirmer.id == Attendance.confirmed_by_id))


def item_json(row, now: datetime) -> dict:
    att, event, review, dispute = row[0], row[1], row[5], row[6]
    return {
        **core.attendance_json(att),
        "member": {"id": att.user_id, "name": row.member_name, "phone": row.member_phone,
                   "branch_name": row.branch_name},
        "event": {"id": event.id, "title": event.title, "kind": event.kind, "place_name": event.place_name,
                  "starts_at": iso_local(event.starts_at), "ends_at": iso_local(event.ends_at),
                  "host_org_name": event.host_org.name if event.host_org else None,
                  "host_community_name": event.host_community.name if event.host_community else None},
        "max_hours": round(event.scheduled_hours, 2),
        "confirmed_by_id": att.confirmed_by_id, "confirmed_by_name": row.confirmed_by_name,
        "confirmed_at": iso_local(att.confirmed_at),
        "evaluation": review.evaluation if review else None, "comment": review.comment if review else "",
        "publicity_days": review.publicity_days if review else 0,
        "locks_at": iso_local(review.locks_at) if review else None, "locked": _is_locked(review, now),
        "dispute": dispute_json(dispute),
    }


def queue(user: User, state: str = "todo", event_id: int | None = None, community_id: int | None = None,
          q: str | None = None, page: int = 1, page_size: int = 50, now: datetime | None = None) -> dict:
    """The reviewer's queue: "todo" = pending, no_checkout and open disputes. Three queries."""
    now = now or utcnow()
    reviewer = reviewer_of(user)
    if not reviewer.staff:
        forbid({"hint": "the hours queue is for liaisons, organizers and admins"})
    where = [lookup.reviews_clause(reviewer), Attendance.user_id != user.id]
    if event_id is not None:
        where.append(Attendance.event_id == event_id)
    if community_id is not None:
        where.append(Event.host_community_id == community_id)
    has_dispute = OpenDispute.id.is_not(None)
    counts_stmt = (select(func.count(case((Attendance.state == "pending", 1))),
                          func.count(case((Attendance.state == "no_checkout", 1))),
                          func.count(case((has_dispute, 1))))
                   .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
                   .outerjoin(OpenDispute, and_(OpenDispute.attendance_id == Attendance.id,
                                                OpenDispute.status == "open")).where(*where))
    pending, no_checkout, disputed = db.session.execute(counts_stmt).one()
    if state == "todo":
        where.append(or_(Attendance.state.in_(("pending", "no_checkout")), has_dispute))
    elif state == "disputed":
        where.append(has_dispute)
    elif state != "all":
        where.append(Attendance.state == state)
    if q:
        where.append(or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))
    stmt = _rows_query().where(*where)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Attendance.id).subquery()))
    rows = db.session.execute(stmt.order_by(Event.starts_at, Event.id, User.name, Attendance.id)
                              .limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": [item_json(r, now) for r in rows], "total": total, "page": page, "page_size": page_size,
            "counts": {"pending": pending, "no_checkout": no_checkout, "disputed": disputed}}


def record_view(attendance_id: int, now: datetime | None = None) -> dict:
    row = db.session.execute(_rows_query().where(Attendance.id == attendance_id)).first()
    return item_json(row, now or utcnow())


def detail(user: User, attendance_id: int, now: datetime | None = None) -> dict:
    """One record with its disputes and its audit history: the member, its reviewers, event managers."""
    now = now or utcnow()
    row = db.session.execute(_rows_query().where(Attendance.id == attendance_id)).first()
    if row is None:
        raise ApiError(404, "not_found", {"attendance_id": attendance_id})
    att, event = row[0], row[1]
    if att.user_id != user.id and not lookup.reviews(reviewer_of(user), event) and not can_manage_event(user, event):
        forbid({"attendance_id": attendance_id})
    disputes = db.session.scalars(select(HoursDispute).where(HoursDispute.attendance_id == att.id)
                                  .order_by(HoursDispute.id)).all()
    Actor = aliased(User)
    history = db.session.execute(
        select(AuditLog, Actor.name).outerjoin(Actor, Actor.id == AuditLog.actor_id)
        .where(AuditLog.object_type == "attendance", AuditLog.object_id == att.id)
        .order_by(AuditLog.created_at, AuditLog.id)).all()
    return {**item_json(row, now), "disputes": [dispute_json(d) for d in disputes],
            "history": [{"action": a.action, "actor_id": a.actor_id, "actor_name": name, "before": a.before,
                         "after": a.after, "reason": a.reason, "at": iso_local(a.created_at)}
                        for a, name in history]}


def mine(user: User, page: int = 1, page_size: int = 50, now: datetime | None = None) -> dict:
    """The member's own hours records, newest first, with review, lock and open dispute."""
    now = now or utcnow()
    where = [Attendance.user_id == user.id, Event.kind.in_(HOURS_KINDS), Event.requires_checkout.is_(True)]
    stmt = _rows_query().where(*where)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Attendance.id).subquery()))
    rows = db.session.execute(stmt.order_by(Event.starts_at.desc(), Attendance.id.desc())
                              .limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": [item_json(r, now) for r in rows], "total": total, "page": page, "page_size": page_size}


def publication(user: User, community_id: int | None, org_id: int | None, now: datetime | None = None) -> dict:
    """Confirmed hours now in publication (公示) for a community or an organization's tree.

    Visible to the community's registered members and liaisons, the organization's members and
    organizers, and admins."""
    now = now or utcnow()
    if (community_id is None) == (org_id is None):
        raise ApiError(422, "validation_error", {"fields": {"query": {"community_id": [
            "请指定社区或组织其中之一 / give community_id or org_id"]}}})
    where = [Attendance.state == "confirmed", HoursReview.locks_at.is_not(None), HoursReview.locks_at > now]
    if community_id is not None:
        if user.community_id != community_id and not can_manage_community(user, community_id):
            forbid({"community_id": community_id})
        where += [Event.kind.in_(codes_where(reviewed_by="liaison")), Event.host_community_id == community_id]
    else:
        org = db.session.get(Organization, org_id)
        if org is None:
            raise ApiError(404, "not_found", {"org_id": org_id})
        member_here = user.branch is not None and user.branch.path.startswith(org.path)
        if not member_here and not can_manage_org(user, org):
            forbid({"org_id": org_id})
        HostOrg = aliased(Organization)
        where += [Event.host_org_id.in_(select(HostOrg.id).where(HostOrg.path.startswith(org.path)))]
    rows = db.session.execute(_rows_query().where(*where).order_by(HoursReview.locks_at, Attendance.id)).all()
    items = []
    for r in rows:
        full = item_json(r, now)
        items.append({"attendance_id": full["id"], "member_name": full["member"]["name"],
                      "branch_name": full["member"]["branch_name"], "event": full["event"],
                      "hours_confirmed": full["hours_confirmed"], "locks_at": full["locks_at"],
                      "dispute_open": full["dispute"] is not None})
    return {"community_id": community_id, "org_id": org_id, "items": items}


# ---------------------------------------------------------------- settings and service details

def _setting_scope(user: User, community_id: int | None, org_id: int | None):
    if (community_id is None) == (org_id is None):
        raise ApiError(422, "validation_error", {"fields": {"json": {"community_id": [
            "请指定社区或组织其中之一 / give community_id or org_id"]}}})
    if community_id is not None:
        if db.session.get(Community, community_id) is None:
            raise ApiError(404, "not_found", {"community_id": community_id})
        if not can_manage_community(user, community_id):
            forbid({"community_id": community_id})
        return HoursSetting.community_id == community_id
    org = db.session.get(Organization, org_id)
    if org is None:
        raise ApiError(404, "not_found", {"org_id": org_id})
    if not can_manage_org(user, org):
        forbid({"org_id": org_id})
    return HoursSetting.organization_id == org_id


def get_setting(user: User, community_id: int | None, org_id: int | None) -> dict:
    setting = db.session.scalar(select(HoursSetting).where(_setting_scope(user, community_id, org_id)))
    return {"community_id": community_id, "org_id": org_id,
            "publicity_days": setting.publicity_days if setting else 0,
            "updated_at": iso_local(setting.updated_at) if setting else None}


def put_setting(user: User, community_id: int | None, org_id: int | None, publicity_days: int,
                reason: str = "") -> dict:
    """Applies to confirmations made from now on; records already confirmed keep their lock date."""
    cond = _setting_scope(user, community_id, org_id)
    setting = db.session.scalar(select(HoursSetting).where(cond))
    before = setting.publicity_days if setting else 0
    if setting is None:
        setting = HoursSetting(community_id=community_id, organization_id=org_id)
        db.session.add(setting)
    setting.publicity_days, setting.updated_by_id = publicity_days, user.id
    db.session.flush()
    audit.record(user.id, "hours.settings", "hours_setting", setting.id, {"publicity_days": before},
                 {"publicity_days": publicity_days, "community_id": community_id, "org_id": org_id},
                 (reason or "").strip())
    _commit()
    return get_setting(user, community_id, org_id)


def _managed_event(user: User, event_id: int) -> Event:
    return event_for(scope_of(user), event_id, "review")


INFO_FIELDS = ("recipient", "content", "leader_name", "recorder_name")


def get_service_info(user: User, event_id: int) -> dict:
    event = _managed_event(user, event_id)
    info = db.session.get(EventServiceInfo, event.id)
    return {"event_id": event.id, **{f: getattr(info, f) if info else "" for f in INFO_FIELDS}}


def put_service_info(user: User, event_id: int, data: dict) -> dict:
    """What the service record shows for this event: recipient, content, leader, recorder."""
    event = _managed_event(user, event_id)
    info = db.session.get(EventServiceInfo, event.id)
    before = {f: getattr(info, f) for f in INFO_FIELDS} if info else None
    if info is None:
        info = EventServiceInfo(event_id=event.id, **{f: "" for f in INFO_FIELDS})
        db.session.add(info)
    for f in INFO_FIELDS:
        if f in data and data[f] is not None:
            setattr(info, f, data[f].strip())
    info.updated_by_id = user.id
    audit.record(user.id, "event.service_info", "event", event.id, before,
                 {f: getattr(info, f) for f in INFO_FIELDS})
    _commit()
    return get_service_info(user, event_id)
