"""The complaints table and import runs, and the imperative mapping of the domain Complaint onto them
(domain stays plain)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

from xiaobao.domain.clocks import Pause
from xiaobao.domain.complaint import Complaint
from xiaobao.store.base import BigId, Json, metadata


class PausesType(TypeDecorator):
    """tuple[Pause] in the domain, a JSON list in the row."""

    impl = Json
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return [{"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None, "reason": p.reason}
                for p in (value or ())]

    def process_result_value(self, value, dialect):
        return tuple(Pause(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]) if p["end"] else None,
                           p["reason"]) for p in (value or ()))


complaints = Table(
    "complaints", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(40), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("request", Text, nullable=False, default=""),
    Column("complainant_type", String(20), nullable=False, default="person"),
    Column("customer_no", String(64)),
    Column("customer_key", String(64)),
    Column("pii", Json, nullable=False, default=dict),
    Column("masked", Json, nullable=False, default=dict),
    # Encrypted originals of text/request; SQL NULL (never JSON null): a row stored in clear before 0009.
    Column("sealed_text", JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")),
    Column("org_name", String(200)),
    Column("uscc", String(18)),
    Column("respondent", Json, nullable=False, default=dict),
    Column("product", String(100)),
    Column("category", String(60)),
    Column("flags", Json, nullable=False, default=list),
    Column("agent", Json),
    Column("regulator", String(10)),
    Column("regulator_ref", String(100)),
    Column("status", String(20), nullable=False),
    Column("tier", String(4), nullable=False),
    Column("team", String(60)),
    Column("assignee", String(64)),
    Column("clock_policy", String(40), nullable=False),
    Column("clock_started", Date, nullable=False),
    Column("clock_level", Integer, nullable=False, default=0),
    Column("pauses", PausesType, nullable=False, default=list),
    Column("due_date", Date),
    Column("due_estimated", Boolean, nullable=False, default=False),
    Column("decided_at", DateTime),
    Column("decision", Json),
    Column("notified_at", DateTime),
    Column("notice", Json),
    Column("review_requested_at", DateTime),
    Column("review_due_date", Date),
    Column("review", Json),
    Column("satisfaction", String(30)),
    Column("callback_at", DateTime),
    Column("merged_into_id", BigId),
    Column("repeat_of_id", BigId),
    Column("extras", Json, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("channel", "external_id", name="uq_complaints_channel_external_id"),
    Index("ix_complaints_status_due", "status", "due_date"),
    Index("ix_complaints_customer_status", "customer_key", "status"),
    Index("ix_complaints_tier_team", "tier", "team"),
    Index("ix_complaints_received_at", "received_at"),
    Index("ix_complaints_review_due", "review_due_date"),
)

import_runs = Table(
    "import_runs", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("rows", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
)

mapper_registry = registry(metadata=metadata)
_mapped = False


def map_domain() -> None:
    """Idempotent: the domain class is instrumented once per process."""
    global _mapped
    if not _mapped:
        mapper_registry.map_imperatively(Complaint, complaints, version_id_col=complaints.c.version)
        _mapped = True
