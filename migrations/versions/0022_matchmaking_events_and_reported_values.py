"""matchmaking events (专利技术供需对接活动) and their withdrawals, append-only like
``pool_event``; ``region_statistic.key`` wide enough for a measure's key, so that a
value reported for a measure the records cannot produce is kept beside the
official statistics (issue #19)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLES = ("matchmaking_event", "matchmaking_withdrawal")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _append_only(table: str, create: bool) -> None:
    """Refuse UPDATE/DELETE on ``table`` whatever path the statement comes from (or drop that refusal)."""
    if _sqlite():
        if create:
            for verb in ("update", "delete"):
                op.execute(f"""CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}
                               BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    elif create:
        op.execute(f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{table} is append-only'; END $$""")
        op.execute(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
    else:
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION {table}_append_only()")


def _key_length(length: int, before: int) -> None:
    # SQLite's batch mode copies the table into a new one: its triggers (0021) go with the old table.
    if _sqlite():
        _append_only("region_statistic", False)
    with op.batch_alter_table('region_statistic', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=before), type_=sa.String(length=length),
                              existing_nullable=False)
    if _sqlite():
        _append_only("region_statistic", True)


def upgrade():
    op.create_table('matchmaking_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('participants IS NULL OR participants >= 0', name=op.f('ck_matchmaking_event_participants')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_matchmaking_event_county_id_county')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'],
                            name=op.f('fk_matchmaking_event_entered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matchmaking_event'))
    )
    with op.batch_alter_table('matchmaking_event', schema=None) as batch_op:
        batch_op.create_index('ix_matchmaking_event_county_held', ['county_id', 'held_on'], unique=False)

    op.create_table('matchmaking_withdrawal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['matchmaking_event.id'],
                            name=op.f('fk_matchmaking_withdrawal_event_id_matchmaking_event')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'],
                            name=op.f('fk_matchmaking_withdrawal_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matchmaking_withdrawal')),
    sa.UniqueConstraint('event_id', name=op.f('uq_matchmaking_withdrawal_event_id'))
    )
    for table in TABLES:
        _append_only(table, True)
    _key_length(200, 64)


def downgrade():
    _key_length(64, 200)
    for table in reversed(TABLES):
        _append_only(table, False)
    op.drop_table('matchmaking_withdrawal')
    with op.batch_alter_table('matchmaking_event', schema=None) as batch_op:
        batch_op.drop_index('ix_matchmaking_event_county_held')

    op.drop_table('matchmaking_event')
