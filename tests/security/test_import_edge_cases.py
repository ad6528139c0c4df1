"""Import edge cases an outside tester broke (issue 17, item 6): every valid row lands, every bad row is
reported by row and field (never with its value), and no input makes the import fail with a traceback."""

from __future__ import annotations

import csv
import dataclasses
import json
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from xiaobao.cli import app
from xiaobao.domain.errors import InvalidValue
from xiaobao.services.complaints.intake import importing, storing
from xiaobao.store.complaints.tables import complaints
from tests.conftest import record

COLS = list(record(0))
runner = CliRunner()


def _count(ctx) -> int:
    with ctx.store.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(complaints))


def _errors(report) -> list[dict]:
    with open(report.errors_path, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _csv_line(values, encoding="utf-8") -> bytes:
    out = []
    w = csv.writer(_Sink(out))
    w.writerow(values)
    return "".join(out).encode(encoding)


class _Sink:
    def __init__(self, out):
        self.write = out.append


def _csv_bytes(rows: list[dict], encodings: dict[int, str] | None = None, default="utf-8") -> bytes:
    """A CSV file whose data row i (0-based) is encoded as encodings.get(i, default)."""
    encodings = encodings or {}
    head = _csv_line(COLS, default)
    return head + b"".join(_csv_line([r[c] for c in COLS], encodings.get(i, default)) for i, r in enumerate(rows))


def _stored_text(ctx, external_id: str) -> str | None:
    with ctx.store.uow(write=False) as uow:
        c = uow.complaints.by_key("app", external_id)
        return None if c is None else c.text


# --- 1. mixed encodings ---------------------------------------------------------------------------

def test_a_utf8_csv_with_a_gb18030_row_and_an_undecodable_row_loses_no_other_row(ctx, tmp_path):
    rows = [record(i) for i in range(60)]
    rows[30]["text"] = "这一行是用 GB18030 保存的：贵司催收人员多次拨打我家人的电话。"
    path = tmp_path / "mixed.csv"
    data = _csv_bytes(rows, {30: "gb18030"})
    bad = _csv_line([record(99)[c] for c in COLS])
    bad = bad.replace("王小明".encode(), b"\xff\xfe\xff")  # neither UTF-8 nor GB18030
    path.write_bytes(data + bad)
    report = importing.import_file(ctx, path, actor="t")
    assert (report.rows, report.inserted, report.error_count) == (61, 60, 1)
    assert _stored_text(ctx, "EXT-000030") == rows[30]["text"]  # decoded as what it is, not mojibake
    [e] = _errors(report)
    assert (e["row"], e["field"]) == ("62", "(row)") and "GB18030" in e["reason"]
    assert _count(ctx) == 60


def test_a_gb18030_csv_with_a_utf8_row_reads_both(ctx, tmp_path):
    rows = [record(i, text=f"第{i}件：贵司催收人员多次拨打我的通讯录联系人，要求停止。") for i in range(20)]
    path = tmp_path / "gbk.csv"
    path.write_bytes(_csv_bytes(rows, {7: "utf-8"}, default="gb18030"))
    report = importing.import_file(ctx, path, actor="t")
    assert (report.inserted, report.error_count) == (20, 0)
    assert _stored_text(ctx, "EXT-000007") == rows[7]["text"]
    assert _stored_text(ctx, "EXT-000008") == rows[8]["text"]


# --- 2. over-long fields --------------------------------------------------------------------------

def test_a_field_over_the_csv_modules_128kb_limit_is_one_row_error_naming_field_and_limit(ctx, tmp_path):
    rows = [record(i) for i in range(5)]
    rows[2]["text"] = "催收电话不断，" * 30000  # 210,000 characters, ≈ 630 KB in UTF-8
    rows[3]["request"] = "退" * (ctx.settings.max_text_chars + 1)
    path = tmp_path / "long.csv"
    path.write_bytes(_csv_bytes(rows))
    report = importing.import_file(ctx, path, actor="t")
    assert (report.rows, report.inserted, report.error_count) == (5, 3, 2)
    errors = {(e["row"], e["field"]): e["reason"] for e in _errors(report)}
    assert set(errors) == {("4", "text"), ("5", "request")}
    assert all(str(ctx.settings.max_text_chars) in why for why in errors.values())
    assert "催收电话" not in open(report.errors_path, encoding="utf-8-sig").read()


def test_the_field_limit_is_configurable(ctx, tmp_path):
    ctx.settings = dataclasses.replace(ctx.settings, max_text_chars=200_000)
    text = "贵司催收人员多次拨打我的通讯录联系人。" * 8000  # 152,000 characters: past csv's own limit
    path = tmp_path / "long.csv"
    path.write_bytes(_csv_bytes([record(1, text=text), record(2)]))
    report = importing.import_file(ctx, path, actor="t")
    assert (report.inserted, report.error_count) == (2, 0)
    ctx.settings = dataclasses.replace(ctx.settings, max_text_chars=100)
    report = importing.import_file(ctx, tmp_path / "long.csv", actor="t")  # (all stored: checks run first)
    assert report.error_count == 1 and report.errors[0].field == "text" and "100" in report.errors[0].reason


# --- 3. damaged XLSX ------------------------------------------------------------------------------

def _xlsx(path, rows, edit=None):
    wb = Workbook()
    ws = wb.active
    ws.append(COLS)
    for r in rows:
        ws.append([r[c] for c in COLS])
    if edit:
        edit(ws)
    wb.save(path)
    return path


def test_a_truncated_xlsx_is_one_clear_file_error_and_exit_code_2(ctx, tmp_path, env):
    whole = _xlsx(tmp_path / "whole.xlsx", [record(i) for i in range(200)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    report = importing.import_file(ctx, cut, actor="t")
    assert report.unreadable and (report.rows, report.inserted, report.error_count) == (0, 0, 1)
    assert "cut.xlsx" in report.read_error and "截断" in report.read_error
    [e] = _errors(report)
    assert (e["row"], e["field"]) == ("0", "(file)")
    result = runner.invoke(app, ["import", str(cut)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cut.xlsx" in result.output and "截断" in result.output
    assert _count(ctx) == 0


def test_an_xlsx_damaged_part_way_lands_the_rows_before_and_reports_where_it_stopped(ctx, tmp_path, env):
    whole = _xlsx(tmp_path / "whole.xlsx", [record(i) for i in range(300)])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the sheet's XML ends mid-row
            dst.writestr(info.filename, data)
    report = importing.import_file(ctx, damaged, actor="t", batch_size=50)
    assert 100 < report.inserted < 300 and report.inserted == report.rows and not report.unreadable
    last = report.errors[-1]
    assert last.field == "(file)" and last.row == report.rows + 2  # (row 1 is the header)
    assert f"第 {report.rows + 1} 行之后" in report.read_error and "damaged.xlsx" in report.read_error
    assert _count(ctx) == report.inserted
    result = runner.invoke(app, ["import", str(damaged)])
    assert result.exit_code == 1 and "damaged.xlsx" in result.output


# --- 4. formulas ----------------------------------------------------------------------------------

def test_a_formula_cell_is_reported_by_row_and_field_never_dropped(ctx, tmp_path):
    def edit(ws):
        text_col = COLS.index("text") + 1
        time_col = COLS.index("received_at") + 1
        ws.cell(row=3, column=text_col, value='=A3&"催收"')       # record 1: a formula (no cached value)
        ws.cell(row=5, column=time_col, value="=TODAY()")        # record 3
        ws.cell(row=5, column=text_col, value="=B5")
        plain = ws.cell(row=6, column=text_col, value="=不是公式，只是以等号开头的文字")
        plain.data_type = "s"                                    # record 4: text typed as text

    path = _xlsx(tmp_path / "f.xlsx", [record(i) for i in range(6)], edit)
    report = importing.import_file(ctx, path, actor="t")
    assert (report.rows, report.inserted, report.error_count) == (6, 4, 2)
    errors = {e["row"]: e for e in _errors(report)}
    assert set(errors) == {"3", "5"}
    assert errors["3"]["field"] == "text" and errors["5"]["field"] == "received_at, text"
    assert all(e["reason"].startswith("单元格是公式") for e in errors.values())
    assert "TODAY" not in open(report.errors_path, encoding="utf-8-sig").read()
    assert _stored_text(ctx, "EXT-000004") == "=不是公式，只是以等号开头的文字"


# --- 5. one external_id, two complaints -----------------------------------------------------------

def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_same_external_id_with_other_content_is_an_error_naming_the_earlier_row(ctx, tmp_path):
    rows = [record(i) for i in range(120)]
    rows.append(dict(record(5)))                                   # row 121: the same record again
    rows.append(record(5, text="另一件投诉：贵司客服态度恶劣。"))    # row 122: another complaint, same id
    rows.append(record(7, received_at="2026/11/18 09:30:00"))     # row 123: the same, written otherwise
    report = importing.import_file(ctx, _write_jsonl(tmp_path / "dup.jsonl", rows), actor="t", batch_size=50)
    assert (report.inserted, report.duplicates, report.error_count) == (120, 2, 1)
    [e] = _errors(report)
    assert (e["row"], e["field"], e["external_id"]) == ("122", "external_id", "EXT-000005")
    assert "第6行" in e["reason"] and "另一件" not in e["reason"]
    again = importing.import_file(ctx, tmp_path / "dup.jsonl", actor="t", batch_size=50)
    assert (again.inserted, again.duplicates, again.error_count) == (0, 122, 1)


# --- 6. lists and objects where text belongs ------------------------------------------------------

def test_lists_and_objects_in_string_fields_are_row_errors(ctx, tmp_path):
    rows = [record(0), record(1, text=["贵司催收", "多次来电"]), record(2, text={"事实": "催收"}),
            record(3, customer_name=["王小明"], request={"要求": "道歉"}),
            record(4, flags=["elderly"], respondent_staff_ids=["S001"], tags=["催收", {"k": 1}])]
    report = importing.import_file(ctx, _write_jsonl(tmp_path / "types.jsonl", rows), actor="t")
    assert (report.inserted, report.error_count) == (2, 3)
    errors = {(e["row"], e["field"]) for e in _errors(report)}
    assert errors == {("2", "text"), ("3", "text"), ("4", "customer_name"), ("4", "request")}
    assert all("应为文本" in e["reason"] for e in _errors(report))
    assert "王小明" not in open(report.errors_path, encoding="utf-8-sig").read()
    with pytest.raises(InvalidValue) as e:  # the API's path (POST /complaints keeps unknown fields)
        storing.submit(ctx, record(9, email=["a@example.com"]), actor="t")
    assert e.value.field == "email" and "应为文本" in e.value.reason


# --- bounded report -------------------------------------------------------------------------------

def test_a_file_of_many_bad_rows_keeps_only_the_first_errors_in_memory_and_all_in_the_file(ctx, tmp_path):
    rows = [record(i, channel="fax") for i in range(importing.ERRORS_KEPT + 300)] + [record(1)]
    report = importing.import_file(ctx, _write_jsonl(tmp_path / "bad.jsonl", rows), actor="t")
    assert report.inserted == 1 and report.error_count == importing.ERRORS_KEPT + 300
    assert len(report.errors) == importing.ERRORS_KEPT
    assert len(_errors(report)) == importing.ERRORS_KEPT + 300


@pytest.fixture
def env(ctx, monkeypatch, tmp_path):
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    monkeypatch.setenv("XIAOBAO_ARGON2", "1,1024,1")
    return ctx


def test_a_csv_with_lone_cr_line_ends_reads_every_row(ctx, tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(_csv_bytes([record(i) for i in range(4)]).replace(b"\r\n", b"\r"))  # Excel's "CSV (Macintosh)"
    report = importing.import_file(ctx, path, actor="t")
    assert (report.rows, report.inserted, report.error_count) == (4, 4, 0)
