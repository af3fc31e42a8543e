"""risk flags per pool: each flag names the pool whose rules raised it (the first pool's
SPEC §4 flags, or a configured pool's, e.g. graduation_ready on its exit certificate), and
one open flag per enterprise, pool and kind (issue #17); a county's open flags by severity and
by kind found by index, for the officer's day (issue #20)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 10:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

FIRST_POOL = "huangshi-2024"
OPEN = sa.text("closed_on IS NULL")
OPEN_INDEXES = (("ix_risk_flag_open_county_severity", ["county_id", "severity", "opened_on"]),
                ("ix_risk_flag_open_county_kind", ["county_id", "kind", "opened_on"]))


def upgrade():
    with op.batch_alter_table("risk_flag") as batch:
        batch.add_column(sa.Column("pool_code", sa.String(64), nullable=False, server_default=FIRST_POOL))
    op.drop_index("uq_risk_flag_open", table_name="risk_flag")
    op.create_index("uq_risk_flag_open", "risk_flag", ["enterprise_id", "pool_code", "kind"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    # The officer's day counts its counties' open flags of a severity (or kind) and lists the
    # oldest: at 100,000 members a scan of every flag for each of its four tasks (issue #20).  Few
    # indexes: the daily scan rewrites every open flag (last_seen_on), and each index costs there.
    for name, columns in OPEN_INDEXES:
        op.create_index(name, "risk_flag", columns, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    for name, _columns in reversed(OPEN_INDEXES):
        op.drop_index(name, table_name="risk_flag")
    op.execute(sa.text(f"DELETE FROM risk_flag_note WHERE flag_id IN "
                       f"(SELECT id FROM risk_flag WHERE pool_code <> '{FIRST_POOL}')"))
    op.execute(sa.text(f"DELETE FROM risk_flag_change WHERE flag_id IN "
                       f"(SELECT id FROM risk_flag WHERE pool_code <> '{FIRST_POOL}')"))
    op.execute(sa.text(f"DELETE FROM risk_flag WHERE pool_code <> '{FIRST_POOL}'"))
    op.drop_index("uq_risk_flag_open", table_name="risk_flag")
    op.create_index("uq_risk_flag_open", "risk_flag", ["enterprise_id", "kind"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    with op.batch_alter_table("risk_flag") as batch:
        batch.drop_column("pool_code")
