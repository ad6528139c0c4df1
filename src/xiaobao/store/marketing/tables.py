"""Marketing pre-review tables: materials (one row per submitted version), reviews (a person's decision,
with who/when/why and the fingerprint approved) and publications (what the publishing side put out)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xiaobao.store.base import BigId, Json, metadata

marketing_materials = Table(
    "marketing_materials", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ref", String(100), nullable=False),  # the submitter's own material id
    Column("version", String(40), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("product", String(100), nullable=False),
    Column("title", String(500), nullable=False, default=""),
    Column("format", String(10), nullable=False),
    Column("content", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("findings", Json, nullable=False, default=list),
    Column("apr_min", Float),
    Column("apr_max", Float),
    Column("submitted_by", String(64), nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime),
    UniqueConstraint("ref", "version", name="uq_marketing_materials_ref_version"),
    Index("ix_marketing_materials_fingerprint", "fingerprint", "status"),
    Index("ix_marketing_materials_status", "status", "submitted_at"),
)

marketing_reviews = Table(
    "marketing_reviews", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("material_id", BigId, nullable=False),
    Column("decision", String(20), nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("fingerprint", String(64), nullable=False),
    Column("findings_seen", Json, nullable=False, default=list),
    Index("ix_marketing_reviews_material", "material_id", "at"),
)

marketing_publications = Table(
    "marketing_publications", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(40), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("published_at", DateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("material_id", BigId),
    UniqueConstraint("channel", "external_id", name="uq_marketing_publications_channel_external_id"),
    Index("ix_marketing_publications_published_at", "published_at"),
)
