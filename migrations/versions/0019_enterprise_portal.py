"""enterprise portal: enterprise accounts, submissions with their review
rounds, evidence files (issue #16)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_enterprise_id'), ['enterprise_id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_enterprise_id_enterprise'), 'enterprise',
                                    ['enterprise_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_user_account_role'), "role IN ('city_admin', 'county_officer', 'enterprise')")

    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('declaration', 'annual_report', 'change_request')", name=op.f('ck_submission_kind')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'accepted', 'rejected')",
                       name=op.f('ck_submission_status')),
    sa.ForeignKeyConstraint(['account_id'], ['user_account.id'], name=op.f('fk_submission_account_id_user_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_submission_application_id_application')),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_submission_county_id_county')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                            name=op.f('fk_submission_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_submission_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_submission_queue', ['county_id', 'status'], unique=False)

    op.create_table('submission_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('comments', sa.JSON(), nullable=True),
    sa.Column('accepted_fields', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_submission_round_actor_id_user_account')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'],
                            name=op.f('fk_submission_round_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_round'))
    )
    with op.batch_alter_table('submission_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_round_submission_id'), ['submission_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_evidence_county_id_county')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_evidence_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_evidence_submission_id_submission')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                            name=op.f('fk_evidence_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_stored_name'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_submission_id'), ['submission_id'], unique=False)


def downgrade():
    op.drop_table('evidence')
    op.drop_table('submission_round')
    op.drop_table('submission')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_account_role'),
                                         "role IN ('city_admin', 'county_officer')")
        batch_op.drop_constraint(batch_op.f('fk_user_account_enterprise_id_enterprise'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_user_account_enterprise_id'), type_='unique')
        batch_op.drop_column('enterprise_id')
