"""intake rounds and the replenishment quota per pool: a round belongs to a configured pool
(``intake_round.pool_code``; NULL = the first pool, as every round so far), and a configured pool's
admission records whether it was a replenishment (增补) or which round it was made in (issue #17)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

EVENTS = "pool_membership_event"
ROUND_FK = "fk_pool_membership_event_intake_round_id_intake_round"


def upgrade():
    op.add_column('intake_round', sa.Column('pool_code', sa.String(length=64), nullable=True))
    # Not through batch mode: on SQLite that would copy the append-only event table into a new one and
    # lose its triggers.  SQLite adds a column (nullable, or with a default; a REFERENCES clause too) in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {EVENTS} ADD COLUMN replenishment BOOLEAN DEFAULT 0 NOT NULL")
        op.execute(f"ALTER TABLE {EVENTS} ADD COLUMN intake_round_id INTEGER "
                   f"CONSTRAINT {ROUND_FK} REFERENCES intake_round (id)")
    else:
        op.add_column(EVENTS, sa.Column('replenishment', sa.Boolean(), server_default=sa.false(), nullable=False))
        op.add_column(EVENTS, sa.Column('intake_round_id', sa.Integer(), nullable=True))
        op.create_foreign_key(ROUND_FK, EVENTS, 'intake_round', ['intake_round_id'], ['id'])
    op.create_index('ix_pool_membership_event_voids', EVENTS, ['voids_id'], unique=False)


def downgrade():
    op.drop_index('ix_pool_membership_event_voids', table_name=EVENTS)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {EVENTS} DROP COLUMN intake_round_id")
        op.execute(f"ALTER TABLE {EVENTS} DROP COLUMN replenishment")
    else:
        op.drop_constraint(ROUND_FK, EVENTS, type_='foreignkey')
        op.drop_column(EVENTS, 'intake_round_id')
        op.drop_column(EVENTS, 'replenishment')
    op.drop_column('intake_round', 'pool_code')
