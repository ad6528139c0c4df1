"""Tables of the classify area: predictions, complaint points (for trend reports), the team's label
corrections and trained model versions (plain npz bytes, never pickles)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from xiaobao.store.base import BigId, Json, metadata

classify_predictions = Table(
    "classify_predictions", metadata,
    Column("complaint_id", BigId, primary_key=True, autoincrement=False),
    Column("source", String(40), nullable=False),
    Column("category", String(60)),
    Column("suggestion", String(60), nullable=False),
    Column("axis_b", String(20), nullable=False),
    Column("axis_c", String(20)),
    Column("confidence", Float, nullable=False),
    Column("needs_person", Boolean, nullable=False),
    Column("escalation_risk", Float, nullable=False),
    Column("escalation_flagged", Boolean, nullable=False),
    Column("points", Json, nullable=False, default=list),
    Column("findings", Json, nullable=False, default=list),
    Column("corrected_by", String(64)),
    Column("predicted_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_classify_predictions_needs_person", "needs_person"),
    Index("ix_classify_predictions_escalation", "escalation_flagged"),
)

# One row per (complaint, point): the trend report counts these by period without unpacking JSON.
classify_points = Table(
    "classify_points", metadata,
    Column("complaint_id", BigId, primary_key=True, autoincrement=False),
    Column("point_id", String(80), primary_key=True),
    Column("name_zh", String(100), nullable=False),
    Column("category", String(60), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Index("ix_classify_points_point_received", "point_id", "received_at"),
    Index("ix_classify_points_received", "received_at"),
)

classify_labels = Table(
    "classify_labels", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("complaint_id", BigId, nullable=False),
    Column("category", String(60), nullable=False),
    Column("axis_b", String(20), nullable=False),
    Column("axis_c", String(20), nullable=False),
    Column("previous", Json, nullable=False, default=dict),
    Column("actor", String(64), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("at", DateTime, nullable=False),
    Index("ix_classify_labels_complaint", "complaint_id", "id"),
)

classify_models = Table(
    "classify_models", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("n_labels", Integer, nullable=False),
    Column("classes", Json, nullable=False),
    Column("metrics", Json, nullable=False, default=dict),
    Column("sha256", String(64), nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Column("axis_b_blob", LargeBinary),
    Column("active", Boolean, nullable=False, default=False),
    Column("note", Text, nullable=False, default=""),
)
