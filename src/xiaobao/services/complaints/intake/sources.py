"""Reading complaint files row by row: JSONL, CSV (UTF-8 or GB18030, as Chinese Excel saves) and XLSX.

Each reader yields (row_number, record) where row_number is what a person sees in the file (the
line number for JSONL, the spreadsheet row for CSV/XLSX), or (row_number, SourceError) for a row that
cannot even be read; reading never stops at a bad row. A file that cannot be read on from some point
(a truncated or damaged XLSX, an unreadable file) ends with one `FileError`: row 0 when nothing at all
could be read, else the row after the last one read. Nothing a reader reports echoes a cell's value:
those may be personal data.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator
from xml.etree.ElementTree import ParseError


@dataclass(frozen=True)
class SourceError:
    field: str
    reason: str


@dataclass(frozen=True)
class FileError(SourceError):
    """The file could not be read (at all, or past this row): the reader stops after it."""


Row = tuple[int, dict[str, Any] | SourceError]
FORMATS = ("jsonl", "csv", "xlsx")
# The csv module refuses any field over 128 KB and then cannot go on with the file. Fields are
# parsed up to this many characters (the limits on what a field may hold are `parse_record`'s, and
# reported per row and field); past it the row is reported unreadable — a runaway quote, not a field.
CSV_FIELD_CEILING = 16 * 1024 * 1024


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


_CR = re.compile(r"(?<=\r)(?!\n)")


class _Lines:
    """A CSV file's lines, each decoded on its own: UTF-8 (a BOM on the first is dropped), else
    GB18030 — a file pasted together from exports of both keeps every row. Valid UTF-8 is first
    because text in another encoding is almost never valid UTF-8 by chance, while GB18030 decodes
    most UTF-8 bytes into wrong characters without an error. A line that is neither is decoded with
    replacement characters only to keep the CSV structure, and `bad` says so, for its row to be
    reported. Splitting on b"\\n" is safe in both encodings: neither uses 0x0A inside a character."""

    def __init__(self, f: BinaryIO):
        self._f = f
        self._first = True
        self.bad = False

    def __iter__(self) -> Iterator[str]:
        for raw in self._f:
            if self._first:
                self._first = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("gb18030")
                except UnicodeDecodeError:
                    self.bad = True
                    text = raw.decode("utf-8", errors="replace")
            if "\r" in text.rstrip("\r\n"):  # lines ended by a lone CR (Excel's "CSV (Macintosh)")
                yield from (line for line in _CR.split(text) if line)
            else:
                yield text


def read_csv(path: Path) -> Iterator[Row]:
    if csv.field_size_limit() < CSV_FIELD_CEILING:
        csv.field_size_limit(CSV_FIELD_CEILING)  # (process-wide; only ever raised)
    with path.open("rb") as f:
        lines = _Lines(f)
        reader = csv.reader(lines)
        header = next(reader, None)
        if not header:
            return
        header = [h.strip() for h in header]
        n = 1
        while True:
            n += 1
            lines.bad = False  # csv.reader reads exactly one record's lines per next(): the flag is this row's
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                why = (f"某个字段超过 {CSV_FIELD_CEILING:,} 字符，可能有未闭合的引号 / a field over the limit"
                       if "field limit" in str(e) else "CSV 格式错误 / malformed CSV row")
                yield n, SourceError("(row)", why)
                continue
            if lines.bad:
                yield n, SourceError("(row)", "该行既不是 UTF-8 也不是 GB18030 编码，无法读取 / not UTF-8 or GB18030")
                continue
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                yield n, SourceError("(row)", f"列数 {len(values)} 多于表头 {len(header)}")
                continue
            yield n, {h: v for h, v in zip(header, values) if h}


FORMULA = "单元格是公式，不导入公式或其缓存值：请在 Excel 中「粘贴为数值」后重新导入 / cell holds a formula"


def read_xlsx(path: Path) -> Iterator[Row]:
    """The first sheet. A formula cell rejects its row (`FORMULA`): its cached value may be stale or
    missing (a file written by a program is never recalculated), and =TODAY() in 受理时间 would be
    today's date on every reopening — a value the complainant never gave. So no cached value is used,
    and nothing is dropped silently either."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)  # (data_only=True hides formulas)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows()
        header = next(rows, None)
        if not header:
            return
        header = [str(c.value).strip() if c.value is not None else "" for c in header]
        for n, cells in enumerate(rows, start=2):
            values = [c.value for c in cells]
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            formulas = [h for h, c in zip(header, cells) if h and getattr(c, "data_type", None) == "f"]
            if formulas:
                yield n, SourceError(", ".join(formulas), FORMULA)
                continue
            yield n, {h: v for h, v in zip(header, values) if h and v is not None}
    finally:
        wb.close()


def _why(e: Exception) -> str:
    """Why a file could not be read, without its contents (messages of parsers may quote them)."""
    if isinstance(e, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "不是完整的 XLSX 文件（ZIP 结构损坏或文件被截断）/ damaged or truncated XLSX"
    if isinstance(e, ParseError):
        return "工作表内容损坏或不完整（文件可能被截断）/ damaged or truncated worksheet"
    if isinstance(e, KeyError):
        return "缺少工作簿的组成部分，不是有效的 XLSX 文件 / not a valid XLSX workbook"
    if isinstance(e, OSError):
        return f"无法读取文件（{e.strerror or type(e).__name__}）/ could not read the file"
    try:
        from openpyxl.utils.exceptions import InvalidFileException
        if isinstance(e, InvalidFileException):
            return "不是 XLSX 文件 / not an XLSX file"
    except ImportError:  # pragma: no cover
        pass
    return f"读取失败（{type(e).__name__}）/ could not read the file"


def _guarded(path: Path, rows: Iterator[Row]) -> Iterator[Row]:
    """The reader's rows, then a `FileError` if it fails: a damaged file costs the rows past the
    damage, reported, never the rows before it, and never a traceback."""
    last = 0
    try:
        for row in rows:
            last = row[0]
            yield row
    except Exception as e:  # noqa: BLE001 - any failure to read is reported, whatever raised it
        if last:
            yield last + 1, FileError("(file)", f"文件 {path.name} 第 {last} 行之后无法读取，其后的行未导入：{_why(e)}")
        else:
            yield 0, FileError("(file)", f"无法读取文件 {path.name}：{_why(e)}")


def read_rows(path: Path) -> Iterator[Row]:
    reader = {"jsonl": read_jsonl, "csv": read_csv, "xlsx": read_xlsx}[detect_format(path)]
    return _guarded(path, reader(path))
