"""Delayed scans held for the organizer's review: one decision per held scan; the scan throttle's index.

Revision ID: 0010
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scan_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["scan_id"], ["scans.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["attendance_id"], ["attendance.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scan_id"),
    )
    op.create_index("ix_scan_reviews_event_id", "scan_reviews", ["event_id"])
    op.create_index("ix_scans_user_received", "scans", ["user_id", "received_at"])


def downgrade():
    op.drop_index("ix_scans_user_received", table_name="scans")
    op.drop_index("ix_scan_reviews_event_id", table_name="scan_reviews")
    op.drop_table("scan_reviews")
