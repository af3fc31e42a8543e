"""monitoring: risk flags and their history, the mail outbox, job locks (SPEC §4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:05:06

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_OPEN = sa.text('closed_on IS NULL')


def upgrade():
    # New tables only, plain CREATE INDEX: nothing here rebuilds an existing
    # table (batch mode would drop pool_event's append-only triggers).
    op.create_table('job_lock',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=True),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_lock'))
    )
    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('to_addr', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=120), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_mail_state')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_outbox_mail_county_id_county')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_outbox_mail_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_mail_key'))
    )
    op.create_index('ix_outbox_mail_claimed_by', 'outbox_mail', ['claimed_by'])
    op.create_index('ix_outbox_mail_county', 'outbox_mail', ['county_id', 'created_at'])
    op.create_index('ix_outbox_mail_due', 'outbox_mail', ['state', 'next_attempt_at'])

    op.create_table('risk_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('last_seen_on', sa.Date(), nullable=False),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('no_progress', 'qualification_expiring', 'annual_data_missing', 'criteria_drift', 'integrity_incident', 'graduation_ready')", name=op.f('ck_risk_flag_kind')),
    sa.CheckConstraint("severity IN ('info', 'warning', 'high', 'expulsion_due')", name=op.f('ck_risk_flag_severity')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_risk_flag_county_id_county')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_risk_flag_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag'))
    )
    op.create_index('ix_risk_flag_county_open', 'risk_flag', ['county_id', 'closed_on'])
    # At most one open flag per (enterprise, kind): a partial unique index.
    op.create_index('uq_risk_flag_open', 'risk_flag', ['enterprise_id', 'kind'], unique=True,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)

    op.create_table('risk_flag_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('raised', 'escalated', 'deescalated', 'closed')", name=op.f('ck_risk_flag_change_action')),
    sa.ForeignKeyConstraint(['flag_id'], ['risk_flag.id'], name=op.f('fk_risk_flag_change_flag_id_risk_flag')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag_change'))
    )
    op.create_index('ix_risk_flag_change_flag', 'risk_flag_change', ['flag_id', 'id'])


def downgrade():
    op.drop_table('risk_flag_change')
    op.drop_table('risk_flag')
    op.drop_table('outbox_mail')
    op.drop_table('job_lock')
