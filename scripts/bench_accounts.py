"""Onboarding a city organ, timed through the API (issue 12): a roster of N members imported (XLSX, dry run
then real run), activation slips printed for the branch, and every member activating with their slip's code
(name, phone, a new password hashed with the production setting), on SQLite and PostgreSQL, against gunicorn
with the production configuration.

    .venv/bin/python scripts/bench_accounts.py [--members 2000] [--parallel 8] [--backends sqlite postgres]

Prints a table of seconds per step and activations per second; the password hash (scrypt by default) is
what the activations cost, so the last column is the same hash timed alone in one process."""
import argparse
import io
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import requests  # noqa: E402
from bench import WORK, Database, Gunicorn, app_env, log  # noqa: E402

ADMIN_PHONE, ADMIN_PASSWORD = "16900000009", "bench-admin-password"
BRANCH = "市直机关第一党支部"


def seed(url: str, secret: str) -> None:
    """Schema, one branch and one admin (the one who imports)."""
    from server import create_app
    from server.auth.services import create_user
    from server.demo import add_org
    from server.extensions import db
    from server.points.ledger import ensure_default_rules
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context():
        db.create_all()
        ensure_default_rules()
        committee = add_org("市直机关工委", "committee")
        add_org(BRANCH, "branch", committee)
        create_user("管理员", ADMIN_PHONE, ADMIN_PASSWORD, grants=[("admin", None, None)])
        db.session.commit()
        db.engine.dispose()


def roster(n: int) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "手机号", "支部"])
    for i in range(n):
        ws.append([f"党员{i:05d}", f"1880000{i:04d}", BRANCH])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hash_alone(count: int = 20) -> float:
    """Seconds for one production password hash, in this process."""
    from werkzeug.security import generate_password_hash
    started = time.perf_counter()
    for _ in range(count):
        generate_password_hash("bench-password-1", method="scrypt")
    return (time.perf_counter() - started) / count


def run(backend: str, members: int, parallel: int, pg_admin_url: str) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    db, secret = Database(backend, pg_admin_url), secrets.token_hex(32)
    seed(db.url, secret)
    server = Gunicorn("wsgi:app", {**app_env(db.url, secret, None), "CODE_RATE_LIMIT_ADDR": "1000000/minute"},
                      f"accounts_{backend}", "/healthz", None)
    try:
        s = requests.Session()
        me = s.post(server.url + "/api/v1/auth/login", json={"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD})
        s.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        data, out = roster(members), {"backend": db.version(), "members": members}
        for step, dry in (("import_dry_s", "true"), ("import_s", "false")):
            started = time.perf_counter()
            resp = s.post(server.url + "/api/v1/members/import", data={"dry_run": dry},
                          files={"file": ("roster.xlsx", data)}, timeout=300)
            out[step] = time.perf_counter() - started
            assert resp.status_code == 200 and resp.json()["summary"]["create"] == members, resp.text[:300]
        branch_id = next(o["id"] for o in s.get(server.url + "/api/v1/organizations?managed=true").json()
                         if o["name"] == BRANCH)
        started = time.perf_counter()
        slips = s.post(server.url + f"/api/v1/organizations/{branch_id}/activation-slips", json={"days": 14},
                       timeout=300).json()["slips"]
        out["slips_s"] = time.perf_counter() - started
        assert len(slips) == members

        def activate(slip: dict) -> int:
            phone = f"1880000{int(slip['name'][2:]):04d}"
            return requests.post(server.url + f"/api/v1/codes/{slip['code']}/redeem", timeout=120, json={
                "name": slip["name"], "phone": phone, "password": "my-own-password-1"}).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(parallel) as pool:
            codes = list(pool.map(activate, slips))
        out["activate_s"] = time.perf_counter() - started
        out["activations_per_s"] = members / out["activate_s"]
        assert codes.count(200) == members, {c: codes.count(c) for c in set(codes)}
        status = s.get(server.url + f"/api/v1/organizations/{branch_id}/activation").json()
        assert status["activated"] == members, status
        out["workers"] = f"{server.nworkers} × {server.worker_class}"
        return out
    finally:
        server.stop()
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--parallel", type=int, default=8, help="phones activating at once")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    one_hash = hash_alone()
    rows = []
    for backend in args.backends:
        log(f"{backend}: {args.members} members")
        rows.append(run(backend, args.members, args.parallel, args.pg))
    print(f"\nOnboarding {args.members} members through the API ({args.parallel} phones at once); "
          f"one scrypt hash alone: {one_hash * 1000:.0f} ms")
    print(f"{'database':<28} {'import dry':>10} {'import':>8} {'slips':>7} {'activate all':>13} {'per s':>7}  workers")
    for r in rows:
        print(f"{r['backend'][:28]:<28} {r['import_dry_s']:>9.2f}s {r['import_s']:>7.2f}s {r['slips_s']:>6.2f}s "
              f"{r['activate_s']:>12.1f}s {r['activations_per_s']:>7.1f}  {r['workers']}")


if __name__ == "__main__":
    main()
