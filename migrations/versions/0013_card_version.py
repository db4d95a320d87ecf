"""A member card's version (reissuing a card makes the old one refused); why a claim was withdrawn for
the member (a move).

Revision ID: 0013
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_version", sa.Integer(), nullable=False, server_default=sa.text("1")))
    with op.batch_alter_table("duty_claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdraw_reason", sa.String(length=120), nullable=False,
                                      server_default=sa.text("''")))


def downgrade():
    with op.batch_alter_table("duty_claims", schema=None) as batch_op:
        batch_op.drop_column("withdraw_reason")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("card_version")
