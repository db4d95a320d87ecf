"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app` (scripts/serve uses it)."""
import multiprocessing
import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

# Threaded workers: requests are short database transactions, but a slow client (weak mobile data, or
# someone trickling headers on purpose) holds whatever reads its request. With sync workers five slow
# connections took the app as scripts/serve starts it (nothing in front) down; with gthread they hold five
# of workers x threads, and idle keep-alive connections wait in the worker's poller, holding none. A real
# deployment still puts HTTPS (nginx, Caddy) in front, which also buffers slow clients.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("WEB_THREADS") or 4)
# A worker takes a connection only while it has a free thread, so a request never queues behind a slow
# client another thread is reading; the price is no keep-alive (idle connections would hold threads), which
# the proxy in front of a real deployment gives back to the phones.
worker_connections = threads
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
