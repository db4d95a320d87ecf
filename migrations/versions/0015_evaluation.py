"""Evaluation: the scoring sheet's versions, published years with their branches' stored ratings, the
admins' documented adjustments, and an index on events' window end (the live board's "open now").

Revision ID: 0015_evaluation
Revises: 0014_accounts
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_evaluation"
down_revision = "0014_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f("ix_events_window_closes_at"), "events", ["window_closes_at"])
    op.create_table(
        "score_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_score_sheets_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_sheets")),
        sa.UniqueConstraint("year", "version", name=op.f("uq_score_sheets_year_version")),
    )
    op.create_table(
        "rating_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], name=op.f("fk_rating_years_published_by_id_users")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_rating_years")),
    )
    op.create_table(
        "branch_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["organizations.id"],
                                name=op.f("fk_branch_ratings_branch_id_organizations")),
        sa.ForeignKeyConstraint(["year"], ["rating_years.year"], name=op.f("fk_branch_ratings_year_rating_years")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_ratings")),
        sa.UniqueConstraint("year", "branch_id", name=op.f("uq_branch_ratings_year_branch_id")),
    )
    op.create_index(op.f("ix_branch_ratings_year"), "branch_ratings", ["year"])
    op.create_index(op.f("ix_branch_ratings_branch_id"), "branch_ratings", ["branch_id"])
    op.create_table(
        "rating_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('veto','deduct')", name=op.f("ck_rating_adjustments_adjustment_kind_known")),
        sa.ForeignKeyConstraint(["branch_id"], ["organizations.id"],
                                name=op.f("fk_rating_adjustments_branch_id_organizations")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_rating_adjustments_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_adjustments")),
    )
    op.create_index(op.f("ix_rating_adjustments_year"), "rating_adjustments", ["year"])
    op.create_index(op.f("ix_rating_adjustments_branch_id"), "rating_adjustments", ["branch_id"])


def downgrade():
    op.drop_index(op.f("ix_events_window_closes_at"), table_name="events")
    op.drop_index(op.f("ix_rating_adjustments_branch_id"), table_name="rating_adjustments")
    op.drop_index(op.f("ix_rating_adjustments_year"), table_name="rating_adjustments")
    op.drop_table("rating_adjustments")
    op.drop_index(op.f("ix_branch_ratings_branch_id"), table_name="branch_ratings")
    op.drop_index(op.f("ix_branch_ratings_year"), table_name="branch_ratings")
    op.drop_table("branch_ratings")
    op.drop_table("rating_years")
    op.drop_table("score_sheets")
