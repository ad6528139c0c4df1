"""Black/gray storage: per-complaint triage flags, leads (线索) and their members, intelligence, and
the thresholds reviews have calibrated. Contact values are kept as keyed blind indexes plus a display
mask, never in clear: a lead is evidence about people, and the vault decides who reads them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xiaobao.store.base import BigId, Json, metadata

bg_flags = Table(
    "bg_flags", metadata,
    Column("complaint_id", BigId, ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True),
    Column("score", Float, nullable=False),
    Column("flagged", Boolean, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("family_key", String(160)),
    Column("gang_key", String(160)),
    Column("signals", Json, nullable=False, default=list),
    Column("threshold", Float, nullable=False),
    Column("scanned_at", DateTime, nullable=False),
    Column("review_status", String(12), nullable=False, default="pending"),  # pending|confirmed|rejected
    Column("reviewed_by", String(64)),
    Column("reviewed_at", DateTime),
    Column("review_note", Text),
    Index("ix_bg_flags_flagged_review", "flagged", "review_status"),
)

bg_leads = Table(
    "bg_leads", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("lead_type", String(10), nullable=False),  # gang | family
    Column("key", String(160), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(12), nullable=False, default="open"),  # open | confirmed | rejected
    Column("score", Float, nullable=False),
    Column("complaints", BigId, nullable=False),
    Column("customers", BigId, nullable=False),
    Column("first_at", DateTime),
    Column("last_at", DateTime),
    Column("artefacts", Json, nullable=False, default=list),
    Column("families", Json, nullable=False, default=list),
    Column("evidence", Json, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", DateTime),
    Column("review_note", Text),
    UniqueConstraint("lead_type", "key", name="uq_bg_leads_type_key"),
    Index("ix_bg_leads_status", "status"),
)

bg_lead_members = Table(
    "bg_lead_members", metadata,
    Column("lead_id", BigId, ForeignKey("bg_leads.id", ondelete="CASCADE"), primary_key=True),
    Column("complaint_id", BigId, ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True),
    Column("added_at", DateTime, nullable=False),
    Index("ix_bg_lead_members_complaint", "complaint_id"),
)

bg_intel = Table(
    "bg_intel", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False),
    Column("value_key", String(64), nullable=False),  # blind index of the normalised value; text digest for templates
    Column("display", String(200), nullable=False),    # masked contact, or the start of a template
    Column("template_text", Text),                     # templates only: scripts are not personal data
    Column("source", String(100), nullable=False),
    Column("expires_on", Date),
    Column("note", Text),
    Column("imported_at", DateTime, nullable=False),
    Column("import_ref", String(64), nullable=False),
    UniqueConstraint("kind", "value_key", "source", name="uq_bg_intel_kind_key_source"),
    Index("ix_bg_intel_key", "value_key"),
)

bg_settings = Table(
    "bg_settings", metadata,
    Column("name", String(60), primary_key=True),
    Column("value", Json, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)
