"""privacy: access log of unmasking (who decrypted which PII value, when and why)

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pii_access_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('pii_type', sa.String(length=30), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('value_index', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pii_access_log'))
    )
    with op.batch_alter_table('pii_access_log', schema=None) as batch_op:
        batch_op.create_index('ix_pii_access_actor_at', ['actor', 'at'], unique=False)
        batch_op.create_index('ix_pii_access_value', ['value_index'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pii_access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_pii_access_value')
        batch_op.drop_index('ix_pii_access_actor_at')
    op.drop_table('pii_access_log')
