"""api rate limit per user, not per token (security issue #11)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # A user may hold 20 tokens: counted per token, one user had 20 times the
    # limit.  The counters only live for their minute, so the table is
    # replaced rather than migrated (new table only: nothing is rebuilt).
    op.drop_table('api_rate_window')
    op.create_table('api_rate_window',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_rate_window_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'window_start', name=op.f('pk_api_rate_window'))
    )


def downgrade():
    op.drop_table('api_rate_window')
    op.create_table('api_rate_window',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_rate_window_token_id_api_token'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'window_start', name=op.f('pk_api_rate_window'))
    )
