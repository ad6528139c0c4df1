"""one head: join the area branches (0004 black/gray … 0009 protected text all branched from 0003)

From here the chain is linear: a new revision's down_revision is the single head before it
(`alembic heads` prints one line; tests/integration/store/test_migrations.py checks it).

Revision ID: 0010
Revises: 0004, 0005, 0006, 0007, 0008, 0009
Create Date: 2026-12-08
"""

revision = '0010'
down_revision = ('0004', '0005', '0006', '0007', '0008', '0009')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
