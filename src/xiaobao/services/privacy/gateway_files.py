"""Streaming anonymisation of CSV, JSONL and XLSX files under a named policy.

Row by row, so memory stays bounded on multi-GB files: CSV and JSONL are read and written line by
line, XLSX through openpyxl's read-only and write-only modes; rows are anonymised a batch of
`BATCH` at a time (their free text scanned together: `Anonymizer.documents`), in their order. Output goes to a temporary file
renamed into place at the end, so an interrupted run leaves no half-written output, and a re-run
overwrites it with the same result (tokens and format-preserving values are deterministic).
A bad row is reported (row number and why) and skipped; the others still land.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from xiaobao.domain.errors import InvalidValue
from xiaobao.engines.privacy.vault import Vault
from xiaobao.services.privacy.gateway import anonymizer
from xiaobao.services.privacy.gateway import policy as get_policy
from xiaobao.engines.spreadsheet import csv_row, xlsx_append

FORMATS = ("csv", "jsonl", "xlsx")
Progress = Callable[[int, int], None]  # (done, total) in bytes (CSV/JSONL) or rows (XLSX)
BATCH = 256


@dataclass
class FileReport:
    rows: int = 0
    written: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def detect_format(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"json": "jsonl", "ndjson": "jsonl", "xlsm": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InvalidValue("format", f"不支持的文件格式 {fmt!r}（支持：{', '.join(FORMATS)}）")
    return fmt


def anonymise_file(vault: Vault, src: Path, dst: Path, policy_name: str, fmt: str | None = None,
                   progress: Progress | None = None, rules_dir: str | None = None) -> FileReport:
    """Needs the keys (for tokens and encryption) but no database: it runs next to the data."""
    fmt = detect_format(src, fmt)
    pol = get_policy(policy_name, rules_dir)
    anon = anonymizer(vault, rules_dir)
    report = FileReport()
    tmp = dst.with_name(f".{dst.name}.part")
    try:
        {"csv": _csv, "jsonl": _jsonl, "xlsx": _xlsx}[fmt](src, tmp, lambda docs: anon.documents(docs, pol), report,
                                                          progress or (lambda done, total: None))
        os.replace(tmp, dst)
    finally:
        if tmp.exists():
            tmp.unlink()
    return report


class _Batch:
    """Rows gathered until `BATCH` are held, then anonymised together (`fn`) and handed, in their
    order, to `emit`."""

    def __init__(self, fn, report: FileReport, emit: Callable[[dict], None]):
        self.fn, self.report, self.emit, self.docs = fn, report, emit, []

    def add(self, doc) -> None:
        self.docs.append(doc)
        if len(self.docs) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for result in self.fn(self.docs) if self.docs else ():
            self.report.counts.update(result.counts)
            self.report.written += 1
            self.emit(result.value)
        self.docs = []


def _jsonl(src: Path, dst: Path, fn, report: FileReport, progress: Progress) -> None:
    total, done = src.stat().st_size, 0
    with src.open("rb") as fin, dst.open("wb") as fout:
        batch = _Batch(fn, report, lambda out: fout.write(orjson.dumps(out) + b"\n"))
        for n, line in enumerate(fin, start=1):
            done += len(line)
            if not line.strip():
                continue
            report.rows += 1
            try:
                doc = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                report.errors.append((n, f"JSON 格式错误：{e}"))
                continue
            batch.add(doc)
            if n % 512 == 0:
                progress(done, total)
        batch.flush()
    progress(total, total)


def _csv(src: Path, dst: Path, fn, report: FileReport, progress: Progress) -> None:
    total = src.stat().st_size
    with src.open("rb") as raw, dst.open("w", encoding="utf-8", newline="") as fout:
        fin = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(fin)
        header = next(reader, None)
        if header is None:
            return
        writer = csv.writer(fout)
        writer.writerow(csv_row(header))
        batch = _Batch(fn, report, lambda out: writer.writerow(csv_row(out.get(h, "") for h in header)))
        for n, row in enumerate(reader, start=2):
            report.rows += 1
            if len(row) != len(header):
                report.errors.append((n, f"列数 {len(row)} 与表头 {len(header)} 不符"))
                continue
            batch.add(dict(zip(header, row)))
            if n % 512 == 0:
                progress(raw.tell(), total)
        batch.flush()
    progress(total, total)


def _xlsx(src: Path, dst: Path, fn, report: FileReport, progress: Progress) -> None:
    from openpyxl import Workbook, load_workbook

    wb_in = load_workbook(src, read_only=True, data_only=True)
    wb_out = Workbook(write_only=True)
    try:
        for ws in wb_in.worksheets:
            total = ws.max_row or 0
            out_ws = wb_out.create_sheet(ws.title)
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            names = [str(h) if h is not None else f"col{i + 1}" for i, h in enumerate(header)]
            xlsx_append(out_ws, header)
            batch = _Batch(fn, report, lambda out, names=names, out_ws=out_ws: xlsx_append(out_ws, [out.get(k) for k in names]))
            for n, row in enumerate(rows, start=2):
                report.rows += 1
                batch.add({k: v for k, v in zip(names, row)})
                if n % 512 == 0:
                    progress(n, total)
            batch.flush()
            progress(total, total)
        wb_out.save(dst)
    finally:
        wb_in.close()
