"""record verdicts: the daily scan keeps each member's criteria verdict and
re-judges only records that changed (change_record.enterprise_id says whose),
rules that changed or dates that were crossed (issue #13)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# change_record.entity -> how to find the enterprise of its entity_id
_OWNERS = {
    'enterprise': 'SELECT id FROM enterprise WHERE enterprise.id = change_record.entity_id',
    'product_figure': 'SELECT product.enterprise_id FROM product_figure JOIN product '
                      'ON product.id = product_figure.product_id WHERE product_figure.id = change_record.entity_id',
    **{entity: f'SELECT enterprise_id FROM {table} WHERE {table}.id = change_record.entity_id'
       for entity, table in (('yearly_figure', 'yearly_figure'), ('contact', 'contact'), ('patent', 'patent'),
                             ('product', 'product'), ('qualification', 'qualification'),
                             ('trademark', 'trademark'), ('partnership', 'research_partnership'))},
}


def upgrade():
    with op.batch_alter_table('change_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_change_record_enterprise', ['enterprise_id', 'id'], unique=False)
    for entity, owner in _OWNERS.items():
        op.execute(f"UPDATE change_record SET enterprise_id = ({owner}) WHERE entity = '{entity}'")

    op.create_table('record_verdict',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('valid_through', sa.Date(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('rules', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('failing', sa.JSON(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_record_verdict_enterprise_id_enterprise'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_record_verdict'))
    )


def downgrade():
    op.drop_table('record_verdict')
    with op.batch_alter_table('change_record', schema=None) as batch_op:
        batch_op.drop_index('ix_change_record_enterprise')
        batch_op.drop_column('enterprise_id')
