"""intake batches: an uploaded file of applicants worked through row by row
(save valid checks, open one in the form, register the selected; issue #14)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('intake_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('saved', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_intake_batch_county_id_county')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_intake_batch_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_batch'))
    )
    with op.batch_alter_table('intake_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_batch_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('intake_batch')
