"""Helpers shared by tests: config, cleaning, a small world of organizations and people."""
import tempfile
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import psycopg
from sqlalchemy import select

from server.auth.models import Community, RoleGrant, User
from server.common.timeutil import utcnow
from server.demo import add_org
from server.events import tokens
from server.events.models import Event
from server.events.services import new_event
from server.extensions import db
from server.points.ledger import ensure_default_rules

PASSWORD = "test-password-1"
SECRET = "test-secret-key-0123456789"
_HASH: dict[str, str] = {}


def test_config(db_url: str) -> dict:
    return {
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": SECRET,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:2000", "RATELIMIT_STORAGE_URI": "swept-memory://",
        "PUBLIC_BASE_URL": "https://qd.example.cn",
        # tests check out seconds after checking in; the early check-out question has tests of its own
        "EARLY_CHECKOUT_MINUTES": 0,
        "ORG_FILES_DIR": tempfile.mkdtemp(prefix="qiandao-orgfiles-"),  # meeting attachments, never the repo's
    }


def pg_admin(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def empty_database() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    ensure_default_rules()
    db.session.commit()


class ApiClient:
    """Flask test client that sends the CSRF header the app requires on changes."""

    def __init__(self, client):
        self.client, self.csrf = client, None

    def _headers(self, kw):
        headers = dict(kw.pop("headers", {}) or {})
        if self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        return headers

    def get(self, url, **kw):
        return self.client.get(url, headers=self._headers(kw), **kw)

    def post(self, url, **kw):
        return self.client.post(url, headers=self._headers(kw), **kw)

    def patch(self, url, **kw):
        return self.client.patch(url, headers=self._headers(kw), **kw)

    def put(self, url, **kw):
        return self.client.put(url, headers=self._headers(kw), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self._headers(kw), **kw)


def _user(name, phone, branch=None, community=None, grants=()) -> User:
    from server.auth.services import hash_password
    if PASSWORD not in _HASH:
        _HASH[PASSWORD] = hash_password(PASSWORD)
    user = User(name=name, phone=phone, password_hash=_HASH[PASSWORD],
                branch_id=branch.id if branch else None, community_id=community.id if community else None)
    for role, org, comm in grants:
        user.grants.append(RoleGrant(role=role, organization_id=org.id if org else None,
                                     community_id=comm.id if comm else None))
    db.session.add(user)
    return user


def build_world() -> SimpleNamespace:
    """committee > general > (branch_a, branch_b); communities c1, c2; one user per role and scope.

    members a1..a4 are in branch_a (a1, a2 registered with c1), b1 in branch_b (registered with c2).
    """
    w = SimpleNamespace()
    w.committee = add_org("委员会", "committee")
    w.general = add_org("总支", "general_branch", w.committee)
    w.branch_a = add_org("第一支部", "branch", w.general)
    w.branch_b = add_org("第二支部", "branch", w.general)
    w.c1, w.c2 = Community(name="一号社区"), Community(name="二号社区")
    db.session.add_all([w.c1, w.c2])
    db.session.flush()
    users = {
        "admin": _user("管理员", "13800000000", grants=[("admin", None, None)]),
        "org_a": _user("甲组织者", "13800000001", w.branch_a, grants=[("organizer", w.branch_a, None)]),
        "org_b": _user("乙组织者", "13800000002", w.branch_b, grants=[("organizer", w.branch_b, None)]),
        "org_general": _user("总支组织者", "13800000003", w.general, grants=[("organizer", w.general, None)]),
        "liaison1": _user("一联络员", "13800000011", grants=[("liaison", None, w.c1)]),
        "liaison2": _user("二联络员", "13800000012", grants=[("liaison", None, w.c2)]),
        "a1": _user("甲一", "13800000101", w.branch_a, w.c1),
        "a2": _user("甲二", "13800000102", w.branch_a, w.c1),
        "a3": _user("甲三", "13800000103", w.branch_a),
        "a4": _user("甲四", "13800000104", w.branch_a),
        "b1": _user("乙一", "13800000201", w.branch_b, w.c2),
    }
    db.session.commit()
    w.ids = SimpleNamespace(**{k: u.id for k, u in users.items()})
    w.phones = SimpleNamespace(**{k: u.phone for k, u in users.items()})
    for name in ("committee", "general", "branch_a", "branch_b", "c1", "c2"):
        setattr(w, name + "_id", getattr(w, name).id)
    return w


def make_event(world, kind, start_in, hours, **fields) -> int:
    start = utcnow().replace(microsecond=0) + start_in
    host = {"host_community_id": world.c1_id} if kind == "community_duty" else {"host_org_id": world.branch_a_id}
    host.update({k: fields.pop(k) for k in ("host_org_id", "host_community_id") if k in fields})
    event = new_event(kind, fields.pop("title", f"测试{kind}"), start, start + timedelta(hours=hours), **host, **fields)
    db.session.add(event)
    db.session.commit()
    return event.id


def token_for(event_id, direction="in", at=None) -> str:
    event = db.session.get(Event, event_id)
    token, _url, _exp = tokens.issue(event, direction, at or utcnow())
    db.session.remove()
    return token


def user_id(phone: str) -> int:
    return db.session.scalar(select(User.id).where(User.phone == phone))


def iso(naive_utc) -> str:
    """A naive UTC time as the ISO string a phone would send."""
    return naive_utc.replace(tzinfo=UTC).isoformat()


def instant(iso_text: str):
    """Parse an API time back to naive UTC for comparisons."""
    return datetime.fromisoformat(iso_text).astimezone(UTC).replace(tzinfo=None)
