"""Collection QA tables: calls, their findings (with the utterance and its time), and disputes."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xiaobao.store.base import BigId, Json, metadata

collection_calls = Table(
    "collection_calls", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("call_id", String(128), nullable=False),
    Column("agency", String(128), nullable=False),
    Column("collector_id", String(128), nullable=False),
    Column("debtor_id", String(128), nullable=False),
    # Keyed blind indexes computed exactly like a complaint's customer_key ("id:…", "phone:…"), so a
    # complaint about collection finds this debtor's calls without either side holding clear PII.
    Column("debtor_key", String(64)),
    Column("debtor_phone_key", String(64)),
    Column("callee_number_key", String(64)),
    Column("pii", Json, nullable=False, default=dict),  # encrypted (vault), per field
    Column("masked", Json, nullable=False, default=dict),
    Column("started_at", DateTime, nullable=False),  # UTC, naive
    Column("local_date", Date, nullable=False),  # the debtor's local day
    Column("timezone", String(40), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("callee_relation", String(30), nullable=False),
    Column("connected", Boolean, nullable=False),
    Column("record", Json, nullable=False),  # the validated record without PII fields, for re-inspection
    Column("compliant", Boolean, nullable=False),
    Column("violation_count", Integer, nullable=False, default=0),
    Column("imported_by", String(64), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    UniqueConstraint("call_id", name="uq_collection_calls_call_id"),
    Index("ix_collection_calls_debtor_day", "debtor_id", "local_date"),
    Index("ix_collection_calls_debtor_key", "debtor_key"),
    Index("ix_collection_calls_debtor_phone_key", "debtor_phone_key"),
    Index("ix_collection_calls_agency_day", "agency", "local_date"),
    Index("ix_collection_calls_collector_day", "collector_id", "local_date"),
)

collection_findings = Table(
    "collection_findings", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("call_id", String(128), nullable=False),
    Column("code", String(40), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("turn", Integer, nullable=False, default=-1),  # -1: the call as a whole
    Column("speaker", String(20)),
    Column("utterance", Text),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Column("t_start_s", Float),
    Column("t_end_s", Float),
    Column("message", Text, nullable=False),
    Column("citation", Text),
    Column("evidence", Json, nullable=False, default=dict),
    Column("score", Float, nullable=False),
    Column("status", String(20), nullable=False, default="open"),  # open | disputed | upheld | overturned
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("call_id", "rule_id", "turn", name="uq_collection_findings_call_rule_turn"),
    Index("ix_collection_findings_status", "status"),
)

collection_disputes = Table(
    "collection_disputes", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("finding_id", BigId, nullable=False, index=True),
    Column("disputed_by", String(64), nullable=False),
    Column("disputed_at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime),
    Column("decision", String(20)),  # upheld | overturned
    Column("decision_reason", Text),
)
