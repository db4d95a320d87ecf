"""Roster import (名册导入): a CSV or XLSX with the columns an organizer's spreadsheet has — name, phone,
branch, community, role — keyed by phone.

A dry run judges every row: create, update (with the changes), unchanged, or refuse (with the reasons:
bad phone, unknown or ambiguous branch, unknown community, duplicate row, …). The real run applies the
same plan all-or-nothing: one refused row and nothing is written (422 import_has_errors). Running the
same file again changes nothing. An import never clears a field left empty, never removes a role, and
never deactivates members missing from the file.

Bulk work only: the existing users, their grants, organizations and communities are read with a fixed
number of queries (phones in chunks), and writes are executemany INSERT / UPDATE statements.
"""
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

import server.members.messages  # noqa: F401  (registers the message codes)
from server.auth import membership
from server.auth.models import Community, Organization, PastMembership, RoleGrant, User
from server.auth.permissions import forbid, is_admin, organizer_paths
from server.auth.scope import scope_of
from server.auth.services import hash_password
from server.common.audit import AuditLog
from server.common.errors import Conflict, Unprocessable
from server.common.i18n import message
from server.common.timeutil import utcnow
from server.db_setup import reading
from server.extensions import db
from server.members.parsing import (  # noqa: F401  (importer.<name> for the routes)
    CHUNK,
    MAX_BYTES,
    MAX_ROWS,
    PHONE_RE,
    TEMPLATE_HEADER,
    UNUSABLE_PASSWORD,
    Row,
    normalize_phone,
    parse_date,
    parse_roles,
    parse_rows,
    read_table,
    template_rows,
)


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def plan(user: User, rows: list[Row]) -> list[Row]:
    """Judge every row against the database, without writing."""
    admin = is_admin(user)
    paths = [] if admin else organizer_paths(user)
    if not admin and not paths:
        forbid({"hint": "roster import is for admins and organizers"})
    orgs = db.session.execute(select(Organization.id, Organization.name, Organization.path)).all()
    org_by_name: dict[str, list] = {}
    for o in orgs:
        org_by_name.setdefault(o.name.strip(), []).append(o)
    path_of = {o.id: o.path for o in orgs}
    communities = dict(db.session.execute(select(Community.name, Community.id)).all())
    in_scope = (lambda org_id: True) if admin else (
        lambda org_id: org_id is not None and any(path_of.get(org_id, "").startswith(p) for p in paths))

    for row in rows:
        row.phone = normalize_phone(row.phone)
    phones = sorted({r.phone for r in rows if PHONE_RE.match(r.phone)})
    existing = {}
    for chunk in _chunks(phones):
        for u in db.session.execute(select(User.id, User.phone, User.name, User.branch_id, User.community_id,
                                           User.joined_party_on, User.active, User.branch_since)
                                    .where(User.phone.in_(chunk))):
            existing[u.phone] = u
    grants: set[tuple[int, str, int | None, int | None]] = set()
    for chunk in _chunks(sorted(u.id for u in existing.values())):
        grants.update(db.session.execute(select(RoleGrant.user_id, RoleGrant.role, RoleGrant.organization_id,
                                                RoleGrant.community_id).where(RoleGrant.user_id.in_(chunk))))
    first_row: dict[str, int] = {}
    for row in rows:
        bad = row.reasons.append
        if not row.name:
            bad("name_required")
        elif len(row.name) > 80:
            bad("name_too_long")
        if not PHONE_RE.match(row.phone):
            bad("bad_phone")
        elif row.phone in first_row:
            bad("duplicate_row")
            row.reason_details["first_row"] = first_row[row.phone]
        else:
            first_row[row.phone] = row.number
        if row.branch:
            matches = org_by_name.get(row.branch, [])
            if not matches:
                bad("unknown_branch")
            elif len(matches) > 1:
                bad("ambiguous_branch")
            else:
                row.branch_id = matches[0].id
                if not in_scope(row.branch_id):
                    bad("branch_out_of_scope")
        elif not admin and row.phone not in existing:
            bad("branch_required")
        if row.community:
            row.community_id = communities.get(row.community)
            if row.community_id is None:
                bad("unknown_community")
        if row.joined:
            row.joined_on = parse_date(row.joined)
            if row.joined_on is None:
                bad("bad_join_date")
        row.roles, unknown = parse_roles(row.role)
        if unknown:
            bad("unknown_role")
            row.reason_details["unknown_roles"] = unknown
        if "admin" in row.roles:
            bad("role_not_importable")
        if not admin and set(row.roles) - {"member"}:
            bad("role_needs_admin")
        old = existing.get(row.phone)
        if old is not None and not admin and not in_scope(old.branch_id):
            bad("member_out_of_scope")
        branch_id = row.branch_id if row.branch else (old.branch_id if old else None)
        community_id = row.community_id if row.community else (old.community_id if old else None)
        if "organizer" in row.roles and branch_id is None:
            bad("role_needs_branch")
        if "liaison" in row.roles and community_id is None:
            bad("role_needs_community")
        if row.reasons:
            row.action = "refuse"
            continue
        wanted = set()
        if "organizer" in row.roles:
            wanted.add(("organizer", branch_id, None))
        if "liaison" in row.roles:
            wanted.add(("liaison", None, community_id))
        if old is None:
            row.action = "create"
            row.new_grants = sorted(wanted, key=str)
            continue
        row.user_id = old.id
        row.new_grants = sorted((g for g in wanted if (old.id, *g) not in grants), key=str)
        if row.name != old.name:
            row.changes["name"] = [old.name, row.name]
        if row.branch and row.branch_id != old.branch_id:
            row.changes["branch_id"] = [old.branch_id, row.branch_id]
        if row.community and row.community_id != old.community_id:
            row.changes["community_id"] = [old.community_id, row.community_id]
        if row.joined_on and row.joined_on != old.joined_party_on:
            row.changes["joined_party_on"] = [old.joined_party_on and old.joined_party_on.isoformat(),
                                              row.joined_on.isoformat()]
        if not old.active:
            row.changes["active"] = [False, True]  # back on the roster: reactivated
        row.left = (old.id, old.branch_id, old.branch_since)  # a branch left, for the past reports
        if row.new_grants:
            row.changes["roles_added"] = [g[0] for g in row.new_grants]
        row.action = "update" if row.changes else "unchanged"
    return rows


def missing(user: User, rows: list[Row]) -> list[Row]:
    """With "deactivate the missing": the active members of the branches the file names (and the user
    manages) whose phone is not in the file, as rows to deactivate. Never a branch the file does not name."""
    branches = sorted({r.branch_id for r in rows if r.branch_id is not None and r.action != "refuse"})
    phones = {r.phone for r in rows}
    gone = []
    for chunk in _chunks(branches):
        stmt = (select(User.id, User.name, User.phone, User.branch_id, User.branch_since,
                       Organization.name.label("branch"))
                .join(Organization, Organization.id == User.branch_id)
                .where(User.branch_id.in_(chunk), User.active.is_(True), scope_of(user).manages_org_clause(
                    User.branch_id)).order_by(Organization.path, User.name, User.id))
        for u in db.session.execute(stmt):
            if u.phone not in phones and u.id != user.id:
                gone.append(Row(number=0, name=u.name, phone=u.phone, branch=u.branch, community="", role="",
                                action="deactivate", user_id=u.id, changes={"active": [True, False]},
                                left=(u.id, u.branch_id, u.branch_since)))
    return gone


# ---------------------------------------------------------------- applying the plan

def apply(user: User, rows: list[Row], initial_password: str | None, filename: str,
          now: datetime | None = None) -> None:
    """Write the plan in one transaction; the caller has checked that no row is refused."""
    now = now or utcnow()
    creates = [r for r in rows if r.action == "create"]
    updates = [r for r in rows if r.action == "update"]
    gone = [r for r in rows if r.action == "deactivate"]
    if not creates and not updates and not gone:
        return  # the same file again: nothing to write, not even an audit row
    password_hash = hash_password(initial_password) if initial_password else UNUSABLE_PASSWORD
    try:
        if creates:
            db.session.execute(insert(User), [
                {"name": r.name, "phone": r.phone, "password_hash": password_hash, "branch_id": r.branch_id,
                 "community_id": r.community_id, "joined_party_on": r.joined_on, "active": True,
                 "session_epoch": 0, "created_at": now}
                for r in creates])
            ids = {}
            for chunk in _chunks([r.phone for r in creates]):
                ids.update(db.session.execute(select(User.phone, User.id).where(User.phone.in_(chunk))).all())
            for r in creates:
                r.user_id = ids[r.phone]
        field_updates = []
        for r in updates:
            values = {k: v[1] for k, v in r.changes.items() if k in ("name", "branch_id", "community_id", "active")}
            if "branch_id" in values or "active" in values:
                values["branch_since"] = now  # in this branch (again) from now on
            if "joined_party_on" in r.changes:
                values["joined_party_on"] = r.joined_on
            if values:
                field_updates.append({"id": r.user_id, **values})
        for keys in {tuple(sorted(u)) for u in field_updates}:  # one executemany per set of columns
            db.session.execute(update(User), [u for u in field_updates if tuple(sorted(u)) == keys])
        left = membership.past_rows([r.left for r in updates if "branch_id" in r.changes and "active" not in r.changes]
                                    + [r.left for r in gone], now, "import")
        if left:  # the branches they leave, so past reports still count them there
            db.session.execute(insert(PastMembership), left)
        if gone:  # their sessions end with the deactivation; nothing they did is deleted
            for chunk in _chunks([r.user_id for r in gone]):
                db.session.execute(update(User).where(User.id.in_(chunk))
                                   .values(active=False, session_epoch=User.session_epoch + 1))
        new_grants = [{"user_id": r.user_id, "role": role, "organization_id": org_id, "community_id": comm_id}
                      for r in creates + updates for role, org_id, comm_id in r.new_grants]
        if new_grants:
            db.session.execute(insert(RoleGrant), new_grants)
        audits = [{"actor_id": user.id, "action": "member.import.update", "object_type": "user",
                   "object_id": r.user_id, "before": {k: v[0] for k, v in r.changes.items()},
                   "after": {k: v[1] for k, v in r.changes.items()}, "reason": f"名册导入 {filename}"[:500],
                   "created_at": now} for r in updates]
        audits += [{"actor_id": user.id, "action": "member.import.deactivate", "object_type": "user",
                    "object_id": r.user_id, "before": {"active": True}, "after": {"active": False},
                    "reason": f"名册导入 {filename}：名册中已无此人"[:500], "created_at": now} for r in gone]
        audits += [{"actor_id": user.id, "action": "member.import.create", "object_type": "user",
                    "object_id": r.user_id, "before": None,
                    "after": {"name": r.name, "phone": r.phone, "branch_id": r.branch_id,
                              "community_id": r.community_id, "roles": [g[0] for g in r.new_grants],
                              "joined_party_on": r.joined_on and r.joined_on.isoformat()},
                    "reason": f"名册导入 {filename}"[:500], "created_at": now} for r in creates]
        audits.append({"actor_id": user.id, "action": "member.import", "object_type": "import", "object_id": None,
                       "before": None, "after": {"file": filename, **summary(rows)},
                       "reason": f"名册导入 {filename}"[:500], "created_at": now})
        db.session.execute(insert(AuditLog), audits)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a racing import or sign-up took a phone: run the dry run again
        raise Conflict(details={"reason": "changed_concurrently",
                                         "hint": "run the import again; rows already there will be unchanged"})


def summary(rows: list[Row]) -> dict:
    counts = {"rows": sum(r.action != "deactivate" for r in rows), "create": 0, "update": 0, "unchanged": 0,
              "refuse": 0, "deactivate": 0}
    for r in rows:
        counts[r.action] += 1
    return counts


def row_json(r: Row) -> dict:
    return {"row": r.number, "action": r.action, "name": r.name, "phone": r.phone, "branch": r.branch,
            "community": r.community, "roles": r.roles, "member_id": r.user_id, "changes": r.changes,
            "reasons": [{"code": c, "message": message(f"import_row_{c}")} for c in r.reasons],
            **({"details": r.reason_details} if r.reason_details else {})}


def run(user: User, filename: str, data: bytes, dry_run: bool, initial_password: str | None = None,
        deactivate_missing: bool = False) -> dict:
    """Dry run: the row-by-row report. Real run: the same report after applying it, or 422 with the
    refused rows and nothing written."""
    columns, rows = parse_rows(read_table(filename, data))  # outside any transaction: see the route
    with reading(db.session):  # judging only reads; the writes below take the lock for themselves
        plan(user, rows)
        if deactivate_missing:
            rows += missing(user, rows)
    counts = summary(rows)
    if not dry_run and counts["refuse"]:
        db.session.rollback()
        raise Unprocessable("import_has_errors", {"summary": counts,
                                                  "rows": [row_json(r) for r in rows if r.action == "refuse"]})
    if not dry_run:
        apply(user, rows, initial_password, filename)
    else:
        db.session.rollback()
    return {"dry_run": dry_run, "applied": not dry_run, "columns": columns, "summary": counts,
            "rows": [row_json(r) for r in rows]}


def example_names(user: User) -> tuple[str, str, bool]:
    """A branch the user may import into (the deepest one), a community, and whether the user may grant
    roles (admins only), for the template's examples."""
    managed = scope_of(user).managed_orgs()
    stmt = select(Organization.name).order_by(func.length(Organization.path).desc(), Organization.id).limit(1)
    branch = db.session.scalar(stmt if managed is None else stmt.where(Organization.id.in_(managed)))
    community = db.session.scalar(select(Community.name).order_by(Community.id).limit(1))
    return branch or "第一党支部", community or "", managed is None
