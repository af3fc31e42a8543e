"""regions and official statistics: the province › city › county hierarchy
(county regions linked to ``county`` by code) and each region's yearly official
values with their source, append-only like ``pool_event`` (issue #19)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 02:40:53.155349

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER region_statistic_no_update BEFORE UPDATE ON region_statistic
       BEGIN SELECT RAISE(ABORT, 'region_statistic is append-only'); END""",
    """CREATE TRIGGER region_statistic_no_delete BEFORE DELETE ON region_statistic
       BEGIN SELECT RAISE(ABORT, 'region_statistic is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION region_statistic_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'region_statistic is append-only'; END $$""",
    """CREATE TRIGGER region_statistic_append_only BEFORE UPDATE OR DELETE ON region_statistic
       FOR EACH ROW EXECUTE FUNCTION region_statistic_append_only()""",
]
DROP_SQLITE = ["DROP TRIGGER region_statistic_no_update", "DROP TRIGGER region_statistic_no_delete"]
DROP_POSTGRESQL = ["DROP TRIGGER region_statistic_append_only ON region_statistic",
                   "DROP FUNCTION region_statistic_append_only()"]


def _append_only(create: bool) -> None:
    """A correction is a new entry: refuse UPDATE/DELETE whatever path the statement comes from."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (APPEND_ONLY_SQLITE if sqlite else APPEND_ONLY_POSTGRESQL) if create else (
            DROP_SQLITE if sqlite else DROP_POSTGRESQL):
        op.execute(sql)


def upgrade():
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('province', 'city', 'county')", name=op.f('ck_region_level')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_region_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['parent_id'], ['region.id'], name=op.f('fk_region_parent_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('code', name=op.f('uq_region_code'))
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_parent_id'), ['parent_id'], unique=False)

    op.create_table('region_statistic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_region_statistic_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_region_statistic_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_statistic'))
    )
    with op.batch_alter_table('region_statistic', schema=None) as batch_op:
        batch_op.create_index('ix_region_statistic_key', ['region_id', 'key', 'year', 'id'], unique=False)
    _append_only(True)


def downgrade():
    _append_only(False)
    with op.batch_alter_table('region_statistic', schema=None) as batch_op:
        batch_op.drop_index('ix_region_statistic_key')

    op.drop_table('region_statistic')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_parent_id'))

    op.drop_table('region')
