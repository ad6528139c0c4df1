"""Values written into CSV and XLSX files can never become formulas (OWASP "CSV injection").

A text that a complainant, a partner file or an intelligence row supplied may start with = + - @ or a tab
or carriage return; a spreadsheet would run it (=HYPERLINK(…), =cmd|…). In XLSX a text cell is written typed
as text, so the value stays exactly what it was; in CSV, which has no types, such a value is prefixed with an
apostrophe, the convention spreadsheets show as text. A plain number (-12.5) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and _NUMBER.fullmatch(value) is None


def csv_value(value: Any) -> Any:
    return "'" + value if is_formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


def xlsx_append(ws, values: Iterable[Any]) -> None:
    """`ws.append` for an ordinary or a write-only openpyxl worksheet, every text typed as text."""
    values = list(values)
    if getattr(ws, "_write_only", False) or type(ws).__name__ == "WriteOnlyWorksheet":
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for v in values:
            if isinstance(v, str) and v.startswith("="):
                cell = WriteOnlyCell(ws, value=v)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(v)
        ws.append(cells)
        return
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def texts_only(wb) -> None:
    """A last pass over a whole (ordinary) workbook before it is saved: no cell is left a formula. Exports write
    data, never formulas, so a cell that became one came from text somebody supplied."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
