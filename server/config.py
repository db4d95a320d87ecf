"""Configuration read from the environment, so secrets never live in the repository."""
import logging
import os
import secrets
import time

log = logging.getLogger(__name__)
DEV_SECRET_FILE = "secret_key"  # in the instance folder, for development only


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the config dict; overrides (tests) win over the environment."""
    env = os.environ.get("APP_ENV", "development")
    default_db = "sqlite:///" + os.path.join(instance_path, "qiandao.db")
    base_url = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    cfg = {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "PUBLIC_BASE_URL": base_url,
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "QR_ROTATE_SECONDS": _int("QR_ROTATE_SECONDS", 20),
        "SCAN_CLOCK_SKEW_SECONDS": _int("SCAN_CLOCK_SKEW_SECONDS", 120),
        # A delayed scan (sent after it was made: no network, a sign-in first) counts at once within
        # this grace; later, it waits for the organizer's review instead of being refused.
        "SCAN_OFFLINE_GRACE_SECONDS": _int("SCAN_OFFLINE_GRACE_SECONDS", 300),
        "SCAN_RATE_LIMIT": os.environ.get("SCAN_RATE_LIMIT", "30/minute"),
        "LOGIN_RATE_LIMIT_PHONE": os.environ.get("LOGIN_RATE_LIMIT_PHONE", "5/15minutes"),
        "LOGIN_RATE_LIMIT_ADDR": os.environ.get("LOGIN_RATE_LIMIT_ADDR", "30/15minutes"),
        # One-time account codes (activation slips, join QR, reset codes): failed tries per address, and per code.
        "CODE_RATE_LIMIT_ADDR": os.environ.get("CODE_RATE_LIMIT_ADDR", "20/15minutes"),
        "CODE_RATE_LIMIT_CODE": os.environ.get("CODE_RATE_LIMIT_CODE", "5/15minutes"),
        "HELP_RATE_LIMIT_ADDR": os.environ.get("HELP_RATE_LIMIT_ADDR", "30/hour"),  # an office shares one address
        "HELP_RATE_LIMIT_PHONE": os.environ.get("HELP_RATE_LIMIT_PHONE", "3/hour"),
        # Where a reset code goes: "staff" shows it once to the staff member (an SMS sender can be added).
        "RESET_CODE_SENDER": os.environ.get("RESET_CODE_SENDER", "staff"),
        "GEOFENCE_ACCURACY_CAP_M": _float("GEOFENCE_ACCURACY_CAP_M", 100.0),
        "MAX_BODY_BYTES": _int("MAX_BODY_BYTES", 1024 * 1024),
        "MAX_IMPORT_BYTES": _int("MAX_IMPORT_BYTES", 12 * 1024 * 1024),  # the importer reads up to 10 MB
        "ORG_FILES_DIR": os.environ.get("ORG_FILES_DIR", ""),  # meeting attachments; default <instance>/orgfiles
        "ORG_FILE_MAX_BYTES": _int("ORG_FILE_MAX_BYTES", 5 * 1024 * 1024),
        "EARLY_CHECKOUT_MINUTES": _int("EARLY_CHECKOUT_MINUTES", 10),
        "HOURS_STEP": _float("HOURS_STEP", 0.5),
        "CLOSE_EVENTS_GRACE_MINUTES": _int("CLOSE_EVENTS_GRACE_MINUTES", 0),
        "COMMUNITY_MIN_HOURS_PER_YEAR": _float("COMMUNITY_MIN_HOURS_PER_YEAR", 50.0),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        # Without Redis, counters live in one file that every worker of this machine shares.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "machine-file://" + os.environ.get(
            "THROTTLE_FILE", os.path.join(instance_path, "throttle.db")),
        "RATELIMIT_HEADERS_ENABLED": False,
        # A Redis outage must not refuse logins or scans: count in memory until it returns.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": ({"key_prefix": os.environ["RATELIMIT_KEY_PREFIX"]}
                                      if os.environ.get("RATELIMIT_KEY_PREFIX") else {}),
        "TRUSTED_PROXY_HOPS": _int("TRUSTED_PROXY_HOPS", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "qiandao_session",
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_DAYS", 180) * 86400,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "API_TITLE": "Qiandao API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": None,
        "OPENAPI_REDOC_PATH": None,
        "JSON_AS_ASCII": False,
    }
    cfg.update(overrides or {})
    cfg["PUBLIC_BASE_URL"] = cfg["PUBLIC_BASE_URL"].rstrip("/")
    cfg.setdefault("SESSION_COOKIE_SECURE", cfg["PUBLIC_BASE_URL"].startswith("https://"))
    if not cfg["SECRET_KEY"]:
        if cfg["APP_ENV"] != "development":
            raise RuntimeError(f"SECRET_KEY must be set (APP_ENV={cfg['APP_ENV']}): refusing to start with no "
                               "secret, since sessions and QR codes are signed with it")
        cfg["SECRET_KEY"] = development_secret(instance_path)
    return cfg


def development_secret(instance_path: str) -> str:
    """A random key kept in the instance folder, never a constant from the source: a forgotten
    SECRET_KEY in development still signs with something nobody else knows. Workers racing to
    create it all read the one that was written first."""
    path = os.path.join(instance_path, DEV_SECRET_FILE)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        log.warning("SECRET_KEY is not set: created a random development key in %s", path)
    for _ in range(50):  # another worker may be between creating and writing it
        with open(path) as fh:
            key = fh.read().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")
