"""CPU per scan in one process, without HTTP: the quick loop for profiling the scan path.

    .venv/bin/python scripts/profile_scan.py                    SQLite file, 2,000 scans
    .venv/bin/python scripts/profile_scan.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python scripts/profile_scan.py --profile          also print cProfile's top functions

Seeds a fresh database with scripts/bench_seed.py, signs members in through the app, then sends
scans through Flask's test client (a WSGI call, no socket) and prints milliseconds per scan next to
a bare GET /healthz in the same process (each the fastest of five rounds), so the ratio can be
compared between code versions.
scripts/bench remains the measure under gunicorn; this is for finding where a scan's time goes.
"""
import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def reset_postgres(url: str) -> None:
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="database URL (default: a new SQLite file); PostgreSQL is wiped")
    ap.add_argument("--scans", type=int, default=2000)
    ap.add_argument("--profile", action="store_true", help="print cProfile's top functions of the scan loop")
    ap.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime)")
    ap.add_argument("--top", type=int, default=45)
    args = ap.parse_args()

    import bench_seed

    from server import create_app
    from server.common import qrtoken

    secret = "profile-" + uuid.uuid4().hex
    url = args.db or "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="qiandao-prof-"), "prof.db")
    if url.startswith("postgres"):
        reset_postgres(url)
    seed = bench_seed.seed(url, secret, members=args.scans, scan_events=1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "SCAN_RATE_LIMIT": "1000/minute"})
    window = int(time.time()) // seed["rotate_seconds"]
    token = qrtoken.sign(secret, qrtoken.Token(qrtoken.PURPOSE_EVENT, seed["scan_event_ids"][0], 1, window, "in",
                                               False))

    clients = []
    for phone in seed["member_phones"][: args.scans]:
        client = app.test_client()
        res = client.post("/api/v1/auth/login", json={"phone": phone, "password": seed["password"]},
                          headers={"X-CSRF-Token": "x"})
        csrf = res.get_json()["csrf_token"]
        clients.append((client, csrf))

    def bare(n: int) -> float:
        client, rounds = clients[0][0], []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(n):
                client.get("/healthz")
            rounds.append((time.perf_counter() - start) / n * 1000)
        return min(rounds)

    def scans() -> tuple[float, dict]:
        """The fastest of five rounds (each a fifth of the members), so a noisy neighbour shows less."""
        statuses: dict[int, int] = {}
        rounds = []
        for part in range(5):
            batch = clients[part::5]
            start = time.perf_counter()
            for client, csrf in batch:
                res = client.post("/api/v1/scans", json={"token": token, "client_scan_id": str(uuid.uuid4())},
                                  headers={"X-CSRF-Token": csrf})
                statuses[res.status_code] = statuses.get(res.status_code, 0) + 1
            rounds.append((time.perf_counter() - start) / len(batch) * 1000)
        return min(rounds), statuses

    bare_ms = bare(200)
    if args.profile:
        profiler = cProfile.Profile()
        scan_ms, statuses = profiler.runcall(scans)
    else:
        scan_ms, statuses = scans()
    print(f"backend {url.split(':', 1)[0]}; {len(clients)} scans: {scan_ms:.3f} ms each, statuses {statuses}; "
          f"GET /healthz {bare_ms:.3f} ms; ratio {bare_ms / scan_ms:.3f}")
    if args.profile:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
