"""black/gray triage flags, leads, intelligence, calibrated settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Json = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('bg_flags',
    sa.Column('complaint_id', BigId, sa.ForeignKey('complaints.id', ondelete='CASCADE'), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(20), nullable=False),
    sa.Column('family_key', sa.String(160)),
    sa.Column('gang_key', sa.String(160)),
    sa.Column('signals', Json, nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=False),
    sa.Column('review_status', sa.String(12), nullable=False),
    sa.Column('reviewed_by', sa.String(64)),
    sa.Column('reviewed_at', sa.DateTime()),
    sa.Column('review_note', sa.Text()),
    sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_bg_flags')),
    )
    op.create_index('ix_bg_flags_flagged_review', 'bg_flags', ['flagged', 'review_status'])
    op.create_table('bg_leads',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('lead_type', sa.String(10), nullable=False),
    sa.Column('key', sa.String(160), nullable=False),
    sa.Column('kind', sa.String(20), nullable=False),
    sa.Column('title', sa.String(200), nullable=False),
    sa.Column('status', sa.String(12), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('complaints', BigId, nullable=False),
    sa.Column('customers', BigId, nullable=False),
    sa.Column('first_at', sa.DateTime()),
    sa.Column('last_at', sa.DateTime()),
    sa.Column('artefacts', Json, nullable=False),
    sa.Column('families', Json, nullable=False),
    sa.Column('evidence', Json, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by', sa.String(64)),
    sa.Column('reviewed_at', sa.DateTime()),
    sa.Column('review_note', sa.Text()),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bg_leads')),
    sa.UniqueConstraint('lead_type', 'key', name='uq_bg_leads_type_key'),
    )
    op.create_index('ix_bg_leads_status', 'bg_leads', ['status'])
    op.create_table('bg_lead_members',
    sa.Column('lead_id', BigId, sa.ForeignKey('bg_leads.id', ondelete='CASCADE'), nullable=False),
    sa.Column('complaint_id', BigId, sa.ForeignKey('complaints.id', ondelete='CASCADE'), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('lead_id', 'complaint_id', name=op.f('pk_bg_lead_members')),
    )
    op.create_index('ix_bg_lead_members_complaint', 'bg_lead_members', ['complaint_id'])
    op.create_table('bg_intel',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(12), nullable=False),
    sa.Column('value_key', sa.String(64), nullable=False),
    sa.Column('display', sa.String(200), nullable=False),
    sa.Column('template_text', sa.Text()),
    sa.Column('source', sa.String(100), nullable=False),
    sa.Column('expires_on', sa.Date()),
    sa.Column('note', sa.Text()),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('import_ref', sa.String(64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bg_intel')),
    sa.UniqueConstraint('kind', 'value_key', 'source', name='uq_bg_intel_kind_key_source'),
    )
    op.create_index('ix_bg_intel_key', 'bg_intel', ['value_key'])
    op.create_table('bg_settings',
    sa.Column('name', sa.String(60), nullable=False),
    sa.Column('value', Json, nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_bg_settings')),
    )


def downgrade() -> None:
    for name in ('bg_settings', 'bg_intel', 'bg_lead_members', 'bg_leads', 'bg_flags'):
        op.drop_table(name)
