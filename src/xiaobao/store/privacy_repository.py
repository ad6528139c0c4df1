"""Reading and writing the PII access log inside a unit of work's session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .privacy_tables import pii_access_log


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
