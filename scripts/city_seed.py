"""A whole city's year, for the evaluation benchmark (scripts/bench_city.py): a committee, ORGANS organs,
BRANCHES branches of MEMBERS_PER members (committee members, two Party groups each, most registered with one
of 200 communities), a full year of Party days and 三会一课 (some months missed), their attendance (present,
excused on approved leave, or absent), meeting records (most approved in time), volunteer services and
community duties with confirmed hours, points, and today's Party days open in half of the branches.

    python scripts/city_seed.py DATABASE_URL [--branches 1000] [--members-per 50] [--year 2025]

Everything goes in with explicit ids and executemany inserts in chunks, on a fresh database."""
import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CHUNK = 5000


def run(url: str, branches: int = 1000, members_per: int = 50, organs: int = 60, year: int | None = None,
        open_now: int = 500, secret: str | None = None) -> dict:
    from sqlalchemy import insert, text
    from werkzeug.security import generate_password_hash

    from server import create_app
    from server.attendance.models import Attendance
    from server.auth.models import Community, Organization, PartyGroup, RoleGrant, User
    from server.common.timeutil import local_zone, to_utc_naive, utcnow
    from server.events.kinds import KINDS, codes_where
    from server.events.models import Event
    from server.extensions import db
    from server.orglife.models import LeaveRequest, MeetingRecord
    from server.points.ledger import ensure_default_rules
    from server.points.models import PointsEntry

    rnd = random.Random(42)
    now = utcnow().replace(microsecond=0)
    year = year or now.year - 1
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret or os.urandom(16).hex()})
    counts: dict[str, int] = {}
    started = time.perf_counter()

    def local(y, m, d, h=9):
        return to_utc_naive(datetime(y, m, d, h, tzinfo=local_zone()))

    def put(model, rows):
        for i in range(0, len(rows), CHUNK):
            db.session.execute(insert(model), rows[i:i + CHUNK])
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)

    with app.app_context():
        db.create_all()
        ensure_default_rules()
        orgs = [{"id": 1, "name": "市直机关工委", "level": "committee", "parent_id": None, "path": "/1/"}]
        orgs += [{"id": 2 + o, "name": f"第{o + 1}机关党委", "level": "general_branch", "parent_id": 1,
                  "path": f"/1/{2 + o}/"} for o in range(organs)]
        first_branch = 2 + organs
        branch_ids = list(range(first_branch, first_branch + branches))
        orgs += [{"id": b, "name": f"第{b - first_branch + 1}党支部", "level": "branch",
                  "parent_id": 2 + (b - first_branch) % organs, "path": f"/1/{2 + (b - first_branch) % organs}/{b}/"}
                 for b in branch_ids]
        put(Organization, orgs)
        put(Community, [{"id": c, "name": f"第{c}社区", "address": ""} for c in range(1, 201)])
        groups = [{"id": 2 * i + g + 1, "branch_id": b, "name": f"第{g + 1}党小组"}
                  for i, b in enumerate(branch_ids) for g in range(2)]
        put(PartyGroup, groups)
        cheap = generate_password_hash("city-password-1", method="pbkdf2:sha256:1000")
        users, grants, roster = [], [], {}
        uid = 1
        for i, b in enumerate(branch_ids):
            roster[b] = []
            for k in range(members_per):
                users.append({"id": uid, "name": f"党员{uid}", "phone": f"15{uid:09d}", "password_hash": cheap,
                              "branch_id": b, "community_id": rnd.randint(1, 200) if rnd.random() < 0.7 else None,
                              "is_committee": k < 5, "party_group_id": 2 * i + (k % 2) + 1,
                              "joined_party_on": date(1980 + uid % 40, 1 + uid % 12, 1 + uid % 28), "active": True,
                              "session_epoch": 0, "card_version": 1})
                roster[b].append((uid, k < 5, 2 * i + (k % 2) + 1))
                if k == 0:
                    grants.append({"user_id": uid, "role": "organizer", "organization_id": b, "community_id": None})
                uid += 1
        put(User, users)
        put(RoleGrant, grants)
        community_of = {u["id"]: u["community_id"] for u in users}

        monthly_all = codes_where(audience="organization", min_per=("month", 1))
        quarterly_all = codes_where(audience="organization", min_per=("quarter", 1))
        committee = codes_where(audience="committee")
        group = codes_where(audience="group")
        events, attendance, records, leaves = [], [], [], []
        eid = 1

        def event(kind, title, start, host_org_id=None, host_community_id=None, hours=2, status="published",
                  party_group_id=None):
            nonlocal eid
            behaviour = KINDS[kind]
            events.append({"id": eid, "kind": kind, "title": title, "starts_at": start,
                           "ends_at": start + timedelta(hours=hours), "window_opens_at": start - timedelta(minutes=30),
                           "window_closes_at": start + timedelta(hours=hours, minutes=30), "host_org_id": host_org_id,
                           "host_community_id": host_community_id, "audience": behaviour.audience,
                           "party_group_id": party_group_id, "requires_checkout": behaviour.records_hours,
                           "requires_confirmation": behaviour.needs_confirmation, "status": status})
            eid += 1
            return eid - 1

        keen = tidy = 0.0  # this branch's habits: how many come, how many records are approved (set per branch)

        def attend(event_id, start, who, present=None, excused=0.03):
            present = keen if present is None else present
            for user_id in who:
                r = rnd.random()
                if r < excused:
                    attendance.append({"event_id": event_id, "user_id": user_id, "state": "excused",
                                       "checkin_at": None, "checkin_method": None, "late": False})
                    leaves.append({"event_id": event_id, "user_id": user_id, "reason": "出差", "status": "approved",
                                   "decided_at": start - timedelta(days=1), "created_at": start - timedelta(days=2)})
                elif r < excused + present:
                    attendance.append({"event_id": event_id, "user_id": user_id, "state": "checked_in",
                                       "checkin_at": start + timedelta(minutes=rnd.randint(-20, 8)),
                                       "checkin_method": "qr", "late": False})

        def record(event_id, start):
            r = rnd.random()
            if r < tidy:
                late = r >= tidy - 0.1
                records.append({"event_id": event_id, "topic": "会议", "status": "approved",
                                "approved_at": start + timedelta(days=20 if late else 2)})

        for b in branch_ids:
            members = roster[b]
            everyone = [m[0] for m in members]
            keen, tidy = rnd.uniform(0.7, 0.98), rnd.uniform(0.6, 1.0)  # branches differ: the stars spread
            skip = rnd.randint(1, 12) if rnd.random() < 0.3 else None  # a missed month: overdue on the calendar
            for month in range(1, 13):
                if month != skip:
                    for kind in monthly_all:
                        start = local(year, month, 10)
                        attend(event(kind, f"{month}月主题党日", start, b), start, everyone)
                        record(eid - 1, start)
                for kind in committee:
                    start = local(year, month, 5)
                    attend(event(kind, f"{month}月支委会", start, b), start, [m[0] for m in members if m[1]])
                    record(eid - 1, start)
                for kind in group:
                    for g in sorted({m[2] for m in members}):
                        start = local(year, month, 15)
                        attend(event(kind, f"{month}月党小组会", start, b, party_group_id=g), start,
                               [m[0] for m in members if m[2] == g])
                        record(eid - 1, start)
                if month % 3 == 2:
                    for kind in quarterly_all:
                        start = local(year, month, 20)
                        attend(event(kind, f"{month}月会议", start, b), start, everyone)
                        record(eid - 1, start)
            for q in range(4):  # volunteer services with confirmed hours
                start = local(year, 3 * q + 2, 25, 14)
                vid = event(codes_where(host="organization", records_hours=True)[0], "志愿服务", start, b, hours=3)
                for user_id in rnd.sample(everyone, min(15, len(everyone))):
                    attendance.append({"event_id": vid, "user_id": user_id, "state": "confirmed",
                                       "checkin_at": start, "checkin_method": "qr", "late": False,
                                       "checkout_at": start + timedelta(hours=3), "hours_confirmed": 3.0})
        by_community: dict[int, list[int]] = {}
        for user_id, community in community_of.items():
            if community:
                by_community.setdefault(community, []).append(user_id)
        for community, people in by_community.items():  # community duties (双报到) with confirmed hours
            for month in range(1, 13):
                start = local(year, month, 18, 9)
                did = event(codes_where(host="community")[0], "社区值守", start, host_community_id=community, hours=4)
                for user_id in rnd.sample(people, min(30, len(people))):
                    attendance.append({"event_id": did, "user_id": user_id, "state": "confirmed", "checkin_at": start,
                                       "checkin_method": "qr", "late": False,
                                       "checkout_at": start + timedelta(hours=4), "hours_confirmed": 4.0})
        live_start = now - timedelta(minutes=30)
        for b in branch_ids[:open_now]:  # today's Party days, open now, for the live board
            lid = event(monthly_all[0], "今日主题党日", live_start, b)
            attend(lid, live_start, [m[0] for m in roster[b]], present=0.6, excused=0.02)
        for row in attendance:
            row.setdefault("checkout_at", None)
            row.setdefault("hours_confirmed", None)
        put(Event, events)
        put(Attendance, attendance)
        put(MeetingRecord, records)
        put(LeaveRequest, leaves)
        year_mid = local(year, 6, 30)
        put(PointsEntry, [{"user_id": u["id"], "amount": rnd.randint(20, 80), "rule_code": "city",
                           "entry_type": "adjust", "created_at": year_mid} for u in users])
        if db.engine.dialect.name == "postgresql":
            for table in ("organizations", "communities", "party_groups", "users", "events"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                        f"(SELECT max(id) FROM {table}))"))  # our own table names
        db.session.commit()
        with db.engine.begin() as conn:  # the planner's statistics, as the close-events cron keeps them
            conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    return {"seconds": round(time.perf_counter() - started, 1), "year": year, "rows": counts,
            "organizers": [g["user_id"] for g in grants[:1]], "root_org": 1, "biggest_organ": 2,
            "a_branch": branch_ids[0]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members-per", type=int, default=50)
    parser.add_argument("--year", type=int, default=None)
    args = parser.parse_args()
    print(run(args.url, args.branches, args.members_per, year=args.year))
