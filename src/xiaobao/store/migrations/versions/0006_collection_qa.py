"""Collection QA: calls, findings, disputes.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Json = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'collection_calls',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('call_id', sa.String(128), nullable=False),
        sa.Column('agency', sa.String(128), nullable=False),
        sa.Column('collector_id', sa.String(128), nullable=False),
        sa.Column('debtor_id', sa.String(128), nullable=False),
        sa.Column('debtor_key', sa.String(64)),
        sa.Column('debtor_phone_key', sa.String(64)),
        sa.Column('callee_number_key', sa.String(64)),
        sa.Column('pii', Json, nullable=False),
        sa.Column('masked', Json, nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('timezone', sa.String(40), nullable=False),
        sa.Column('duration_s', sa.Float(), nullable=False),
        sa.Column('callee_relation', sa.String(30), nullable=False),
        sa.Column('connected', sa.Boolean(), nullable=False),
        sa.Column('record', Json, nullable=False),
        sa.Column('compliant', sa.Boolean(), nullable=False),
        sa.Column('violation_count', sa.Integer(), nullable=False),
        sa.Column('imported_by', sa.String(64), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_calls')),
        sa.UniqueConstraint('call_id', name='uq_collection_calls_call_id'),
    )
    with op.batch_alter_table('collection_calls') as b:
        b.create_index('ix_collection_calls_debtor_day', ['debtor_id', 'local_date'])
        b.create_index('ix_collection_calls_debtor_key', ['debtor_key'])
        b.create_index('ix_collection_calls_debtor_phone_key', ['debtor_phone_key'])
        b.create_index('ix_collection_calls_agency_day', ['agency', 'local_date'])
        b.create_index('ix_collection_calls_collector_day', ['collector_id', 'local_date'])
    op.create_table(
        'collection_findings',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('call_id', sa.String(128), nullable=False),
        sa.Column('code', sa.String(40), nullable=False),
        sa.Column('rule_id', sa.String(100), nullable=False),
        sa.Column('turn', sa.Integer(), nullable=False),
        sa.Column('speaker', sa.String(20)),
        sa.Column('utterance', sa.Text()),
        sa.Column('span_start', sa.Integer()),
        sa.Column('span_end', sa.Integer()),
        sa.Column('t_start_s', sa.Float()),
        sa.Column('t_end_s', sa.Float()),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('citation', sa.Text()),
        sa.Column('evidence', Json, nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_findings')),
        sa.UniqueConstraint('call_id', 'rule_id', 'turn', name='uq_collection_findings_call_rule_turn'),
    )
    with op.batch_alter_table('collection_findings') as b:
        b.create_index('ix_collection_findings_status', ['status'])
    op.create_table(
        'collection_disputes',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('finding_id', BigId, nullable=False),
        sa.Column('disputed_by', sa.String(64), nullable=False),
        sa.Column('disputed_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_by', sa.String(64)),
        sa.Column('decided_at', sa.DateTime()),
        sa.Column('decision', sa.String(20)),
        sa.Column('decision_reason', sa.Text()),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_disputes')),
    )
    with op.batch_alter_table('collection_disputes') as b:
        b.create_index('ix_collection_disputes_finding_id', ['finding_id'])


def downgrade() -> None:
    op.drop_table('collection_disputes')
    op.drop_table('collection_findings')
    op.drop_table('collection_calls')
