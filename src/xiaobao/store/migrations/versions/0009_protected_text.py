"""privacy: complaint free text stored protected (display-masked text, encrypted originals)

`complaints.text` and `complaints.request` now hold the display-masked words and `sealed_text` the
originals, encrypted by field, where masking changed them. Rows stored before this revision keep
their clear text with `sealed_text` NULL: readers treat them as legacy (masked when shown), and
`xiaobao pii protect-stored` seals them in place (a migration cannot: the keys are not the database's).

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_text', sa.JSON(none_as_null=True).with_variant(
            postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    # The stored text is the masked one: downgrading loses the originals unless they were first
    # written back (decrypt `sealed_text` into `text`/`request`) by the application.
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('sealed_text')
