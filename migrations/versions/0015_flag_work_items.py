"""flags as work items: assignee and acknowledgement on risk flags, and the
notes officers leave on them (issue #15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:00:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_risk_flag_assigned_to_id_user_account'), 'user_account',
                                    ['assigned_to_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_risk_flag_acknowledged_by_id_user_account'), 'user_account',
                                    ['acknowledged_by_id'], ['id'])
    op.create_table('risk_flag_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('acknowledged', 'assigned', 'commented')", name=op.f('ck_risk_flag_note_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_risk_flag_note_actor_id_user_account')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'],
                            name=op.f('fk_risk_flag_note_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flag.id'], name=op.f('fk_risk_flag_note_flag_id_risk_flag')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag_note'))
    )
    with op.batch_alter_table('risk_flag_note', schema=None) as batch_op:
        batch_op.create_index('ix_risk_flag_note_flag', ['flag_id', 'id'], unique=False)


def downgrade():
    op.drop_table('risk_flag_note')
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_risk_flag_acknowledged_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_risk_flag_assigned_to_id_user_account'), type_='foreignkey')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('assigned_to_id')
