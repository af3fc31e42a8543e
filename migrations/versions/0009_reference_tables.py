"""reference tables: official classification tables imported as dated versions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_table_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_reference_table_version_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_table_version'))
    )
    op.create_index('ix_reference_table_version_kind', 'reference_table_version',
                    ['kind', 'valid_from', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_reference_table_version_kind', table_name='reference_table_version')
    op.drop_table('reference_table_version')
