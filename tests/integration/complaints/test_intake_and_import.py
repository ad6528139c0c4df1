"""Intake from every channel, idempotency, bad rows, and interrupted imports."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from xiaobao.domain.errors import InvalidValue
from xiaobao.services import audit
from xiaobao.services.complaints.intake import importing, storing as intake
from xiaobao.store.audit import audit_log
from xiaobao.store.complaints.tables import complaints
from tests.conftest import record


def _count(ctx, table=complaints) -> int:
    with ctx.store.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(table))


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_every_channel_in_the_rules_is_accepted_and_routed(ctx):
    for i, code in enumerate(ctx.rules.channels):
        c, created = intake.submit(ctx, record(i, channel=code), actor="t")
        assert created and c.channel == code
    with ctx.store.uow(write=False) as uow:
        by_channel = uow.complaints.count_by("channel")
    assert set(by_channel) == {"app", "hotline", "wechat", "regulator_12378", "regulator_12363",
                               "internet_platform", "email", "letter", "branch"}


def test_regulator_forwarded_complaints_run_their_own_clock_and_go_to_l4(ctx):
    pboc, _ = intake.submit(ctx, record(1, channel="regulator_12363"), actor="t")
    nfra, _ = intake.submit(ctx, record(2, channel="regulator_12378", customer_id_number=""), actor="t")
    assert pboc.clock_policy == "pboc_forwarded" and pboc.regulator == "pboc"
    assert nfra.clock_policy == "nfra_standard" and nfra.regulator == "nfra"
    assert pboc.tier == "L4" and nfra.tier == "L4"


def test_submit_is_idempotent_on_channel_and_external_id(ctx):
    first, created = intake.submit(ctx, record(1), actor="t")
    again, created_again = intake.submit(ctx, record(1, text="不同的内容"), actor="t")
    assert created and not created_again
    assert again.id == first.id and again.text == first.text
    other_channel, created3 = intake.submit(ctx, record(1, channel="hotline"), actor="t")
    assert created3 and other_channel.id != first.id


def test_personal_data_is_encrypted_at_rest_and_masked_for_display(ctx):
    c, _ = intake.submit(ctx, record(1, customer_phone="13812345678"), actor="t")
    with ctx.store.uow(write=False) as uow:
        row = uow.session.execute(select(complaints.c.pii, complaints.c.masked)).one()
    stored = json.dumps(row.pii, ensure_ascii=False)
    assert "13812345678" not in stored and "11010519491231002X" not in stored and "王小明" not in stored
    assert row.masked == {"name": "王**", "phone": "138****5678", "id_number": "110***********002X"}
    assert ctx.vault.decrypt(row.pii["phone"], "phone") == "13812345678"


def test_a_second_complaint_by_the_same_customer_is_marked_repeat_and_routed_to_experts(ctx):
    first, _ = intake.submit(ctx, record(1, category="pricing_fees"), actor="t")
    second, _ = intake.submit(ctx, record(2, channel="hotline", category="pricing_fees",
                                          customer_phone="13900000001"), actor="t")
    assert second.repeat_of_id == first.id
    assert (second.tier, second.team) == ("L2", "expert")


@pytest.mark.parametrize("field,value,reason_part", [
    ("text", "", "缺少投诉内容"),
    ("received_at", "2026-02-30 10:00", "日期不存在"),
    ("customer_id_number", "110105194912310021", "校验位"),
    ("channel", "fax", "未知渠道"),
    ("customer_phone", "12345", "手机号"),
])
def test_submit_rejects_a_bad_field_and_names_it(ctx, field, value, reason_part):
    with pytest.raises(InvalidValue) as e:
        intake.submit(ctx, record(1, **{field: value}), actor="t")
    assert e.value.field == field and reason_part in e.value.reason
    assert _count(ctx) == 0


def test_unknown_fields_are_kept_not_rejected(ctx):
    c, _ = intake.submit(ctx, record(1, platform_user="黑猫用户8812", tags=["催收"]), actor="t")
    assert c.extras == {"platform_user": "黑猫用户8812", "tags": ["催收"]}


def test_agent_complaint_requires_power_of_attorney_and_agent_identity(ctx):
    with pytest.raises(InvalidValue) as e:
        intake.submit(ctx, record(1, agent_name="李律师", agent_phone="13700000000"), actor="t")
    fields = {x["field"] for x in e.value.details["errors"]}
    assert {"power_of_attorney", "agent_id_number"} <= fields
    c, _ = intake.submit(ctx, record(2, agent_name="李律师", agent_phone="13700000000",
                                     agent_id_number="11010519491231002X", agent_relation="lawyer",
                                     power_of_attorney="POA-2026-001"), actor="t")
    assert c.agent["power_of_attorney"] == "POA-2026-001" and c.masked["agent_name"] == "李**"
    assert c.tier == "L2"


def test_organisation_complaint_needs_a_valid_uscc(ctx):
    with pytest.raises(InvalidValue) as e:
        intake.submit(ctx, record(1, complainant_type="organisation", org_name="某某贸易有限公司",
                                  uscc="91350100M000100Y44"), actor="t")
    assert e.value.field == "uscc"
    c, _ = intake.submit(ctx, record(2, complainant_type="organisation", org_name="某某贸易有限公司",
                                     uscc="91350100M000100Y43"), actor="t")
    assert c.uscc == "91350100M000100Y43"


def _mixed_rows(n=120):
    rows = [record(i) for i in range(n)]
    rows[10]["text"] = ""
    rows[20]["received_at"] = "2026-13-01"
    rows[30]["customer_id_number"] = "11010519491231002A"
    return rows


def test_jsonl_import_lands_every_valid_row_and_reports_bad_rows_by_row_and_field(ctx, tmp_path):
    path = _write_jsonl(tmp_path / "in.jsonl", _mixed_rows())
    with path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    report = importing.import_file(ctx, path, actor="t")
    assert (report.rows, report.inserted, report.error_count) == (121, 117, 4)
    with open(report.errors_path, encoding="utf-8-sig") as f:
        errors = list(csv.DictReader(f))
    assert {(e["row"], e["field"]) for e in errors} == {("11", "text"), ("21", "received_at"),
                                                        ("31", "customer_id_number"), ("121", "(line)")}
    assert all(e["reason"] for e in errors)
    assert "11010519491231002A" not in open(report.errors_path, encoding="utf-8-sig").read()
    assert _count(ctx) == 117


def test_reimporting_the_same_file_changes_nothing(ctx, tmp_path):
    path = _write_jsonl(tmp_path / "in.jsonl", _mixed_rows())
    importing.import_file(ctx, path, actor="t")
    audit_before = _count(ctx, audit_log)
    report = importing.import_file(ctx, path, actor="t")
    assert report.inserted == 0 and report.duplicates == 117
    assert _count(ctx) == 117
    assert _count(ctx, audit_log) == audit_before + 1  # only the import run itself is recorded


def test_an_import_that_crashes_mid_batch_leaves_no_half_written_complaint_and_a_rerun_completes(
        ctx, tmp_path, monkeypatch):
    path = _write_jsonl(tmp_path / "in.jsonl", [record(i) for i in range(200)])
    from xiaobao.store.audit import AuditRepository

    calls = {"n": 0}
    original = AuditRepository.append_many

    def crash_on_third_batch(self, entries):
        if entries and entries[0][2] == "complaint.create":
            calls["n"] += 1
            if calls["n"] == 3:  # complaints of batch 3 are already INSERTed in this transaction
                raise RuntimeError("power cut")
        return original(self, entries)

    monkeypatch.setattr(AuditRepository, "append_many", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        importing.import_file(ctx, path, actor="t", batch_size=50)
    assert _count(ctx) == 100  # two whole batches, nothing of the third
    with ctx.store.uow(write=False) as uow:
        audited = uow.session.scalar(select(func.count()).select_from(audit_log)
                                     .where(audit_log.c.action == "complaint.create"))
    assert audited == 100  # every stored complaint has its audit entry, and no entry lacks its complaint
    monkeypatch.setattr(AuditRepository, "append_many", original)
    report = importing.import_file(ctx, path, actor="t", batch_size=50)
    assert report.inserted == 100 and report.duplicates == 100
    assert _count(ctx) == 200
    assert audit.verify(ctx).problems == []


def test_csv_in_gb18030_and_xlsx_import_like_jsonl(ctx, tmp_path):
    rows = [record(i) for i in range(5)]
    cols = list(rows[0])
    csv_path = tmp_path / "in.csv"
    with open(csv_path, "w", encoding="gb18030", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    r1 = importing.import_file(ctx, csv_path, actor="t")
    assert (r1.inserted, r1.error_count) == (5, 0)
    wb = Workbook()
    ws = wb.active
    ws.append(cols)
    for i in range(5, 10):
        ws.append([record(i)[c] for c in cols])
    ws.append([record(10)[c] if c != "received_at" else "2026-02-30" for c in cols])
    xlsx = tmp_path / "in.xlsx"
    wb.save(xlsx)
    r2 = importing.import_file(ctx, xlsx, actor="t")
    assert (r2.inserted, r2.error_count) == (5, 1)
    assert r2.errors[0].row == 7 and r2.errors[0].field == "received_at"
    with ctx.store.uow(write=False) as uow:
        c = uow.complaints.by_key("app", "EXT-000000")
    assert c.text.startswith("贵司催收") and c.masked["name"] == "王**"


def test_repeat_within_one_import_batch_links_to_the_first(ctx, tmp_path):
    rows = [record(1, customer_phone="13800000000"), record(2, customer_phone="13800000000", channel="hotline")]
    importing.import_file(ctx, _write_jsonl(tmp_path / "r.jsonl", rows), actor="t")
    with ctx.store.uow(write=False) as uow:
        a, b = uow.complaints.by_key("app", "EXT-000001"), uow.complaints.by_key("hotline", "EXT-000002")
    assert a.repeat_of_id is None and b.repeat_of_id == a.id and b.tier == "L2"
