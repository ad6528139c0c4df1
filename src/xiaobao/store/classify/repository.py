"""Queries of the classify area: predictions and points upserted per complaint, corrections kept as
history, model versions with one active at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from xiaobao.store.classify.tables import (
    classify_labels,
    classify_models,
    classify_points,
    classify_predictions,
)
from xiaobao.store.complaints.tables import complaints


class ClassifyRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- predictions -------------------------------------------------------------------------
    def insert_predictions(self, rows: list[dict[str, Any]], points: list[dict[str, Any]]) -> None:
        """Predictions of complaints that have none yet (stored in this transaction)."""
        if rows:
            self.session.execute(insert(classify_predictions), rows)
        if points:
            self.session.execute(insert(classify_points), points)

    def save_predictions(self, rows: list[dict[str, Any]], points: list[dict[str, Any]]) -> None:
        """Replace the predictions (and their points) of these complaints: re-running is idempotent.
        A prediction an agent already corrected is left alone (only its findings refresh)."""
        if not rows:
            return
        ids = [r["complaint_id"] for r in rows]
        corrected = set(self.session.scalars(select(classify_predictions.c.complaint_id).where(
            classify_predictions.c.complaint_id.in_(ids), classify_predictions.c.corrected_by.is_not(None))))
        fresh = [r for r in rows if r["complaint_id"] not in corrected]
        for r in rows:
            if r["complaint_id"] in corrected:
                self.session.execute(update(classify_predictions)
                                     .where(classify_predictions.c.complaint_id == r["complaint_id"])
                                     .values(findings=r["findings"], points=r["points"],
                                             escalation_risk=r["escalation_risk"],
                                             escalation_flagged=r["escalation_flagged"], updated_at=r["updated_at"]))
        if fresh:
            self.session.execute(delete(classify_predictions).where(
                classify_predictions.c.complaint_id.in_([r["complaint_id"] for r in fresh])))
            self.session.execute(insert(classify_predictions), fresh)
        self.session.execute(delete(classify_points).where(classify_points.c.complaint_id.in_(ids)))
        if points:
            self.session.execute(insert(classify_points), points)

    def prediction(self, complaint_id: int) -> dict[str, Any] | None:
        row = self.session.execute(select(classify_predictions).where(
            classify_predictions.c.complaint_id == complaint_id)).mappings().first()
        return dict(row) if row else None

    def set_labels(self, complaint_id: int, *, category: str, axis_b: str, axis_c: str, actor: str,
                   now: datetime) -> None:
        self.session.execute(update(classify_predictions).where(classify_predictions.c.complaint_id == complaint_id)
                             .values(category=category, axis_b=axis_b, axis_c=axis_c, needs_person=False,
                                     corrected_by=actor, updated_at=now))
        self.session.execute(update(classify_points).where(classify_points.c.complaint_id == complaint_id)
                             .values(category=category))

    # -- corrections -------------------------------------------------------------------------
    def add_label(self, row: dict[str, Any]) -> int:
        return self.session.execute(insert(classify_labels).returning(classify_labels.c.id), row).scalar_one()

    def labels(self, complaint_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.session.execute(select(classify_labels).where(
            classify_labels.c.complaint_id == complaint_id).order_by(classify_labels.c.id)).mappings()]

    def latest_labels_with_text(self) -> list[tuple[int, str, str, str]]:
        """(complaint_id, text, category, axis_b): each complaint's latest correction, for training."""
        last = (select(func.max(classify_labels.c.id).label("id")).group_by(classify_labels.c.complaint_id)
                .subquery())
        stmt = (select(classify_labels.c.complaint_id, complaints.c.text, classify_labels.c.category,
                       classify_labels.c.axis_b)
                .join(last, last.c.id == classify_labels.c.id)
                .join(complaints, complaints.c.id == classify_labels.c.complaint_id)
                .order_by(classify_labels.c.complaint_id))
        return [tuple(r) for r in self.session.execute(stmt)]

    def label_counts(self, since: datetime | None = None) -> tuple[int, int]:
        """(complaints labelled, labels recorded), all of them or those recorded after `since`."""
        stmt = select(func.count(func.distinct(classify_labels.c.complaint_id)), func.count())
        if since is not None:
            stmt = stmt.where(classify_labels.c.at > since)
        done, n = self.session.execute(stmt.select_from(classify_labels)).one()
        return int(done or 0), int(n or 0)

    def needs_person_count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(classify_predictions)
                                       .where(classify_predictions.c.needs_person.is_(True))) or 0)

    # -- models ------------------------------------------------------------------------------
    def add_model(self, row: dict[str, Any], *, activate: bool) -> int:
        if activate:
            self.session.execute(update(classify_models).where(classify_models.c.active.is_(True)).values(active=False))
        return self.session.execute(insert(classify_models).returning(classify_models.c.id),
                                    {**row, "active": activate}).scalar_one()

    def active_model_key(self) -> tuple[int, str] | None:
        """(id, sha256) of the active model: the id names a version in this database only, the digest
        says which model it is (what a per-process cache of loaded models can be keyed by)."""
        row = self.session.execute(select(classify_models.c.id, classify_models.c.sha256)
                                   .where(classify_models.c.active.is_(True))
                                   .order_by(classify_models.c.id.desc()).limit(1)).first()
        return (int(row[0]), str(row[1])) if row else None

    def active_model_id(self) -> int | None:
        return self.session.scalar(select(classify_models.c.id).where(classify_models.c.active.is_(True))
                                   .order_by(classify_models.c.id.desc()).limit(1))

    def model(self, model_id: int) -> dict[str, Any] | None:
        row = self.session.execute(select(classify_models).where(classify_models.c.id == model_id)).mappings().first()
        return dict(row) if row else None

    def models(self) -> list[dict[str, Any]]:
        cols = [c for c in classify_models.c if c.name not in ("blob", "axis_b_blob")]
        return [dict(r) for r in self.session.execute(select(*cols).order_by(classify_models.c.id)).mappings()]

    def activate(self, model_id: int | None) -> None:
        self.session.execute(update(classify_models).values(active=classify_models.c.id == model_id)
                             if model_id is not None else update(classify_models).values(active=False))

    # -- reports -----------------------------------------------------------------------------
    def point_counts(self, start: datetime, end: datetime) -> dict[str, tuple[str, str, int]]:
        stmt = (select(classify_points.c.point_id, func.min(classify_points.c.name_zh),
                       func.min(classify_points.c.category), func.count())
                .where(classify_points.c.received_at >= start, classify_points.c.received_at < end)
                .group_by(classify_points.c.point_id))
        return {pid: (name, cat, n) for pid, name, cat, n in self.session.execute(stmt)}

    def point_complaints(self, point_id: str, start: datetime, end: datetime, limit: int) -> list[int]:
        stmt = (select(classify_points.c.complaint_id).where(
            classify_points.c.point_id == point_id, classify_points.c.received_at >= start,
            classify_points.c.received_at < end).order_by(classify_points.c.received_at.desc()).limit(limit))
        return list(self.session.scalars(stmt))

    def texts_for(self, ids: Iterable[int]) -> list[tuple[int, str, datetime, Any]]:
        stmt = select(complaints.c.id, complaints.c.text, complaints.c.received_at, complaints.c.repeat_of_id).where(
            complaints.c.id.in_(list(ids))).order_by(complaints.c.id)
        return [tuple(r) for r in self.session.execute(stmt)]

    def unclassified_ids(self, limit: int) -> list[int]:
        stmt = (select(complaints.c.id).outerjoin(classify_predictions,
                                                  classify_predictions.c.complaint_id == complaints.c.id)
                .where(classify_predictions.c.complaint_id.is_(None)).order_by(complaints.c.id).limit(limit))
        return list(self.session.scalars(stmt))
