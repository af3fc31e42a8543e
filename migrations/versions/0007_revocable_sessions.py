"""revocable sessions: a session generation per user, remember-me tokens stored hashed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN with a constant default: no table rebuild, on SQLite either.
    # Every existing session cookie names a bare user id and stops working,
    # which is the point: they could not be revoked.
    op.add_column('user_account', sa.Column('session_generation', sa.Integer(),
                                            server_default='0', nullable=False))
    op.create_table('remember_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_remember_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remember_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_remember_token_token_hash'))
    )
    op.create_index(op.f('ix_remember_token_user_id'), 'remember_token', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_remember_token_user_id'), table_name='remember_token')
    op.drop_table('remember_token')
    op.drop_column('user_account', 'session_generation')  # SQLite >= 3.35: no rebuild
