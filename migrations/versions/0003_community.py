"""double registration (双报到): registrations, pairings, needs with slots, claims, evaluations

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-26 08:47:28.031292

Only the community tables (issue 6); 0002 is written in parallel from 0001 and a merge
revision joins the two heads.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_settings',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('key_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_settings_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_community_settings'))
    )
    op.create_table('community_duties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('place_name', sa.String(length=200), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_duties_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_community_duties_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_duties'))
    )
    with op.batch_alter_table('community_duties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_duties_community_id'), ['community_id'], unique=False)

    op.create_table('community_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('rating', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("rating in ('excellent','good','fair','poor')", name=op.f('ck_community_evaluations_rating_known')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_evaluations_community_id_communities')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['users.id'], name=op.f('fk_community_evaluations_evaluator_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_community_evaluations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_evaluations')),
    sa.UniqueConstraint('community_id', 'user_id', 'period', name=op.f('uq_community_evaluations_community_id_user_id_period'))
    )
    with op.batch_alter_table('community_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_evaluations_user_id'), ['user_id'], unique=False)

    op.create_table('community_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note_address', sa.String(length=255), nullable=False),
    sa.Column('note_skills', sa.String(length=255), nullable=False),
    sa.Column('note_availability', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=255), nullable=False),
    sa.CheckConstraint("status in ('pending','accepted','declined','ended')", name=op.f('ck_community_registrations_status_known')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_registrations_community_id_communities')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_community_registrations_decided_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_community_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_registrations'))
    )
    with op.batch_alter_table('community_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_community_registrations_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_registrations_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_community_registrations_one_accepted', ['user_id'], unique=True, sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))
        batch_op.create_index('uq_community_registrations_one_pending', ['user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('org_community_pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_org_community_pairings_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_org_community_pairings_created_by_id_users')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_org_community_pairings_ended_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_org_community_pairings_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_community_pairings'))
    )
    with op.batch_alter_table('org_community_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_community_pairings_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_community_pairings_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_org_community_pairings_one_current', ['organization_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('duty_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_duty_slots_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_duty_slots_ends_after_start')),
    sa.ForeignKeyConstraint(['duty_id'], ['community_duties.id'], name=op.f('fk_duty_slots_duty_id_community_duties')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_duty_slots_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_slots')),
    sa.UniqueConstraint('event_id', name=op.f('uq_duty_slots_event_id'))
    )
    with op.batch_alter_table('duty_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_slots_duty_id'), ['duty_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_slots_starts_at'), ['starts_at'], unique=False)

    op.create_table('duty_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status in ('active','withdrawn')", name=op.f('ck_duty_claims_status_known')),
    sa.ForeignKeyConstraint(['slot_id'], ['duty_slots.id'], name=op.f('fk_duty_claims_slot_id_duty_slots')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_duty_claims_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_claims')),
    sa.UniqueConstraint('slot_id', 'user_id', name=op.f('uq_duty_claims_slot_id_user_id'))
    )
    with op.batch_alter_table('duty_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_claims_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('duty_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_claims_user_id'))

    op.drop_table('duty_claims')
    with op.batch_alter_table('duty_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_slots_starts_at'))
        batch_op.drop_index(batch_op.f('ix_duty_slots_duty_id'))

    op.drop_table('duty_slots')
    with op.batch_alter_table('org_community_pairings', schema=None) as batch_op:
        batch_op.drop_index('uq_org_community_pairings_one_current', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_org_community_pairings_organization_id'))
        batch_op.drop_index(batch_op.f('ix_org_community_pairings_community_id'))

    op.drop_table('org_community_pairings')
    with op.batch_alter_table('community_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_community_registrations_one_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('uq_community_registrations_one_accepted', sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))
        batch_op.drop_index(batch_op.f('ix_community_registrations_user_id'))
        batch_op.drop_index('ix_community_registrations_community_status')

    op.drop_table('community_registrations')
    with op.batch_alter_table('community_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_evaluations_user_id'))

    op.drop_table('community_evaluations')
    with op.batch_alter_table('community_duties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_duties_community_id'))

    op.drop_table('community_duties')
    op.drop_table('community_settings')
