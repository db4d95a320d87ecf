"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app` (scripts/serve uses it)."""
import multiprocessing
import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

# Sync workers: requests are short database transactions. Put HTTPS (nginx, Caddy) in front
# in a real deployment; it also buffers slow mobile clients so they do not hold a worker.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
timeout = 30
graceful_timeout = 30
keepalive = 5

# Each worker builds its own app and database connections after the fork.
preload_app = False

# Heartbeat files in memory, so a busy disk never makes gunicorn think a worker hung
# (gunicorn's own advice; the files hold no data, so a shared directory is fine).
SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(SHM):
    worker_tmp_dir = SHM

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "qiandao"

# No gunicornc control socket: its default path is per user, so two servers would share it.
control_socket_disable = True


def post_worker_init(worker):
    """scripts/serve's banner, printed once the first worker has loaded the app and can answer."""
    banner = os.environ.get("QIANDAO_BANNER")
    if banner and worker.age == 1:
        print(banner, flush=True)
