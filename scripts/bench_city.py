"""Evaluation at city scale (issue 14): seeds a city's year (scripts/city_seed.py: 60 organs, 1,000 branches,
50,000 members, over a million attendance rows) in a fresh SQLite file and a fresh PostgreSQL database, serves
it with gunicorn's production settings, and times through HTTP (median of 5 after one warm-up): the whole
city's rating for the year, an organ's league table, one branch's breakdown, the live board with 500 open
events (fresh, then unchanged), and the participation report of the biggest organ. Run by
`scripts/bench city`; prints a table with each figure's ratio to its target."""
import argparse
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import city_seed  # noqa: E402
import requests  # noqa: E402
from bench import WORK, Database, Gunicorn, app_env, log  # noqa: E402

ADMIN_PHONE, ADMIN_PASSWORD = "16900000009", "bench-admin-password"
TARGETS_MS = {"sqlite": {"city rating": 5000}, "postgres": {"city rating": 2000}}
PAGE_MS, BOARD_MS = 300, 100


def add_admin(url: str, secret: str) -> None:
    from server import create_app
    from server.auth.services import create_user
    from server.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context():
        create_user("管理员", ADMIN_PHONE, ADMIN_PASSWORD, grants=[("admin", None, None)])
        db.session.commit()
        db.engine.dispose()


def timed(session: requests.Session, url: str, runs: int = 5) -> tuple[float, dict | None]:
    """Median milliseconds of `runs` GETs after one warm-up, and the last answer."""
    resp = session.get(url, timeout=300)
    assert resp.status_code == 200, (url, resp.status_code, resp.text[:300])
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        resp = session.get(url, timeout=300)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    body = resp.json() if resp.headers.get("Content-Type", "").startswith("application/json") else None
    return statistics.median(times), body


def run(backend: str, args) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    db, secret = Database(backend, args.pg), secrets.token_hex(32)
    try:
        log(f"{backend}: seeding {args.branches} branches × {args.members_per} members")
        seeded = city_seed.run(db.url, args.branches, args.members_per, secret=secret)
        add_admin(db.url, secret)
        log(f"{backend}: seeded in {seeded['seconds']} s: {seeded['rows']}")
        server = Gunicorn("wsgi:app", app_env(db.url, secret, None), f"city_{backend}", "/healthz", None)
        try:
            s = requests.Session()
            me = s.post(server.url + "/api/v1/auth/login", json={"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD})
            s.headers["X-CSRF-Token"] = me.json()["csrf_token"]
            api, year = server.url + "/api/v1", seeded["year"]
            rows = {}
            rows["city rating"], city = timed(s, f"{api}/evaluation/ratings?year={year}&org_id={seeded['root_org']}",
                                              runs=3)
            rows["organ league table"], _ = timed(s, f"{api}/evaluation/ratings?year={year}"
                                                     f"&org_id={seeded['biggest_organ']}")
            rows["branch breakdown"], _ = timed(s, f"{api}/evaluation/ratings/{seeded['a_branch']}?year={year}")
            rows["live board"], board = timed(s, f"{api}/evaluation/live?org_id={seeded['root_org']}")
            rows["live board, unchanged"], _ = timed(s, f"{api}/evaluation/live?org_id={seeded['root_org']}"
                                                        f"&since={board['cursor']}")
            rows["participation, biggest organ"], _ = timed(s, f"{api}/reports/participation?org_id="
                                                               f"{seeded['biggest_organ']}&month={year}-06")
            return {"backend": db.version(), "seed_s": seeded["seconds"], "rows": seeded["rows"], "times": rows,
                    "branches_rated": len(city["rows"]), "open_events": len(board["events"]),
                    "distribution": city["distribution"], "workers": f"{server.nworkers} × {server.worker_class}",
                    "kind": backend}
        finally:
            server.stop()
    finally:
        db.drop()


def target(kind: str, label: str) -> float:
    if label.startswith("live board"):
        return BOARD_MS
    return TARGETS_MS[kind].get(label, PAGE_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members-per", type=int, default=50)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results = [run(backend, args) for backend in args.backends]
    for r in results:
        print(f"\n{r['backend']} · {r['workers']} · seeded in {r['seed_s']} s: "
              f"{r['rows']['attendance']:,} attendance rows, {r['rows']['events']:,} events, "
              f"{r['rows']['users']:,} members; {r['branches_rated']} branches rated, stars {r['distribution']}, "
              f"{r['open_events']} events on the live board")
        print(f"  {'what':<32} {'median ms':>10} {'target ms':>10} {'ratio':>7}")
        for label, ms in r["times"].items():
            goal = target(r["kind"], label)
            print(f"  {label:<32} {ms:>10.0f} {goal:>10.0f} {ms / goal:>7.2f}")


if __name__ == "__main__":
    main()
