"""the living record: dated facts and versions on patents, products,
qualifications, trademarks and partnerships; effective date and reason on
change records (issue #13)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('valid', 'pending', 'lapsed', 'invalidated', 'expired')"
NEW_STATUSES = "status IN ('valid', 'pending', 'lapsed', 'invalidated', 'expired', 'transferred_out')"
LEVELS = "level IS NULL OR level IN ('national', 'provincial', 'municipal')"


def _version(batch_op):
    batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def upgrade():
    with op.batch_alter_table('change_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_patent_status'), type_='check')
        batch_op.create_check_constraint('status', NEW_STATUSES)
        for name in ('application_date', 'granted_on', 'status_on', 'industrialized_on', 'acquired_on',
                     'put_to_use_on'):
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('office', sa.String(length=8), nullable=True))
        _version(batch_op)
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('certificate_no', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('added_on', sa.Date(), nullable=True))
        _version(batch_op)
    with op.batch_alter_table('qualification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('issuer', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('approved_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('renews_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_qualification_renews_id_qualification'), 'qualification',
                                    ['renews_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('level', LEVELS)
        _version(batch_op)
    with op.batch_alter_table('trademark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_on', sa.Date(), nullable=True))
        _version(batch_op)
    with op.batch_alter_table('research_partnership', schema=None) as batch_op:
        _version(batch_op)


def downgrade():
    with op.batch_alter_table('research_partnership', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('trademark', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('registered_on')
    with op.batch_alter_table('qualification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_qualification_level'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_qualification_renews_id_qualification'), type_='foreignkey')
        for name in ('version', 'renews_id', 'approved_on', 'issuer', 'level'):
            batch_op.drop_column(name)
    with op.batch_alter_table('product', schema=None) as batch_op:
        for name in ('version', 'added_on', 'certificate_no', 'filed_on'):
            batch_op.drop_column(name)
    op.execute("UPDATE patent SET status = 'lapsed' WHERE status = 'transferred_out'")
    with op.batch_alter_table('patent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_patent_status'), type_='check')
        batch_op.create_check_constraint('status', OLD_STATUSES)
        for name in ('version', 'office', 'put_to_use_on', 'acquired_on', 'industrialized_on', 'status_on',
                     'granted_on', 'application_date'):
            batch_op.drop_column(name)
    with op.batch_alter_table('change_record', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('effective_on')
