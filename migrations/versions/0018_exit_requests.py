"""exit requests: a county's graduation or expulsion confirmed by the city
administrator (exit_needs_city_approval; issue #15)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exit_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('graduation', 'expulsion')", name=op.f('ck_exit_request_kind')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'returned')", name=op.f('ck_exit_request_status')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_exit_request_county_id_county')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                            name=op.f('fk_exit_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'],
                            name=op.f('fk_exit_request_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['event_id'], ['pool_event.id'], name=op.f('fk_exit_request_event_id_pool_event')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'],
                            name=op.f('fk_exit_request_proposed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exit_request'))
    )
    with op.batch_alter_table('exit_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exit_request_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_exit_request_status', ['status', 'county_id'], unique=False)


def downgrade():
    op.drop_table('exit_request')
