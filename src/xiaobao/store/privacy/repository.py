"""Reading and writing the PII access log, and complaints' protected free text, inside a unit of work's session."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from xiaobao.store.privacy.tables import pii_access_log
from xiaobao.store.complaints.tables import complaints


class PiiAccessRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **row: Any) -> None:
        self.session.execute(insert(pii_access_log).values(**row))

    def recent(self, limit: int = 100, actor: str | None = None) -> list[dict[str, Any]]:
        q = select(pii_access_log).order_by(pii_access_log.c.id.desc()).limit(limit)
        if actor:
            q = q.where(pii_access_log.c.actor == actor)
        return [dict(r._mapping) for r in self.session.execute(q)]


class ComplaintTextRepository:
    """The stored (masked) free text of complaints with its sealed originals."""

    def __init__(self, session: Session):
        self.session = session

    def texts(self, ids: Iterable[int]) -> dict[int, tuple[str, str, dict[str, str] | None]]:
        """id → (text, request, sealed_text)."""
        ids, c, out = list(ids), complaints.c, {}
        for i in range(0, len(ids), 500):
            for r in self.session.execute(select(c.id, c.text, c.request, c.sealed_text)
                                          .where(c.id.in_(ids[i:i + 500]))):
                out[r.id] = (r.text, r.request, r.sealed_text)
        return out

    def in_clear(self, after_id: int, limit: int) -> list[Any]:
        """Rows stored before free text was protected (sealed_text NULL): id, text, request, pii."""
        c = complaints.c
        return list(self.session.execute(select(c.id, c.text, c.request, c.pii)
                                         .where(c.sealed_text.is_(None), c.id > after_id)
                                         .order_by(c.id).limit(limit)))

    def seal(self, complaint_id: int, text: str, request: str, sealed: dict[str, str]) -> None:
        self.session.execute(update(complaints).where(complaints.c.id == complaint_id)
                             .values(text=text, request=request, sealed_text=sealed))
