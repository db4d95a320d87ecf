"""Organizational life (组织生活): the 三会一课 kinds' points rules, Party groups, committee members (支委),
the day a member joined the Party, an event's Party group, leave requests (请假), make-ups (补课), meeting records (会议记录) and their files,
requirements per year and private calendar feed tokens.

Revision ID: 0007_orglife
Revises: 0013
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0007_orglife"
down_revision = "0013"
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
        batch.add_column(sa.Column("joined_party_on", sa.Date(), nullable=True))
        batch.create_foreign_key(op.f("fk_users_party_group_id_party_groups"), "party_groups", ["party_group_id"], ["id"])
        batch.create_index(op.f("ix_users_party_group_id"), ["party_group_id"])
    with op.batch_alter_table("users") as batch:  # the default filled existing rows; the model sets it from now on
        batch.alter_column("is_committee", server_default=None)
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("party_group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_events_party_group_id_party_groups"), "party_groups", ["party_group_id"], ["id"])
        batch.create_index(op.f("ix_events_party_group_id"), ["party_group_id"])
    for table in ("leave_requests", "makeups"):
        extra = ([sa.Column("reason", sa.String(length=500), nullable=False),
                  sa.Column("status", sa.String(length=10), nullable=False),
                  sa.Column("decided_by_id", sa.Integer(), nullable=True),
                  sa.Column("decided_at", sa.DateTime(), nullable=True),
                  sa.Column("decision_note", sa.String(length=255), nullable=False)] if table == "leave_requests" else
                 [sa.Column("content", sa.Text(), nullable=False),
                  sa.Column("studied_at", sa.DateTime(), nullable=False),
                  sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
                  sa.Column("confirmed_at", sa.DateTime(), nullable=True)])
        by = "decided_by_id" if table == "leave_requests" else "confirmed_by_id"
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("event_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            *extra,
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f(f"fk_{table}_event_id_events")),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users")),
            sa.ForeignKeyConstraint([by], ["users.id"], name=op.f(f"fk_{table}_{by}_users")),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("event_id", "user_id", name=op.f(f"uq_{table}_event_id_user_id")),
        )
        op.create_index(op.f(f"ix_{table}_event_id"), table, ["event_id"])
        op.create_index(op.f(f"ix_{table}_user_id"), table, ["user_id"])
    op.create_table(
        "meeting_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("first_topic", sa.String(length=500), nullable=False),
        sa.Column("presided_by", sa.String(length=80), nullable=False),
        sa.Column("minutes_by", sa.String(length=80), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("amendments", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_meeting_records_event_id_events")),
        sa.ForeignKeyConstraint(["filed_by_id"], ["users.id"], name=op.f("fk_meeting_records_filed_by_id_users")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"],
                                name=op.f("fk_meeting_records_approved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_records")),
        sa.UniqueConstraint("event_id", name=op.f("uq_meeting_records_event_id")),
    )
    op.create_table(
        "record_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["meeting_records.id"],
                                name=op.f("fk_record_attachments_record_id_meeting_records")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_record_attachments_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_record_attachments_stored_name")),
    )
    op.create_index(op.f("ix_record_attachments_record_id"), "record_attachments", ["record_id"])
    op.create_table(
        "orglife_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_orglife_requirements_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orglife_requirements")),
        sa.UniqueConstraint("year", "kind", name=op.f("uq_orglife_requirements_year_kind")),
    )
    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_feed_tokens_user_id_users")),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f("fk_feed_tokens_org_id_organizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_tokens")),
    )
    op.create_index(op.f("ix_feed_tokens_user_id"), "feed_tokens", ["user_id"])
    rules = sa.table("points_rules", sa.column("kind", sa.String), sa.column("checkin_points", sa.Integer),
                     sa.column("late_checkin_points", sa.Integer), sa.column("absence_points", sa.Integer),
                     sa.column("per_hour_points", sa.Integer), sa.column("updated_at", sa.DateTime))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(rules, [{"kind": kind, "checkin_points": c, "late_checkin_points": late, "absence_points": a,
                            "per_hour_points": h, "updated_at": now} for kind, (c, late, a, h) in RULES.items()])


def downgrade():
    op.execute(sa.text("DELETE FROM points_rules WHERE kind IN :kinds").bindparams(
        sa.bindparam("kinds", tuple(RULES), expanding=True)))
    op.drop_index(op.f("ix_feed_tokens_user_id"), table_name="feed_tokens")
    op.drop_table("feed_tokens")
    op.drop_table("orglife_requirements")
    op.drop_index(op.f("ix_record_attachments_record_id"), table_name="record_attachments")
    op.drop_table("record_attachments")
    op.drop_table("meeting_records")
    for table in ("makeups", "leave_requests"):
        op.drop_index(op.f(f"ix_{table}_user_id"), table_name=table)
        op.drop_index(op.f(f"ix_{table}_event_id"), table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("events") as batch:
        batch.drop_index(op.f("ix_events_party_group_id"))
        batch.drop_constraint(op.f("fk_events_party_group_id_party_groups"), type_="foreignkey")
        batch.drop_column("party_group_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_index(op.f("ix_users_party_group_id"))
        batch.drop_constraint(op.f("fk_users_party_group_id_party_groups"), type_="foreignkey")
        batch.drop_column("party_group_id")
        batch.drop_column("joined_party_on")
        batch.drop_column("is_committee")
    op.drop_index(op.f("ix_party_groups_branch_id"), table_name="party_groups")
    op.drop_table("party_groups")
