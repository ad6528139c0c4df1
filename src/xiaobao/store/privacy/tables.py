"""Tables of the privacy area: the access log of who unmasked what.

The log never holds the value itself: its keyed blind index lets an auditor see that the same value
was unmasked again, by whom and why, without the log becoming a copy of the data.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table

from xiaobao.store.base import metadata

BigId = BigInteger().with_variant(Integer(), "sqlite")

pii_access_log = Table(
    "pii_access_log", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(20), nullable=False),       # unmask | denied
    Column("pii_type", String(30), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("value_index", String(32), nullable=False),  # Vault.blind_index of the plaintext
    Column("subject", String(120), nullable=False),     # what the value belongs to, e.g. complaint:42
    Column("purpose", String(200), nullable=False),
    Index("ix_pii_access_actor_at", "actor", "at"),
    Index("ix_pii_access_value", "value_index"),
)
