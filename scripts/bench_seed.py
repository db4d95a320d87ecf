"""Seed a benchmark database through the app's own models (run by scripts/bench.py).

    python scripts/bench_seed.py DATABASE_URL SECRET_KEY OUT.json [--members N] [--scan-events N]

Creates the schema, one branch with an organizer, N members sharing ONE precomputed password
hash (a cheap pbkdf2 one, so logging thousands of members in is not the benchmark), a few
rotating party-day events open now for the scan load, and one event with an attendance for every
member (the organizer's attendance list of 10,000). Writes what the driver needs as JSON.
"""
import argparse
import json
import os
import sys
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "bench-password-1"
HASH_METHOD = "pbkdf2:sha256:1000"
MEMBER_PHONE = "170{:08d}"
ORGANIZER_PHONE = "16900000001"


def seed(url: str, secret: str, members: int, scan_events: int) -> dict:
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from server import create_app
    from server.attendance.models import Attendance
    from server.auth.models import RoleGrant, User
    from server.common.timeutil import utcnow
    from server.demo import add_org
    from server.events.services import new_event
    from server.extensions import db
    from server.points.ledger import ensure_default_rules

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context():
        db.create_all()
        ensure_default_rules()
        committee = add_org("基准测试工委", "committee")
        general = add_org("基准测试总支", "general_branch", committee)
        branch = add_org("基准测试支部", "branch", general)
        pw_hash = generate_password_hash(PASSWORD, method=HASH_METHOD)  # one hash, shared by everyone
        organizer = User(name="基准组织者", phone=ORGANIZER_PHONE, password_hash=pw_hash, branch_id=branch.id)
        organizer.grants.append(RoleGrant(role="organizer", organization_id=branch.id))
        db.session.add(organizer)
        db.session.flush()
        db.session.execute(insert(User), [
            {"name": f"党员{i:05d}", "phone": MEMBER_PHONE.format(i), "password_hash": pw_hash,
             "branch_id": branch.id, "active": True, "session_epoch": 0}
            for i in range(members)])
        now = utcnow().replace(microsecond=0)
        scan_ids = []
        for i in range(scan_events):
            event = new_event("party_day", f"基准主题党日 {i + 1}", now - timedelta(minutes=10),
                              now + timedelta(hours=3), host_org_id=branch.id, place_name="党群服务中心",
                              created_by_id=organizer.id)
            db.session.add(event)
            db.session.flush()
            scan_ids.append(event.id)
        listed = new_event("party_day", "基准：一万人的主题党日", now - timedelta(hours=2), now - timedelta(hours=1),
                           host_org_id=branch.id, place_name="体育馆", created_by_id=organizer.id)
        db.session.add(listed)
        db.session.flush()
        member_ids = db.session.scalars(db.select(User.id).where(User.phone.like("170%")).order_by(User.id)).all()
        at = listed.starts_at - timedelta(minutes=5)
        db.session.execute(insert(Attendance), [
            {"event_id": listed.id, "user_id": uid, "state": "checked_in",
             "checkin_at": at + timedelta(seconds=n % 1200), "checkin_method": "qr",
             "late": n % 1200 > 600, "note": "", "version": 1, "created_at": now, "updated_at": now}
            for n, uid in enumerate(member_ids)])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        out = {"password": PASSWORD, "organizer_phone": ORGANIZER_PHONE,
               "member_phones": [MEMBER_PHONE.format(i) for i in range(members)],
               "scan_event_ids": scan_ids, "attendance_event_id": listed.id,
               "attendance_rows": len(member_ids), "rotate_seconds": app.config["QR_ROTATE_SECONDS"]}
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("secret")
    ap.add_argument("out")
    ap.add_argument("--members", type=int, default=10_000)
    ap.add_argument("--scan-events", type=int, default=8)
    args = ap.parse_args()
    result = seed(args.url, args.secret, args.members, args.scan_events)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
