"""Bulk import of complaint files: idempotent, batch-atomic, every bad row reported and none lost.

Each batch is one transaction holding its complaints and their audit entries, so a crash leaves
whole batches or nothing; (channel, external_id) already stored are skipped, so a re-run completes
an interrupted import and a repeated one changes nothing.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, IO, Iterable

from xiaobao.services.context import Context
from xiaobao.services.complaints.intake.storing import store_drafts
from xiaobao.services.complaints.intake.drafts import Draft, _s, parse_record
from xiaobao.services.complaints.intake.sources import FileError, Row, SourceError, read_rows
from xiaobao.engines.spreadsheet import csv_row
from xiaobao.store.errors import ConstraintViolation


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str
    external_id: str = ""


ERRORS_KEPT = 1000  # errors an ImportReport holds; the errors file has every one


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    inserted: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT (all: `errors_path`)
    errors_path: str | None = None
    error_rows: int = 0
    read_error: str | None = None  # why the file could not be read, at all or past some row
    unreadable: bool = False  # nothing at all could be read (the CLI's exit code 2)

    @property
    def error_count(self) -> int:
        return self.error_rows


class _Errors:
    """Bad rows written to the errors file as they are met, so an import holds none of them but the
    first `ERRORS_KEPT` (for the report): a file of 200,000 bad rows costs no memory for them."""

    def __init__(self, report: ImportReport, path: Path, errors_path: str | Path | None):
        self.report = report
        self.path = str(errors_path or path.with_name(path.name + ".errors.csv"))
        self._file: IO[str] | None = None
        self._writer: Any = None

    def add(self, errors: list[RowError]) -> None:
        """All the errors of one row."""
        if not errors:
            return
        if self._file is None:
            self._file = open(self.path, "w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(ERRORS_HEADER)
            self.report.errors_path = self.path
        report = self.report
        report.error_rows += 1
        room = ERRORS_KEPT - len(report.errors)
        if room > 0:
            report.errors.extend(errors[:room])
        self._writer.writerows(csv_row(_error_row(e)) for e in errors)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class _SeenKeys:
    """The (channel, external_id) of each valid row so far, with that row's number and a digest of
    what it would store: a later row with the same key is a duplicate when it would store the same,
    and an error naming the earlier row when it would not (two complaints under one id). Keys and
    contents are kept as digests (about 120 bytes a row), not as the rows."""

    def __init__(self):
        self._rows: dict[bytes, int] = {}

    def earlier(self, draft: Draft, row_no: int) -> tuple[int, bool] | None:
        """(earlier row, same content) when the key was met before; else None, and it is noted."""
        key = hashlib.blake2b(f"{draft.channel}\x1f{draft.external_id}".encode(), digest_size=16).digest()
        content = int.from_bytes(hashlib.blake2b(
            json.dumps(asdict(draft), sort_keys=True, default=str, ensure_ascii=False).encode(),
            digest_size=8).digest(), "big")
        got = self._rows.get(key)
        if got is None:
            self._rows[key] = (row_no << 64) | content
            return None
        return got >> 64, (got & _LOW64) == content


_LOW64 = (1 << 64) - 1


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _batches(rows: Iterable[Row], size: int) -> Iterable[list[Row]]:
    batch: list[Row] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_batch(ctx: Context, drafts: list[tuple[int, Draft]], actor: str) -> tuple[int, int]:
    """One transaction (`intake.store_drafts`). Returns (inserted, duplicates)."""
    stored = store_drafts(ctx, [d for _, d in drafts], [actor] * len(drafts))
    inserted = sum(s.created for s in stored)
    return inserted, len(drafts) - inserted


_GC_YOUNG = 50_000   # allocations between young collections while an import runs (CPython's default: 700)
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def _fewer_collections():
    """An import keeps much of what it builds: the black/gray detector indexes every complaint for
    the life of the process, tens of objects a row. CPython's cyclic collector then walks that growing
    heap again and again (measured: a fifth of the import's time at 5,000 rows, more as the corpus
    grows). While imports run, a young collection waits for `_GC_YOUNG` new objects instead of 700 (and
    the older generations for 50 and 100 of those); reference counting frees everything else as
    before, and reference cycles are still collected, later. The thresholds in force before the first
    of concurrent imports are restored when the last one ends."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            young, middle, old = _gc_saved
            if young:  # 0: the collector is off; leave it so
                gc.set_threshold(max(young, _GC_YOUNG), max(middle, 50), max(old, 100))
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
                _gc_saved = None


def import_file(ctx: Context, path: str | Path, *, actor: str, errors_path: str | Path | None = None,
                batch_size: int | None = None, progress: Callable[[int], None] | None = None) -> ImportReport:
    with _fewer_collections():
        return _import_file(ctx, Path(path), actor=actor, errors_path=errors_path, batch_size=batch_size,
                            progress=progress)


def _import_file(ctx: Context, path: Path, *, actor: str, errors_path: str | Path | None,
                 batch_size: int | None, progress: Callable[[int], None] | None) -> ImportReport:
    batch_size = batch_size or ctx.settings.import_batch_size
    max_chars = ctx.settings.max_text_chars
    report = ImportReport(source=str(path))
    now = ctx.now()
    with ctx.store.uow() as uow:
        run_id = uow.imports.start(source=str(path), sha256=_sha256(path), actor=actor, started_at=now)
        uow.commit()
    seen = _SeenKeys()
    errors = _Errors(report, path, errors_path)
    # Planner statistics go stale while a bulk load grows the table; a stale plan turns the per-batch
    # look-ups into table scans (measured: 6.7k/s at 2k rows fell to 1.1k/s at 50k on PostgreSQL).
    # Refreshing each time the load doubles costs a few ANALYZEs in all.
    next_refresh = batch_size
    try:
        for batch in _batches(read_rows(path), batch_size):
            drafts: list[tuple[int, Draft]] = []
            for row_no, rec in batch:
                if isinstance(rec, FileError):  # the end of what could be read: reported, not a row
                    report.read_error, report.unreadable = rec.reason, row_no == 0
                    errors.add([RowError(row_no, rec.field, rec.reason)])
                    continue
                report.rows += 1
                if isinstance(rec, SourceError):
                    errors.add([RowError(row_no, rec.field, rec.reason)])
                    continue
                draft, errs = parse_record(rec, ctx.rules, now, max_chars=max_chars)
                ext = rec.get("external_id")  # (an id, fine to name; not a list or a whole text)
                ext = _s(ext)[:128] if isinstance(ext, (str, int, float)) else ""
                if errs:
                    errors.add([RowError(row_no, e.field, e.reason, ext) for e in errs])
                    continue
                met = seen.earlier(draft, row_no)
                if met is not None:
                    earlier, same = met
                    if same:  # the same record twice in one file counts once
                        report.duplicates += 1
                    else:
                        errors.add([RowError(row_no, "external_id", f"外部编号与第{earlier}行相同，内容却不同："
                                             f"同一文件中一个编号只能对应一件投诉 / same external_id as row "
                                             f"{earlier} with different content", ext)])
                    continue
                drafts.append((row_no, draft))
            read = len(batch)
            del batch  # (its rows are drafts now, or reported: nothing of a batch outlives it)
            if drafts:
                try:
                    inserted, dups = _store_batch(ctx, drafts, actor)
                except ConstraintViolation:
                    # Another import stored some of these keys meanwhile: re-check and store the rest.
                    inserted, dups = _store_batch(ctx, drafts, actor)
                report.inserted += inserted
                report.duplicates += dups
                if report.inserted >= next_refresh:
                    ctx.store.refresh_statistics()
                    next_refresh *= 2
            if progress:
                progress(read)
    finally:
        errors.close()
    with ctx.store.uow() as uow:
        uow.imports.finish(run_id, finished_at=ctx.now(), rows=report.rows, inserted=report.inserted,
                           duplicates=report.duplicates, errors=report.error_count)
        uow.audit.append(ctx.now(), actor, "import.finish", "import", str(run_id),
                         {"data": {"source": path.name, "rows": report.rows, "inserted": report.inserted,
                                   "duplicates": report.duplicates, "errors": report.error_count,
                                   **({"read_error": report.read_error} if report.read_error else {})}})
        uow.commit()
    return report


ERRORS_HEADER = ["row", "external_id", "field", "reason"]


def _error_row(e: RowError) -> list:
    return [e.row, e.external_id, e.field, e.reason]


def write_errors(errors: list[RowError], path: str | Path) -> None:
    """UTF-8 with BOM so Excel opens it; values are not echoed (they may be personal data)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(ERRORS_HEADER)
        w.writerows(csv_row(_error_row(e)) for e in errors)
