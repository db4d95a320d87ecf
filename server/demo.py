"""Demo data: one branch tree, one community, the README's accounts and a few events."""
from datetime import timedelta

from sqlalchemy import func, select

from server.auth.models import Community, Organization, User
from server.auth.services import create_user, hash_password
from server.common.timeutil import utcnow
from server.community.demo import seed_community_demo
from server.evaluation.demo import seed_evaluation_demo
from server.events.services import new_event
from server.extensions import db
from server.hours.demo_data import seed_hours_demo
from server.orglife.demo import seed_orglife_demo
from server.points.ledger import ensure_default_rules

DEMO_PASSWORD = "qiandao-demo"
ADMIN, ORGANIZER, LIAISON = "13900000000", "13900000001", "13900000002"


def add_org(name: str, level: str, parent: Organization | None = None) -> Organization:
    """Insert an organization and set its materialised path."""
    org = Organization(name=name, level=level, parent_id=parent.id if parent else None)
    db.session.add(org)
    db.session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    return org


def seed() -> str:
    if db.session.scalar(select(func.count()).select_from(User)):
        return "database already has data: demo not loaded"
    ensure_default_rules()
    committee = add_org("市直机关工委", "committee")
    general = add_org("市民政局机关党总支", "general_branch", committee)
    branch = add_org("市民政局第一党支部", "branch", general)
    community = Community(name="幸福里社区", address="幸福路 88 号")
    db.session.add(community)
    db.session.flush()
    create_user("管理员", ADMIN, DEMO_PASSWORD, grants=[("admin", None, None)])
    create_user("王书记", ORGANIZER, DEMO_PASSWORD, branch_id=branch.id, grants=[("organizer", branch.id, None)])
    create_user("李联络员", LIAISON, DEMO_PASSWORD, grants=[("liaison", None, community.id)])
    pw = hash_password(DEMO_PASSWORD)
    surnames = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    for i in range(1, 31):
        db.session.add(User(name=f"{surnames[i - 1]}党员{i:02d}", phone=f"139000001{i:02d}", password_hash=pw,
                            branch_id=branch.id, community_id=community.id if i <= 15 else None))
    now = utcnow().replace(second=0, microsecond=0)
    organizer = db.session.scalar(select(User).where(User.phone == ORGANIZER))
    events = [
        ("party_day", "十一月主题党日：学习贯彻全会精神", now + timedelta(minutes=10), 2, branch.id, None),
        ("volunteer_service", "社区环境清洁志愿服务", now - timedelta(minutes=30), 3, branch.id, None),
        ("community_duty", "幸福里社区疫苗接种点值守", now - timedelta(minutes=20), 4, None, community.id),
        ("party_day", "十二月主题党日：党史学习", now + timedelta(days=14), 2, branch.id, None),
        ("volunteer_service", "敬老院陪伴志愿服务", now + timedelta(days=3), 3, branch.id, None),
        ("community_duty", "幸福里社区垃圾分类督导", now + timedelta(days=5), 2, None, community.id),
    ]
    for kind, title, start, hours, org_id, comm_id in events:
        db.session.add(new_event(kind, title, start, start + timedelta(hours=hours), org_id, comm_id,
                                 place_name="幸福里社区党群服务中心", created_by_id=organizer.id))
    db.session.commit()
    community_note = seed_community_demo()
    hours_note = seed_hours_demo()
    orglife_note = seed_orglife_demo()
    evaluation_note = seed_evaluation_demo(DEMO_PASSWORD)
    return (f"demo loaded: admin {ADMIN}, organizer {ORGANIZER}, liaison {LIAISON}, "
            f"members 13900000101-13900000130; password {DEMO_PASSWORD}; {community_note}; {hours_note}; "
            f"{orglife_note}; {evaluation_note}")


def create_user_cli(name, phone, password, role, org_id, community_id) -> str:
    """Create a user from the command line; a bad scope or a taken phone is a clear error."""
    import click
    if db.session.scalar(select(User.id).where(User.phone == phone)):
        raise click.ClickException(f"phone {phone} is already registered")
    if role == "organizer" and not org_id:
        raise click.ClickException("an organizer needs --org (the organization they run)")
    if role == "liaison" and not community_id:
        raise click.ClickException("a liaison needs --community (the community they serve)")
    if org_id and db.session.get(Organization, org_id) is None:
        raise click.ClickException(f"no organization with id {org_id}")
    if community_id and db.session.get(Community, community_id) is None:
        raise click.ClickException(f"no community with id {community_id}")
    grants = {"organizer": [("organizer", org_id, None)], "liaison": [("liaison", None, community_id)],
              "admin": [("admin", None, None)]}.get(role, [])
    user = create_user(name, phone, password, branch_id=org_id if role in ("member", "organizer") else None,
                       community_id=community_id if role == "member" else None, grants=grants)
    db.session.commit()
    return f"created user {user.id} {phone} ({role})"
