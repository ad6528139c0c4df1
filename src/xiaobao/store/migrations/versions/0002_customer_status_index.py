"""Repeat detection looks complaints up by (customer_key, status): one composite index serves it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaints') as batch_op:
        batch_op.drop_index('ix_complaints_customer_key')
        batch_op.create_index('ix_complaints_customer_status', ['customer_key', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaints') as batch_op:
        batch_op.drop_index('ix_complaints_customer_status')
        batch_op.create_index('ix_complaints_customer_key', ['customer_key'], unique=False)
