"""must_change_password: accounts whose password someone else chose change it at first login

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts are left alone (false): their users may have changed
    # their passwords already, and nothing recorded who chose them.
    op.add_column('user_account', sa.Column('must_change_password', sa.Boolean(),
                                            server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('user_account', 'must_change_password')  # SQLite >= 3.35: no rebuild
