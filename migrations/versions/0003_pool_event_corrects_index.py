"""Index pool_event.corrects_id: proposals look up corrections of every event they read

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:10:00
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: batch mode would rebuild pool_event on SQLite and
    # drop its append-only triggers.
    op.create_index("ix_pool_event_corrects", "pool_event", ["corrects_id"])


def downgrade():
    op.drop_index("ix_pool_event_corrects", table_name="pool_event")
