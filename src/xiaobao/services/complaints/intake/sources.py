"""Reading complaint files row by row: JSONL, CSV (UTF-8 or GB18030, as Chinese Excel saves) and XLSX.

Each reader yields (row_number, record) where row_number is what a person sees in the file (the
line number for JSONL, the spreadsheet row for CSV/XLSX), or (row_number, SourceError) for a row that
cannot even be read; reading never stops at a bad row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator


@dataclass(frozen=True)
class SourceError:
    field: str
    reason: str


Row = tuple[int, dict[str, Any] | SourceError]
FORMATS = ("jsonl", "csv", "xlsx")


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise ValueError(f"无法识别的文件类型 {path.suffix!r}：支持 .jsonl .csv .xlsx")


def read_jsonl(path: Path) -> Iterator[Row]:
    with path.open("rb") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line.decode("utf-8-sig" if n == 1 else "utf-8"))
            except UnicodeDecodeError:
                yield n, SourceError("(line)", "不是 UTF-8 编码")
                continue
            except json.JSONDecodeError as e:
                yield n, SourceError("(line)", f"JSON 格式错误：第{e.colno}列 {e.msg}")
                continue
            if not isinstance(rec, dict):
                yield n, SourceError("(line)", "每行须为一个 JSON 对象")
                continue
            yield n, rec


def _text_stream(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()[:65536]
    try:
        raw.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as e:
        # A cut multi-byte character at the sample's end is not a wrong guess.
        encoding = "utf-8-sig" if e.start >= len(raw) - 3 else "gb18030"
    return path.open("r", encoding=encoding, newline="")


def read_csv(path: Path) -> Iterator[Row]:
    with _text_stream(path) as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            return
        header = [h.strip() for h in header]
        for n, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                yield n, SourceError("(row)", f"列数 {len(values)} 多于表头 {len(header)}")
                continue
            yield n, {h: v for h, v in zip(header, values) if h}


def read_xlsx(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            return
        header = [str(h).strip() if h is not None else "" for h in header]
        for n, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            yield n, {h: v for h, v in zip(header, values) if h and v is not None}
    finally:
        wb.close()


def read_rows(path: Path) -> Iterator[Row]:
    return {"jsonl": read_jsonl, "csv": read_csv, "xlsx": read_xlsx}[detect_format(path)](path)
