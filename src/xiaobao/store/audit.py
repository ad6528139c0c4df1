"""The hash-chained audit log: its tables, appending to it and reading it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterator

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from xiaobao.domain.audit import content_digest, digest_for, keyed_digest, link_hash, verify_chain
from xiaobao.store.db import json_dumps
from xiaobao.store.base import BigId, Json, metadata

audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(60), nullable=False),
    Column("entity_type", String(30), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("content", Json, nullable=False),  # exactly what was hashed: before/after/reason/data
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_entity", "entity_type", "entity_id", "seq"),
)

# One row: the last seq and hash. Appenders lock it, so the chain is strictly sequential.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigId, nullable=False),
    Column("hash", String(64), nullable=False),
    # The first seq whose content digest is keyed (entries before it predate the key); also carried by every
    # signed checkpoint, so changing it here is detected.
    Column("keyed_from", BigId),
)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_jsonable(x) for x in v]
    if isinstance(v, str):
        return str(v)  # StrEnum → plain str, so the hash survives the database round trip
    return v


def hashed_content(at: datetime, actor: str, action: str, entity_type: str, entity_id: str,
                   body: dict[str, Any]) -> dict[str, Any]:
    """What an entry's hash covers. Not its seq: position is fixed by the link to the previous hash,
    and leaving seq out lets the digest be computed before the chain lock is taken."""
    return {"at": at.isoformat(timespec="microseconds"), "actor": actor, "action": action,
            "entity_type": entity_type, "entity_id": str(entity_id), **body}


_HEAD_FOR_UPDATE = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
_HEAD_UPDATE = update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("new_seq"),
                                                                     hash=bindparam("new_hash"))
_LOG_INSERT = insert(audit_log)
_PG_APPEND = text("SELECT xiaobao_audit_append(CAST(:entries AS jsonb))")


class AuditHeadMissing(RuntimeError):
    pass


class AuditRepository:
    def __init__(self, session: Session, key: bytes | None = None):
        self.session = session
        # The chain key (from the key file, see Context): content digests are HMACs under it. Without one
        # (a bare Store in a test or a bench) digests are plain SHA-256 and verify as such.
        self.key = key

    def _digest(self, content: dict[str, Any]) -> str:
        return keyed_digest(self.key, content) if self.key is not None else content_digest(content)

    def _lock_head(self) -> tuple[int, str]:
        # FOR UPDATE serialises appenders on PostgreSQL; SQLite writers already hold the write lock.
        row = self.session.execute(_HEAD_FOR_UPDATE).first()
        if row is None:
            raise AuditHeadMissing("审计链头记录缺失（数据库未迁移或被篡改）：请运行 xiaobao audit verify")
        return row.seq, row.hash

    def append_many(self, entries: list[tuple[datetime, str, str, str, str, dict[str, Any]]]) -> int:
        """entries: (at, actor, action, entity_type, entity_id, body). Returns the last seq."""
        prepared = []
        for at, actor, action, etype, eid, body in entries:
            content = hashed_content(at, actor, action, etype, str(eid), _jsonable(body))
            prepared.append((at, actor, action, etype, str(eid), content, self._digest(content)))
        if not prepared:
            return self._lock_head()[0]
        if self.session.get_bind().dialect.name == "postgresql":
            return self._append_server_side(prepared)
        seq, prev = self._lock_head()
        rows = []
        for at, actor, action, etype, eid, content, digest in prepared:
            seq += 1
            h = link_hash(prev, digest)
            rows.append({"seq": seq, "at": at, "actor": actor, "action": action, "entity_type": etype,
                         "entity_id": eid, "content": content, "prev_hash": prev, "hash": h})
            prev = h
        self.session.execute(_LOG_INSERT, rows)
        self.session.execute(_HEAD_UPDATE, {"new_seq": seq, "new_hash": prev})
        return seq

    def _append_server_side(self, prepared) -> int:
        """One statement (migration 0003's function): lock the head, link, insert, move the head."""
        payload = json_dumps([{"at": at.isoformat(timespec="microseconds"), "actor": actor, "action": action,
                               "entity_type": etype, "entity_id": eid, "content": content, "digest": digest}
                              for at, actor, action, etype, eid, content, digest in prepared])
        seq = self.session.execute(_PG_APPEND, {"entries": payload}).scalar()
        if seq is None:
            raise AuditHeadMissing("审计链头记录缺失（数据库未迁移或被篡改）：请运行 xiaobao audit verify")
        return seq

    def append(self, at: datetime, actor: str, action: str, entity_type: str, entity_id: str,
               body: dict[str, Any]) -> int:
        return self.append_many([(at, actor, action, entity_type, entity_id, body)])

    def for_entity(self, entity_type: str, entity_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(select(audit_log).where(audit_log.c.entity_type == entity_type,
                                                            audit_log.c.entity_id == str(entity_id))
                                    .order_by(audit_log.c.seq)).mappings()
        return [dict(r) for r in rows]

    def iter_chain(self, batch: int = 5000) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
        """Yields the hashed content; a row whose plain columns disagree with it yields a content that cannot
        match its hash, so an edit to either the columns people read or the content fails like any other."""
        last = 0
        while True:
            rows = self.session.execute(select(audit_log).where(audit_log.c.seq > last)
                                        .order_by(audit_log.c.seq).limit(batch)).mappings().all()
            if not rows:
                return
            for r in rows:
                content = r["content"]
                shown = hashed_content(r["at"], r["actor"], r["action"], r["entity_type"], r["entity_id"], {})
                if any(content.get(k) != v for k, v in shown.items()):
                    # The columns people read and the hashed content disagree: whichever side was edited,
                    # the entry must fail its hash (taking the columns alone would pass an edit of the content).
                    content = {**content, **shown, "_columns_disagree": True}
                yield r["seq"], r["prev_hash"], r["hash"], content
            last = rows[-1]["seq"]

    def head(self) -> tuple[int, str] | None:
        row = self.session.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
        return None if row is None else (row.seq, row.hash)

    def keyed_from(self) -> int | None:
        return self.session.execute(select(audit_head.c.keyed_from).where(audit_head.c.id == 1)).scalar()

    def hash_at(self, seq: int) -> str | None:
        return self.session.execute(select(audit_log.c.hash).where(audit_log.c.seq == seq)).scalar()

    def verify(self):
        return verify_chain(self.iter_chain(), self.head(), digest_for(self.key, self.keyed_from()))
