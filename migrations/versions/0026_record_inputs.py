"""record inputs: each configured pool member's record as the pools' criteria read it, kept between
scans like the first pool's record verdicts, so that the what-if of a draft criteria-set version
judges a whole pool in the time of a scan (issue #17)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'record_inputs',
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('valid_through', sa.Date(), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('inputs', sa.Text(), nullable=True),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_record_inputs_enterprise_id_enterprise'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_record_inputs')),
    )


def downgrade():
    op.drop_table('record_inputs')
