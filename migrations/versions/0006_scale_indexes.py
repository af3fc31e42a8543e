"""scale indexes: the enterprise list ordered by name within a county or a state

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00

"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX only: batch mode would rebuild tables (and drop
    # pool_event's append-only triggers).  With 100,000 enterprises the list
    # filtered by county (every officer) or by state sorted all matching rows
    # by name for each page; these indexes hand them over in page order.
    op.create_index('ix_enterprise_county_name', 'enterprise', ['county_id', 'name', 'id'])
    op.create_index('ix_enterprise_state_name', 'enterprise', ['state', 'name', 'id'])


def downgrade():
    op.drop_index('ix_enterprise_state_name', table_name='enterprise')
    op.drop_index('ix_enterprise_county_name', table_name='enterprise')
