"""pool memberships beyond the first pool: one membership per enterprise and configured
pool (接续培育, 高企备选库 …) with its own append-only event log, like ``pool_event``, and the administrator's
append-only changes to the pools (issue #17)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 05:51:03.812409

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLES = ("pool_membership_event", "pool_change")  # append-only: a correction is a new row


def _statements(table: str, sqlite: bool, create: bool) -> list[str]:
    if sqlite and create:
        return [f"""CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}
                    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""" for verb in ("update", "delete")]
    if sqlite:
        return [f"DROP TRIGGER {table}_no_{verb}" for verb in ("update", "delete")]
    if create:
        return [f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION '{table} is append-only'; END $$""",
                f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"""]
    return [f"DROP TRIGGER {table}_append_only ON {table}", f"DROP FUNCTION {table}_append_only()"]


def _append_only(create: bool) -> None:
    """A correction is a new event: refuse UPDATE/DELETE whatever path the statement comes from."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        for sql in _statements(table, sqlite, create):
            op.execute(sql)


def upgrade():
    op.create_table('pool_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('pool_code', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('admitted_on', sa.Date(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('applied', 'admitted', 'graduated', 'expelled', 'rejected')", name=op.f('ck_pool_membership_state')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_pool_membership_county_id_county')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_pool_membership_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_membership')),
    sa.UniqueConstraint('enterprise_id', 'pool_code', name='uq_pool_membership_enterprise_pool')
    )
    with op.batch_alter_table('pool_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_membership_county_id'), ['county_id'], unique=False)
        batch_op.create_index('ix_pool_membership_pool_state', ['pool_code', 'state', 'county_id'], unique=False)

    op.create_table('pool_membership_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('voids_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('move', 'facts', 'void')", name=op.f('ck_pool_membership_event_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_pool_membership_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['membership_id'], ['pool_membership.id'], name=op.f('fk_pool_membership_event_membership_id_pool_membership')),
    sa.ForeignKeyConstraint(['voids_id'], ['pool_membership_event.id'], name=op.f('fk_pool_membership_event_voids_id_pool_membership_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_membership_event'))
    )
    with op.batch_alter_table('pool_membership_event', schema=None) as batch_op:
        batch_op.create_index('ix_pool_membership_event_membership', ['membership_id', 'id'], unique=False)

    op.create_table('pool_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('preview', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('create', 'criteria', 'parameter', 'retire')", name=op.f('ck_pool_change_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_pool_change_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_change'))
    )
    with op.batch_alter_table('pool_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_change_pool_code'), ['pool_code'], unique=False)

    _append_only(True)


def downgrade():
    _append_only(False)
    with op.batch_alter_table('pool_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_change_pool_code'))

    op.drop_table('pool_change')
    with op.batch_alter_table('pool_membership_event', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_membership_event_membership')

    op.drop_table('pool_membership_event')
    with op.batch_alter_table('pool_membership', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_membership_pool_state')
        batch_op.drop_index(batch_op.f('ix_pool_membership_county_id'))

    op.drop_table('pool_membership')
