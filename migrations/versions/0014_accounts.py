"""Accounts for a whole city: one-time codes (activation slips, reset codes, branch join QR) kept as keyed
hashes, members' "forgot my password" requests waiting for staff, and branch membership over time (since
when a member is in their branch; the branches they left), so reports of the past stay as they were.

Revision ID: 0014_accounts
Revises: 0007_orglife
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_accounts"
down_revision = "0007_orglife"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose in ('activation','reset','join')", name=op.f("ck_account_codes_code_purpose_known")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_account_codes_issued_by_id_users")),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name=op.f("fk_account_codes_organization_id_organizations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_account_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_account_codes_code_hash")),
    )
    op.create_index(op.f("ix_account_codes_user_id"), "account_codes", ["user_id"])
    op.create_index(op.f("ix_account_codes_organization_id"), "account_codes", ["organization_id"])
    op.create_table(
        "password_help",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_help_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_help")),
    )
    op.create_index(op.f("ix_password_help_user_id"), "password_help", ["user_id"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("branch_since", sa.DateTime(), nullable=True))
    op.create_table(
        "past_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["organizations.id"],
                                name=op.f("fk_past_memberships_branch_id_organizations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_past_memberships_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_past_memberships")),
    )
    op.create_index(op.f("ix_past_memberships_user_id"), "past_memberships", ["user_id"])
    op.create_index(op.f("ix_past_memberships_branch_id"), "past_memberships", ["branch_id"])


def downgrade():
    op.drop_index(op.f("ix_past_memberships_branch_id"), table_name="past_memberships")
    op.drop_index(op.f("ix_past_memberships_user_id"), table_name="past_memberships")
    op.drop_table("past_memberships")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("branch_since")
    op.drop_index(op.f("ix_password_help_user_id"), table_name="password_help")
    op.drop_table("password_help")
    op.drop_index(op.f("ix_account_codes_organization_id"), table_name="account_codes")
    op.drop_index(op.f("ix_account_codes_user_id"), table_name="account_codes")
    op.drop_table("account_codes")
