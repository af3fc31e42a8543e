"""name sort key: enterprise lists in pinyin order (issue #15)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 17:00:00

"""
from alembic import op
import sqlalchemy as sa

from pool.kernel.text import sort_key


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=400), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM enterprise")).all()
    if rows:
        connection.execute(sa.text("UPDATE enterprise SET name_key = :key WHERE id = :id"),
                           [{"id": i, "key": sort_key(name)} for i, name in rows])
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=400), nullable=False)
        batch_op.drop_index('ix_enterprise_county_name')
        batch_op.drop_index('ix_enterprise_state_name')
        batch_op.create_index('ix_enterprise_county_name_key', ['county_id', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_enterprise_state_name_key', ['state', 'name_key', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_state_name_key')
        batch_op.drop_index('ix_enterprise_county_name_key')
        batch_op.create_index('ix_enterprise_state_name', ['state', 'name', 'id'], unique=False)
        batch_op.create_index('ix_enterprise_county_name', ['county_id', 'name', 'id'], unique=False)
        batch_op.drop_column('name_key')
