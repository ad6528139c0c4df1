"""Queries over the black/gray tables: flags, leads and members, intelligence, settings."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xiaobao.store.blackgray.tables import bg_flags, bg_intel, bg_lead_members, bg_leads, bg_settings
from xiaobao.store.complaints.tables import complaints

_FLAG_REVIEW_COLUMNS = ("review_status", "reviewed_by", "reviewed_at", "review_note")


@functools.lru_cache(maxsize=64)
def _upsert_statement(dialect_name: str, table, keys: tuple[str, ...], update_cols: tuple[str, ...]):
    # built once: constructing `excluded` anew costs milliseconds per call, more than the write itself
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={c: getattr(stmt.excluded, c) for c in update_cols})


def _upsert(session: Session, table, rows: list[dict[str, Any]], keys: Sequence[str], update_cols: Sequence[str]):
    """INSERT … ON CONFLICT DO UPDATE on either database (both dialects speak it)."""
    if not rows:
        return
    stmt = _upsert_statement(session.get_bind().dialect.name, table, tuple(keys), tuple(update_cols))
    for i in range(0, len(rows), 1000):
        session.execute(stmt, rows[i:i + 1000])


class BlackgrayRepository:
    def __init__(self, session: Session):
        self.session = session

    # ---- the corpus the detector indexes -----------------------------------------------------
    def complaints_after(self, last_id: int, limit: int = 5000) -> list[Any]:
        c = complaints.c
        return list(self.session.execute(
            select(c.id, c.channel, c.external_id, c.received_at, c.text, c.sealed_text, c.customer_key, c.pii,
                   c.extras)
            .where(c.id > last_id).order_by(c.id).limit(limit)))

    def complaint_keys_after(self, last_id: int, limit: int = 5000) -> list[Any]:
        """(id, channel, external_id) of the complaints after `last_id`, in id order: what the
        detector's catch-up checks first, so it reads (and decrypts) only complaints it lacks."""
        c = complaints.c
        return list(self.session.execute(
            select(c.id, c.channel, c.external_id).where(c.id > last_id).order_by(c.id).limit(limit)))

    def complaints_by_ids(self, ids: Sequence[int]) -> list[Any]:
        """`complaints_after`'s columns for these complaints, in id order."""
        c = complaints.c
        out: list[Any] = []
        ids = sorted(ids)
        for i in range(0, len(ids), 500):
            out += self.session.execute(
                select(c.id, c.channel, c.external_id, c.received_at, c.text, c.sealed_text, c.customer_key, c.pii,
                       c.extras)
                .where(c.id.in_(ids[i:i + 500])).order_by(c.id))
        return out

    def max_complaint_id(self) -> int:
        return self.session.execute(select(func.max(complaints.c.id))).scalar() or 0

    # ---- flags ---------------------------------------------------------------------------------
    def upsert_flags(self, rows: list[dict[str, Any]]) -> None:
        """Scores refresh; a reviewer's decision on the complaint survives every rescan."""
        cols = [c.name for c in bg_flags.c if c.name not in ("complaint_id", *_FLAG_REVIEW_COLUMNS)]
        for r in rows:
            r.setdefault("review_status", "pending")
        _upsert(self.session, bg_flags, rows, ["complaint_id"], cols)

    def flags_for(self, ids: Iterable[int], *, brief: bool = False) -> dict[int, dict[str, Any]]:
        """complaint id → its flag row; `brief`: only the verdict's score, flag, family and gang (what
        triage compares before rewriting a row — no signals to read and decode)."""
        f = bg_flags.c
        cols = (f.complaint_id, f.score, f.flagged, f.family_key, f.gang_key) if brief else (bg_flags,)
        ids = list(ids)
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            for r in self.session.execute(select(*cols).where(f.complaint_id.in_(ids[i:i + 500]))):
                out[r.complaint_id] = dict(r._mapping)
        return out

    def flag(self, complaint_id: int) -> dict[str, Any] | None:
        r = self.session.execute(select(bg_flags).where(bg_flags.c.complaint_id == complaint_id)).first()
        return None if r is None else dict(r._mapping)

    def same_group(self, family_key: str | None, gang_key: str | None, exclude: int,
                   limit: int = 50) -> list[dict[str, Any]]:
        """Other complaints scored into the same template family or gang (complaint_id, family_key, gang_key)."""
        f = bg_flags.c
        cond = [f.family_key == family_key] if family_key else []
        if gang_key:
            cond.append(f.gang_key == gang_key)
        if not cond:
            return []
        rows = self.session.execute(select(f.complaint_id, f.family_key, f.gang_key, f.score)
                                    .where(or_(*cond), f.complaint_id != exclude)
                                    .order_by(f.score.desc(), f.complaint_id).limit(limit))
        return [dict(r._mapping) for r in rows]

    def review_flags(self, ids: Iterable[int], status: str, by: str, at: datetime, note: str | None,
                     only_pending: bool = False) -> int:
        stmt = update(bg_flags).where(bg_flags.c.complaint_id.in_(list(ids)))
        if only_pending:
            stmt = stmt.where(bg_flags.c.review_status == "pending")
        return self.session.execute(stmt.values(review_status=status, reviewed_by=by, reviewed_at=at,
                                                review_note=note)).rowcount

    def queue(self, *, review_status: str | None, kind: str | None, limit: int, offset: int) -> tuple[int, list]:
        c, f = complaints.c, bg_flags.c
        cond = [f.flagged.is_(True)]
        if review_status:
            cond.append(f.review_status == review_status)
        if kind:
            cond.append(f.kind == kind)
        total = self.session.execute(select(func.count()).select_from(bg_flags).where(*cond)).scalar()
        rows = self.session.execute(
            select(f.complaint_id, f.score, f.kind, f.family_key, f.gang_key, f.review_status, f.scanned_at,
                   c.channel, c.external_id, c.received_at, c.status, c.tier, c.team, c.due_date, c.masked)
            .join(complaints, complaints.c.id == f.complaint_id).where(*cond)
            .order_by(f.score.desc(), f.complaint_id).limit(limit).offset(offset))
        return total, [dict(r._mapping) for r in rows]

    def reviewed_scores(self) -> list[tuple[float, bool]]:
        rows = self.session.execute(select(bg_flags.c.score, bg_flags.c.review_status)
                                    .where(bg_flags.c.review_status.in_(("confirmed", "rejected"))))
        return [(float(s), st == "confirmed") for s, st in rows]

    def add_flag_to_complaints(self, ids: Iterable[int], flag: str, at: datetime) -> int:
        """Put `flag` on complaints that lack it (bumping the row version the ORM checks)."""
        n = 0
        for cid, flags, version in self.session.execute(
                select(complaints.c.id, complaints.c.flags, complaints.c.version).where(complaints.c.id.in_(list(ids)))):
            if flag not in (flags or []):
                n += self.session.execute(update(complaints).where(complaints.c.id == cid, complaints.c.version == version)
                                          .values(flags=[*(flags or []), flag], version=version + 1,
                                                  updated_at=at)).rowcount
        return n

    # ---- leads ---------------------------------------------------------------------------------
    def leads(self, *, status: str | None = None, lead_type: str | None = None, limit: int = 100,
              offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        cond = []
        if status:
            cond.append(bg_leads.c.status == status)
        if lead_type:
            cond.append(bg_leads.c.lead_type == lead_type)
        total = self.session.execute(select(func.count()).select_from(bg_leads).where(*cond)).scalar()
        rows = self.session.execute(select(bg_leads).where(*cond)
                                    .order_by(bg_leads.c.score.desc(), bg_leads.c.complaints.desc(), bg_leads.c.id)
                                    .limit(limit).offset(offset))
        return total, [dict(r._mapping) for r in rows]

    def lead(self, lead_id: int) -> dict[str, Any] | None:
        r = self.session.execute(select(bg_leads).where(bg_leads.c.id == lead_id)).first()
        return None if r is None else dict(r._mapping)

    def lead_keys(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r.lead_type, r.key): dict(r._mapping)
                for r in self.session.execute(select(bg_leads.c.id, bg_leads.c.lead_type, bg_leads.c.key,
                                                     bg_leads.c.status))}

    def save_lead(self, row: dict[str, Any], existing_id: int | None) -> int:
        if existing_id is None:
            return self.session.execute(insert(bg_leads).returning(bg_leads.c.id), [row]).scalar_one()
        row = {k: v for k, v in row.items() if k not in ("created_at", "status")}
        self.session.execute(update(bg_leads).where(bg_leads.c.id == existing_id).values(**row))
        return existing_id

    def set_members(self, lead_id: int, complaint_ids: Sequence[int], at: datetime) -> None:
        have = {r[0] for r in self.session.execute(select(bg_lead_members.c.complaint_id)
                                                   .where(bg_lead_members.c.lead_id == lead_id))}
        want = set(complaint_ids)
        if have - want:
            self.session.execute(delete(bg_lead_members).where(bg_lead_members.c.lead_id == lead_id,
                                                               bg_lead_members.c.complaint_id.in_(list(have - want))))
        new = [{"lead_id": lead_id, "complaint_id": c, "added_at": at} for c in sorted(want - have)]
        if new:
            self.session.execute(insert(bg_lead_members), new)

    def member_ids(self, lead_id: int) -> list[int]:
        return [r[0] for r in self.session.execute(select(bg_lead_members.c.complaint_id)
                                                   .where(bg_lead_members.c.lead_id == lead_id)
                                                   .order_by(bg_lead_members.c.complaint_id))]

    def members(self, lead_id: int) -> list[dict[str, Any]]:
        c, f = complaints.c, bg_flags.c
        rows = self.session.execute(
            select(c.id, c.channel, c.external_id, c.received_at, c.text, c.sealed_text, c.status, c.tier, c.team,
                   c.masked, c.pii, c.customer_key, c.category, c.product, f.score, f.kind, f.review_status, f.signals)
            .join(bg_lead_members, bg_lead_members.c.complaint_id == c.id)
            .outerjoin(bg_flags, bg_flags.c.complaint_id == c.id)
            .where(bg_lead_members.c.lead_id == lead_id).order_by(c.received_at, c.id))
        return [dict(r._mapping) for r in rows]

    def leads_of(self, complaint_id: int) -> list[dict[str, Any]]:
        rows = self.session.execute(select(bg_leads).join(bg_lead_members, bg_lead_members.c.lead_id == bg_leads.c.id)
                                    .where(bg_lead_members.c.complaint_id == complaint_id))
        return [dict(r._mapping) for r in rows]

    def review_lead(self, lead_id: int, status: str, by: str, at: datetime, note: str | None) -> None:
        self.session.execute(update(bg_leads).where(bg_leads.c.id == lead_id)
                             .values(status=status, reviewed_by=by, reviewed_at=at, review_note=note, updated_at=at))

    def mark_stale(self, ids: Iterable[int], at: datetime) -> None:
        ids = list(ids)
        if ids:
            self.session.execute(update(bg_leads).where(bg_leads.c.id.in_(ids), bg_leads.c.status == "open")
                                 .values(status="merged", updated_at=at))

    # ---- intelligence --------------------------------------------------------------------------
    def upsert_intel(self, rows: list[dict[str, Any]]) -> None:
        _upsert(self.session, bg_intel, rows, ["kind", "value_key", "source"],
                ["display", "template_text", "expires_on", "note", "imported_at", "import_ref"])

    def intel(self) -> list[Any]:
        return list(self.session.execute(select(bg_intel.c.id, bg_intel.c.kind, bg_intel.c.value_key,
                                                bg_intel.c.display, bg_intel.c.template_text, bg_intel.c.source,
                                                bg_intel.c.expires_on)))

    def intel_counts(self, today: date) -> dict[str, int]:
        rows = self.session.execute(select(bg_intel.c.kind, func.count()).group_by(bg_intel.c.kind))
        live = self.session.execute(select(func.count()).select_from(bg_intel).where(
            (bg_intel.c.expires_on.is_(None)) | (bg_intel.c.expires_on >= today))).scalar()
        return {**{k: n for k, n in rows}, "live": live}

    # ---- settings ------------------------------------------------------------------------------
    def setting(self, name: str) -> Any:
        r = self.session.execute(select(bg_settings.c.value).where(bg_settings.c.name == name)).first()
        return None if r is None else r[0]

    def put_setting(self, name: str, value: Any, by: str, at: datetime) -> None:
        _upsert(self.session, bg_settings, [{"name": name, "value": value, "updated_at": at, "updated_by": by}],
                ["name"], ["value", "updated_at", "updated_by"])
