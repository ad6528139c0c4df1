"""classify: predictions, complaint points, label corrections, trained model versions

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0003'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('classify_predictions',
    sa.Column('complaint_id', BigId, autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=True),
    sa.Column('suggestion', sa.String(length=60), nullable=False),
    sa.Column('axis_b', sa.String(length=20), nullable=False),
    sa.Column('axis_c', sa.String(length=20), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('needs_person', sa.Boolean(), nullable=False),
    sa.Column('escalation_risk', sa.Float(), nullable=False),
    sa.Column('escalation_flagged', sa.Boolean(), nullable=False),
    sa.Column('points', Json, nullable=False),
    sa.Column('findings', Json, nullable=False),
    sa.Column('corrected_by', sa.String(length=64), nullable=True),
    sa.Column('predicted_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_classify_predictions'))
    )
    op.create_index('ix_classify_predictions_needs_person', 'classify_predictions', ['needs_person'])
    op.create_index('ix_classify_predictions_escalation', 'classify_predictions', ['escalation_flagged'])
    op.create_table('classify_points',
    sa.Column('complaint_id', BigId, autoincrement=False, nullable=False),
    sa.Column('point_id', sa.String(length=80), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('complaint_id', 'point_id', name=op.f('pk_classify_points'))
    )
    op.create_index('ix_classify_points_point_received', 'classify_points', ['point_id', 'received_at'])
    op.create_index('ix_classify_points_received', 'classify_points', ['received_at'])
    op.create_table('classify_labels',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('complaint_id', BigId, nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('axis_b', sa.String(length=20), nullable=False),
    sa.Column('axis_c', sa.String(length=20), nullable=False),
    sa.Column('previous', Json, nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classify_labels'))
    )
    op.create_index('ix_classify_labels_complaint', 'classify_labels', ['complaint_id', 'id'])
    op.create_table('classify_models',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('n_labels', sa.Integer(), nullable=False),
    sa.Column('classes', Json, nullable=False),
    sa.Column('metrics', Json, nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.Column('axis_b_blob', sa.LargeBinary(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classify_models'))
    )


def downgrade() -> None:
    op.drop_table('classify_models')
    op.drop_index('ix_classify_labels_complaint', table_name='classify_labels')
    op.drop_table('classify_labels')
    op.drop_index('ix_classify_points_received', table_name='classify_points')
    op.drop_index('ix_classify_points_point_received', table_name='classify_points')
    op.drop_table('classify_points')
    op.drop_index('ix_classify_predictions_escalation', table_name='classify_predictions')
    op.drop_index('ix_classify_predictions_needs_person', table_name='classify_predictions')
    op.drop_table('classify_predictions')
