"""Queries for marketing materials, reviews and publications (used inside a unit of work's session)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from xiaobao.store.marketing.tables import marketing_materials as mm
from xiaobao.store.marketing.tables import marketing_publications as mp
from xiaobao.store.marketing.tables import marketing_reviews as mr


class MarketingRepository:
    def __init__(self, session: Session):
        self.session = session

    def add_material(self, row: dict[str, Any]) -> int:
        return self.session.execute(insert(mm).returning(mm.c.id), row).scalar_one()

    def material(self, material_id: int, for_update: bool = False) -> dict[str, Any] | None:
        stmt = select(mm).where(mm.c.id == material_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.execute(stmt).mappings().first()
        return dict(row) if row else None

    def by_ref(self, ref: str, version: str) -> dict[str, Any] | None:
        row = self.session.execute(select(mm).where(mm.c.ref == ref, mm.c.version == version)).mappings().first()
        return dict(row) if row else None

    def materials(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        stmt = select(mm).order_by(mm.c.id.desc()).limit(limit).offset(offset)
        if status:
            stmt = stmt.where(mm.c.status == status)
        return [dict(r) for r in self.session.execute(stmt).mappings()]

    def set_status(self, material_id: int, status: str, by: str, at: datetime) -> None:
        self.session.execute(update(mm).where(mm.c.id == material_id)
                             .values(status=status, decided_by=by, decided_at=at))

    def add_review(self, row: dict[str, Any]) -> int:
        return self.session.execute(insert(mr).returning(mr.c.id), row).scalar_one()

    def reviews(self, material_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.session.execute(select(mr).where(mr.c.material_id == material_id)
                                                      .order_by(mr.c.at, mr.c.id)).mappings()]

    def approved_with(self, fingerprint: str) -> list[dict[str, Any]]:
        """Approved materials whose content has exactly this fingerprint, newest first."""
        rows = self.session.execute(select(mm).where(mm.c.fingerprint == fingerprint, mm.c.status == "approved")
                                    .order_by(mm.c.decided_at.desc())).mappings()
        return [dict(r) for r in rows]

    def count_by_status(self) -> dict[str, int]:
        return dict(self.session.execute(select(mm.c.status, func.count()).group_by(mm.c.status)).all())

    def publication(self, channel: str, external_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(mp).where(mp.c.channel == channel, mp.c.external_id == external_id)
                                   ).mappings().first()
        return dict(row) if row else None

    def add_publication(self, row: dict[str, Any]) -> int:
        return self.session.execute(insert(mp).returning(mp.c.id), row).scalar_one()

    def publications(self, since: datetime | None = None, until: datetime | None = None) -> list[dict[str, Any]]:
        stmt = select(mp).order_by(mp.c.published_at, mp.c.id)
        if since is not None:
            stmt = stmt.where(mp.c.published_at >= since)
        if until is not None:
            stmt = stmt.where(mp.c.published_at < until)
        return [dict(r) for r in self.session.execute(stmt).mappings()]
