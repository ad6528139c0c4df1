"""Marketing pre-review: materials, reviews, publications.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Json = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'marketing_materials',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('ref', sa.String(100), nullable=False),
        sa.Column('version', sa.String(40), nullable=False),
        sa.Column('channel', sa.String(40), nullable=False),
        sa.Column('product', sa.String(100), nullable=False),
        sa.Column('title', sa.String(500), nullable=False),
        sa.Column('format', sa.String(10), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('findings', Json, nullable=False),
        sa.Column('apr_min', sa.Float(), nullable=True),
        sa.Column('apr_max', sa.Float(), nullable=True),
        sa.Column('submitted_by', sa.String(64), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.String(64), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_marketing_materials')),
        sa.UniqueConstraint('ref', 'version', name='uq_marketing_materials_ref_version'),
    )
    op.create_index('ix_marketing_materials_fingerprint', 'marketing_materials', ['fingerprint', 'status'])
    op.create_index('ix_marketing_materials_status', 'marketing_materials', ['status', 'submitted_at'])
    op.create_table(
        'marketing_reviews',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('material_id', BigId, nullable=False),
        sa.Column('decision', sa.String(20), nullable=False),
        sa.Column('reviewer', sa.String(64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('findings_seen', Json, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_marketing_reviews')),
    )
    op.create_index('ix_marketing_reviews_material', 'marketing_reviews', ['material_id', 'at'])
    op.create_table(
        'marketing_publications',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('channel', sa.String(40), nullable=False),
        sa.Column('external_id', sa.String(128), nullable=False),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by', sa.String(64), nullable=False),
        sa.Column('approved', sa.Boolean(), nullable=False),
        sa.Column('material_id', BigId, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_marketing_publications')),
        sa.UniqueConstraint('channel', 'external_id', name='uq_marketing_publications_channel_external_id'),
    )
    op.create_index('ix_marketing_publications_published_at', 'marketing_publications', ['published_at'])


def downgrade() -> None:
    op.drop_table('marketing_publications')
    op.drop_table('marketing_reviews')
    op.drop_table('marketing_materials')
