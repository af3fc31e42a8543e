"""awards settlement: stored award facts, the administrator's dated parameter
values, each programme year's settlement, its candidate items and the
append-only ledger (issue #18)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 02:26:10.068427

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('award_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_key', sa.String(length=64), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=200), nullable=False),
    sa.Column('beneficiary_kind', sa.String(length=32), nullable=False),
    sa.Column('in_region', sa.Boolean(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('fact_id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("source IN ('officer', 'import', 'portal')", name=op.f('ck_award_fact_source')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_award_fact_county_id_county')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_award_fact_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_award_fact_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_award_fact_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_fact'))
    )
    with op.batch_alter_table('award_fact', schema=None) as batch_op:
        batch_op.create_index('ix_award_fact_date', ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_fact_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('uq_award_fact_key_fact', ['beneficiary_key', 'fact_id'], unique=True)

    op.create_table('award_parameter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_award_parameter_entered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_parameter'))
    )
    with op.batch_alter_table('award_parameter', schema=None) as batch_op:
        batch_op.create_index('ix_award_parameter_key', ['programme', 'key', 'valid_from', 'id'], unique=False)

    op.create_table('award_settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'published')", name=op.f('ck_award_settlement_status')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_award_settlement_opened_by_id_user_account')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_award_settlement_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_settlement'))
    )
    with op.batch_alter_table('award_settlement', schema=None) as batch_op:
        batch_op.create_index('uq_award_settlement_programme_year', ['programme', 'year'], unique=True)

    op.create_table('award_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_key', sa.String(length=64), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=200), nullable=False),
    sa.Column('beneficiary_kind', sa.String(length=32), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('rule_label', sa.String(length=200), nullable=False),
    sa.Column('clause', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('gross', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.String(length=40), nullable=False),
    sa.Column('payable', sa.BigInteger(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('conflict', sa.Text(), nullable=True),
    sa.Column('trace', sa.JSON(), nullable=False),
    sa.Column('award_year', sa.Integer(), nullable=False),
    sa.Column('payment_year', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_award_item_county_id_county')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_award_item_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['settlement_id'], ['award_settlement.id'], name=op.f('fk_award_item_settlement_id_award_settlement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_item'))
    )
    with op.batch_alter_table('award_item', schema=None) as batch_op:
        batch_op.create_index('ix_award_item_county', ['settlement_id', 'county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_item_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('uq_award_item_identity', ['settlement_id', 'beneficiary_key', 'rule', 'subject'], unique=True)

    op.create_table('award_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('basis', sa.BigInteger(), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('on', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('approve', 'reduce', 'refuse', 'publish', 'pay', 'reverse')", name=op.f('ck_award_entry_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_award_entry_actor_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['award_item.id'], name=op.f('fk_award_entry_item_id_award_item')),
    sa.ForeignKeyConstraint(['reverses_id'], ['award_entry.id'], name=op.f('fk_award_entry_reverses_id_award_entry')),
    sa.ForeignKeyConstraint(['settlement_id'], ['award_settlement.id'], name=op.f('fk_award_entry_settlement_id_award_settlement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_entry')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_award_entry_reverses_id'))
    )
    with op.batch_alter_table('award_entry', schema=None) as batch_op:
        batch_op.create_index('ix_award_entry_item', ['item_id', 'id'], unique=False)
        batch_op.create_index('ix_award_entry_settlement', ['settlement_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('award_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_award_entry_settlement')
        batch_op.drop_index('ix_award_entry_item')

    op.drop_table('award_entry')
    with op.batch_alter_table('award_item', schema=None) as batch_op:
        batch_op.drop_index('uq_award_item_identity')
        batch_op.drop_index(batch_op.f('ix_award_item_enterprise_id'))
        batch_op.drop_index('ix_award_item_county')

    op.drop_table('award_item')
    with op.batch_alter_table('award_settlement', schema=None) as batch_op:
        batch_op.drop_index('uq_award_settlement_programme_year')

    op.drop_table('award_settlement')
    with op.batch_alter_table('award_parameter', schema=None) as batch_op:
        batch_op.drop_index('ix_award_parameter_key')

    op.drop_table('award_parameter')
    with op.batch_alter_table('award_fact', schema=None) as batch_op:
        batch_op.drop_index('uq_award_fact_key_fact')
        batch_op.drop_index(batch_op.f('ix_award_fact_enterprise_id'))
        batch_op.drop_index('ix_award_fact_date')

    op.drop_table('award_fact')
