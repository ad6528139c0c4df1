"""audit chain keyed from here: audit_head.keyed_from records the first entry whose content digest is an HMAC
under the key file's chain key; entries already written keep their unkeyed digests

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_head') as batch:
        batch.add_column(sa.Column('keyed_from', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
    op.execute("UPDATE audit_head SET keyed_from = seq + 1")


def downgrade() -> None:
    with op.batch_alter_table('audit_head') as batch:
        batch.drop_column('keyed_from')
