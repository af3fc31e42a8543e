"""state corrections: a mistaken admission, rejection, graduation or expulsion
voided by a correction event, asked by an officer and decided by the city
administrator (issue #14)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:45:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('state_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('correction_event_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['correction_event_id'], ['pool_event.id'], name=op.f('fk_state_correction_correction_event_id_pool_event')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_state_correction_county_id_county')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_state_correction_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_state_correction_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['event_id'], ['pool_event.id'], name=op.f('fk_state_correction_event_id_pool_event')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_state_correction_proposed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_correction'))
    )
    with op.batch_alter_table('state_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_correction_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_state_correction_status', ['status', 'county_id'], unique=False)


def downgrade():
    op.drop_table('state_correction')
