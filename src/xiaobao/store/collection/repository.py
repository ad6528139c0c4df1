"""Queries over the collection QA tables: calls, findings, disputes, scorecard rows, complaint links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xiaobao.store.collection.tables import (
    collection_calls,
    collection_disputes,
    collection_findings,
)
from xiaobao.store.complaints.tables import complaints

_CHUNK = 500


def _chunks(values: Sequence[Any]):
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


class CollectionRepository:
    def __init__(self, session: Session):
        self.session = session

    # ---- calls -------------------------------------------------------------------------------
    def existing_call_ids(self, call_ids: Sequence[str]) -> set[str]:
        c = collection_calls.c
        out: set[str] = set()
        for part in _chunks(list(call_ids)):
            out.update(self.session.execute(select(c.call_id).where(c.call_id.in_(part))).scalars())
        return out

    def add_calls(self, rows: list[dict[str, Any]]) -> None:
        for part in _chunks(rows):
            self.session.execute(insert(collection_calls), part)

    def records_for_debtors(self, debtor_ids: Iterable[str], day_from: date, day_to: date) -> list[dict[str, Any]]:
        """Stored records of these debtors' calls within the local days: the cross-call rules' history."""
        c = collection_calls.c
        out: list[dict[str, Any]] = []
        for part in _chunks(sorted(set(debtor_ids))):
            out += self.session.execute(select(c.record).where(c.debtor_id.in_(part), c.local_date >= day_from,
                                                               c.local_date <= day_to)).scalars()
        return out

    def get_call(self, call_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(collection_calls).where(collection_calls.c.call_id == call_id)).mappings().first()
        return dict(row) if row else None

    def calls_for_keys(self, keys: Sequence[str], limit: int = 500) -> list[dict[str, Any]]:
        c = collection_calls.c
        if not keys:
            return []
        rows = self.session.execute(select(collection_calls).where(or_(c.debtor_key.in_(keys), c.debtor_phone_key.in_(keys)))
                                    .order_by(c.started_at).limit(limit)).mappings()
        return [dict(r) for r in rows]

    def calls(self, *, agency: str | None = None, collector_id: str | None = None, debtor_id: str | None = None,
              code: str | None = None, disputed: bool | None = None, violating: bool | None = None,
              day_from: date | None = None, day_to: date | None = None,
              limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """Calls matching the filters, newest first, and how many match. `code`: a counted (not
        overturned) finding of that code; `disputed`: a finding awaiting a decision on its dispute."""
        c, f = collection_calls.c, collection_findings.c
        where = []
        if agency:
            where.append(c.agency == agency)
        if collector_id:
            where.append(c.collector_id == collector_id)
        if debtor_id:
            where.append(c.debtor_id == debtor_id)
        if violating is not None:
            where.append(c.compliant.is_(not violating))
        if day_from is not None:
            where.append(c.local_date >= day_from)
        if day_to is not None:
            where.append(c.local_date <= day_to)
        if code:
            where.append(c.call_id.in_(select(f.call_id).where(f.code == code, f.status != "overturned")))
        if disputed is not None:
            pending = c.call_id.in_(select(f.call_id).where(f.status == "disputed"))
            where.append(pending if disputed else ~pending)
        total = self.session.execute(select(func.count()).select_from(collection_calls).where(*where)).scalar_one()
        rows = self.session.execute(select(collection_calls).where(*where)
                                    .order_by(c.started_at.desc(), c.call_id).limit(limit).offset(offset)).mappings()
        return total, [dict(r) for r in rows]

    def finding_summaries(self, call_ids: Sequence[str]) -> list[dict[str, Any]]:
        """(call_id, code, status) of every finding of these calls."""
        f = collection_findings.c
        out: list[dict[str, Any]] = []
        for part in _chunks(list(call_ids)):
            out += [dict(r) for r in self.session.execute(select(f.call_id, f.code, f.status)
                                                          .where(f.call_id.in_(part)).order_by(f.id)).mappings()]
        return out

    def agencies(self) -> list[str]:
        c = collection_calls.c
        return list(self.session.execute(select(c.agency).distinct().order_by(c.agency)).scalars())

    def set_compliance(self, call_ids: Iterable[str]) -> None:
        """Recount open/upheld findings per call (overturned ones no longer count)."""
        f, c = collection_findings.c, collection_calls.c
        for part in _chunks(sorted(set(call_ids))):
            counts = dict(self.session.execute(
                select(f.call_id, func.count()).where(f.call_id.in_(part), f.status != "overturned")
                .group_by(f.call_id)).all())
            for cid in part:
                n = counts.get(cid, 0)
                self.session.execute(update(collection_calls).where(c.call_id == cid)
                                     .values(violation_count=n, compliant=n == 0))

    # ---- findings ----------------------------------------------------------------------------
    def add_findings(self, rows: list[dict[str, Any]]) -> int:
        """Insert, skipping any (call, rule, turn) already stored: re-inspection is idempotent."""
        if not rows:
            return 0
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(collection_findings).on_conflict_do_nothing(index_elements=["call_id", "rule_id", "turn"])
        n = 0
        for part in _chunks(rows):
            n += self.session.execute(stmt, part).rowcount or 0
        return n

    def findings_for_call(self, call_id: str) -> list[dict[str, Any]]:
        f = collection_findings.c
        rows = self.session.execute(select(collection_findings).where(f.call_id == call_id)
                                    .order_by(f.turn, f.id)).mappings()
        return [dict(r) for r in rows]

    def finding(self, finding_id: int, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(collection_findings).where(collection_findings.c.id == finding_id)
        if lock:
            stmt = stmt.with_for_update()
        row = self.session.execute(stmt).mappings().first()
        return dict(row) if row else None

    def set_finding_status(self, finding_id: int, status: str) -> None:
        self.session.execute(update(collection_findings).where(collection_findings.c.id == finding_id)
                             .values(status=status))

    # ---- disputes (the Review) ---------------------------------------------------------------
    def add_dispute(self, row: dict[str, Any]) -> int:
        return self.session.execute(insert(collection_disputes).returning(collection_disputes.c.id), row).scalar_one()

    def open_dispute(self, finding_id: int) -> dict[str, Any] | None:
        d = collection_disputes.c
        row = self.session.execute(select(collection_disputes).where(d.finding_id == finding_id, d.decision.is_(None))
                                   .order_by(d.id.desc())).mappings().first()
        return dict(row) if row else None

    def decide_dispute(self, dispute_id: int, values: dict[str, Any]) -> None:
        self.session.execute(update(collection_disputes).where(collection_disputes.c.id == dispute_id).values(**values))

    def disputes_for(self, finding_ids: Sequence[int]) -> list[dict[str, Any]]:
        d = collection_disputes.c
        if not finding_ids:
            return []
        return [dict(r) for r in self.session.execute(select(collection_disputes).where(d.finding_id.in_(finding_ids))
                                                      .order_by(d.id)).mappings()]

    # ---- scorecards --------------------------------------------------------------------------
    def scorecard_rows(self, day_from: date, day_to: date) -> tuple[list[Any], list[Any]]:
        """Calls (agency, collector, day, call) and counted findings (call, code) in the period."""
        c, f = collection_calls.c, collection_findings.c
        calls = self.session.execute(select(c.agency, c.collector_id, c.local_date, c.call_id)
                                     .where(c.local_date >= day_from, c.local_date <= day_to)).all()
        findings = self.session.execute(
            select(f.call_id, f.code).join(collection_calls, c.call_id == f.call_id)
            .where(c.local_date >= day_from, c.local_date <= day_to, f.status != "overturned")).all()
        return calls, findings

    # ---- complaint linkage -------------------------------------------------------------------
    def complaint_link(self, complaint_id: int) -> dict[str, Any] | None:
        cc = complaints.c
        row = self.session.execute(select(cc.id, cc.customer_key, cc.category, cc.channel, cc.external_id)
                                   .where(cc.id == complaint_id)).mappings().first()
        return dict(row) if row else None
