"""Organizational life (组织生活): the 三会一课 kinds' points rules, Party groups, committee members (支委),
and an event's Party group.

Revision ID: 0007_orglife
Revises: 0005
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0007_orglife"
down_revision = "0005"
branch_labels = None
depends_on = None

# The kinds' default points rules as they were when this migration was written (Kind.default_rule).
RULES = {"branch_assembly": (5, 3, -2, 0), "committee_meeting": (3, 2, -2, 0), "group_meeting": (3, 2, -1, 0),
         "party_lecture": (5, 3, -2, 0)}


def upgrade():
    op.create_table(
        "party_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["organizations.id"], name=op.f("fk_party_groups_branch_id_organizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_groups")),
        sa.UniqueConstraint("branch_id", "name", name=op.f("uq_party_groups_branch_id_name")),
    )
    op.create_index(op.f("ix_party_groups_branch_id"), "party_groups", ["branch_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("is_committee", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("party_group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_users_party_group_id_party_groups"), "party_groups", ["party_group_id"], ["id"])
        batch.create_index(op.f("ix_users_party_group_id"), ["party_group_id"])
    with op.batch_alter_table("users") as batch:  # the default filled existing rows; the model sets it from now on
        batch.alter_column("is_committee", server_default=None)
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("party_group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_events_party_group_id_party_groups"), "party_groups", ["party_group_id"], ["id"])
        batch.create_index(op.f("ix_events_party_group_id"), ["party_group_id"])
    rules = sa.table("points_rules", sa.column("kind", sa.String), sa.column("checkin_points", sa.Integer),
                     sa.column("late_checkin_points", sa.Integer), sa.column("absence_points", sa.Integer),
                     sa.column("per_hour_points", sa.Integer), sa.column("updated_at", sa.DateTime))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(rules, [{"kind": kind, "checkin_points": c, "late_checkin_points": late, "absence_points": a,
                            "per_hour_points": h, "updated_at": now} for kind, (c, late, a, h) in RULES.items()])


def downgrade():
    op.execute(sa.text("DELETE FROM points_rules WHERE kind IN :kinds").bindparams(
        sa.bindparam("kinds", tuple(RULES), expanding=True)))
    with op.batch_alter_table("events") as batch:
        batch.drop_index(op.f("ix_events_party_group_id"))
        batch.drop_constraint(op.f("fk_events_party_group_id_party_groups"), type_="foreignkey")
        batch.drop_column("party_group_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_index(op.f("ix_users_party_group_id"))
        batch.drop_constraint(op.f("fk_users_party_group_id_party_groups"), type_="foreignkey")
        batch.drop_column("party_group_id")
        batch.drop_column("is_committee")
    op.drop_index(op.f("ix_party_groups_branch_id"), table_name="party_groups")
    op.drop_table("party_groups")
