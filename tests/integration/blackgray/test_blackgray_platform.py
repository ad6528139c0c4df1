"""Black/gray platform on both databases: triage at intake and import, the specialised queue, leads,
review, calibration, intelligence and the rescan task, evidence export, API and CLI."""

from __future__ import annotations

import csv
import json

import orjson
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from xiaobao.api.app import create_app
from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.roles import Role
from xiaobao.services.complaints import handling
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import export, intelligence, leads, review, triage
from xiaobao.services.complaints.intake.importing import import_file

from tests.conftest import PASSWORD, record
from tests.support.blackgray import gang, genuine


def compliance() -> Actor:
    return Actor("compliance", Role.COMPLIANCE)


def test_triage_routes_template_gang_to_special_queue_and_keeps_the_clock(ctx, users):
    made = [intake.submit(ctx, gang(i), actor="t")[0] for i in range(6)]
    ok = [intake.submit(ctx, genuine(i), actor="t")[0] for i in range(4)]
    # The first two of a family are indistinguishable from genuine when they arrive; from then on,
    # every new one goes to the special-cases team at intake and the earlier ones are re-scored.
    assert made[-1].team == "special_cases" and triage.SUSPECT_FLAG in made[-1].flags
    assert made[-1].status == "received" and made[-1].due_date is not None  # flagged ≠ rejected: clock runs
    assert all(c.team != "special_cases" and triage.SUSPECT_FLAG not in c.flags for c in ok)
    # a consumer's own threat to go to 12378 is an escalation risk (sent up a tier), not black/gray work
    assert ok[0].flags == ["escalation_risk"] and all(not c.flags for c in ok[1:])
    q = review.queue(ctx)
    assert {r["complaint_id"] for r in q["items"]} == {c.id for c in made}
    with ctx.store.uow(write=False) as uow:
        first = uow.complaints.get(made[0].id)
        flags = uow.blackgray.flags_for([c.id for c in made + ok])
    assert triage.SUSPECT_FLAG in first.flags  # retro-flagged when its family grew
    assert all(not flags[c.id]["flagged"] for c in ok)
    assert {flags[c.id]["gang_key"] for c in made} == {flags[made[0].id]["gang_key"]} != {None}
    kinds = {s["kind"] for s in flags[made[-1].id]["signals"]}
    assert {"blackgray.template", "blackgray.shared_contact"} <= kinds
    # A flagged complaint is handled like any other.
    actor = Actor("supervisor", Role.SUPERVISOR)
    c = handling.accept(ctx, made[-1].id, actor, "特殊投诉组受理")
    assert str(c.status) == "accepted"


def test_import_triages_batches_and_a_rerun_changes_nothing(ctx, users, tmp_path):
    path = tmp_path / "in.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(12):
            f.write(json.dumps(gang(i), ensure_ascii=False) + "\n")
        for i in range(8):
            f.write(json.dumps(genuine(i), ensure_ascii=False) + "\n")
    report = import_file(ctx, path, actor="t")
    assert report.inserted == 20 and not report.errors
    q = review.queue(ctx, review_status=None)
    flagged = {r["external_id"] for r in q["items"]}
    assert flagged == {f"GANG-{i:03d}" for i in range(12)}
    again = import_file(ctx, path, actor="t")
    assert again.inserted == 0 and review.queue(ctx, review_status=None)["total"] == 12


def test_leads_review_and_evidence_export(ctx, users, tmp_path):
    for i in range(6):
        intake.submit(ctx, gang(i), actor="t")
    intake.submit(ctx, genuine(0), actor="t")
    stats = leads.refresh_leads(ctx)
    assert stats["leads"] == 1 and stats["created"] == 1
    assert leads.refresh_leads(ctx) == {"leads": 1, "created": 0, "updated": 1, "merged": 0}  # idempotent
    listed = leads.list_leads(ctx)["items"]
    lead = leads.get_lead(ctx, listed[0]["id"])
    assert lead["lead_type"] == "gang" and lead["customers"] == 6 and len(lead["members"]) == 6
    assert lead["artefacts"][0]["value"] == "139****5678"  # masked in the lead
    assert sum(t["count"] for t in lead["evidence"]["timeline"]) == 6

    with pytest.raises(InvalidValue):
        review.review_lead(ctx, lead["id"], "maybe", compliance())
    with pytest.raises(Exception, match="无权"):
        review.review_lead(ctx, lead["id"], "confirm", Actor("agent", Role.AGENT))
    r = review.review_lead(ctx, lead["id"], "confirm", compliance(), "同一代理人批量投诉")
    assert r["flags_decided"] == 6
    assert leads.get_lead(ctx, lead["id"])["status"] == "confirmed"
    assert leads.refresh_leads(ctx)["leads"] == 1 and leads.get_lead(ctx, lead["id"])["status"] == "confirmed"

    out = export.export_lead(ctx, lead["id"], compliance(), tmp_path / "pkg")
    pkg = json.loads((tmp_path / "pkg" / f"lead-{lead['id']}-evidence.json").read_text(encoding="utf-8"))
    assert len(pkg["complaints"]) == 6 and pkg["pii_masked"] is False
    assert pkg["shared_artefacts"][0] == {"kind": "mobile", "value": "13912345678", "customers": 6,
                                          "complaint_ids": sorted(m["complaint_id"] for m in lead["members"])}
    wb = load_workbook(out["xlsx"], read_only=True)
    assert wb.sheetnames == ["线索概要", "成员投诉", "共用联系方式", "时间线", "识别依据"]
    assert sum(1 for _ in wb["成员投诉"].iter_rows(min_row=2)) == 6
    with ctx.store.uow(write=False) as uow:
        trail = uow.audit.for_entity("bg_lead", str(lead["id"]))
    assert [t["action"] for t in trail] == ["blackgray.lead.confirm", "blackgray.lead.export"]
    assert trail[1]["content"]["data"]["files"] == out["sha256"]
    with pytest.raises(Exception, match="无权"):
        export.export_lead(ctx, lead["id"], Actor("agent", Role.AGENT), tmp_path / "no")


def test_complaint_review_feeds_calibration(ctx, users):
    made = [intake.submit(ctx, gang(i), actor="t")[0] for i in range(6)]
    ok = [intake.submit(ctx, genuine(i), actor="t")[0] for i in range(4)]
    review.review_flag(ctx, made[0].id, "confirm", compliance(), "模板")
    review.review_flag(ctx, ok[0].id, "reject", compliance(), "本人真实诉求")
    fit = review.calibrate(ctx, compliance())
    assert fit["reviews"] == 2 and fit["enough_reviews"] is False and fit["current_threshold"] == 0.5
    with pytest.raises(InvalidValue, match="至少"):
        review.calibrate(ctx, compliance(), apply=True)
    # Enough decisions: the fitted threshold separates them and intake uses it from then on.
    reviewed = [(0.9, True)] * 25 + [(0.55, False)] * 25 + [(0.3, False)] * 5
    fit = review.fit_threshold(reviewed, floor=0.35)
    assert fit["threshold"] == 0.9 and fit["f1"] == 1.0
    assert [b["confirmed_rate"] for b in fit["reliability"]] == [0.0, 0.0, 1.0]


def test_intelligence_import_is_idempotent_reports_bad_rows_and_hits_on_rescan(ctx, users, tmp_path):
    c, _ = intake.submit(ctx, record(1, customer_id_number="", text="有事请联系我的法务，微信 lawyer_wang88，谢谢。"),
                         actor="t")
    other, _ = intake.submit(ctx, genuine(1), actor="t")
    path = tmp_path / "intel.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kind", "value", "source", "expires_on", "note"])
        w.writerow(["wechat", "Lawyer_Wang88", "公安协查函2026-17", "2027-06-30", ""])
        w.writerow(["phone", "+86 139 1234 5678", "行业共享", "", ""])
        w.writerow(["phone", "13700130001", "过期情报", "2026-01-01", ""])  # genuine(1)'s own phone, expired
        w.writerow(["qq", "12", "x", "", ""])
        w.writerow(["fax", "1", "x", "", ""])
        w.writerow(["phone", "13912345678", "", "", ""])
        w.writerow(["phone", "13912345678", "y", "2026-13-01", ""])
    report = intelligence.import_intel(ctx, path, actor="t")
    assert report.rows == 7 and report.stored == 3
    assert sorted((e.row, e.field) for e in report.errors) == [(5, "value"), (6, "kind"), (7, "source"),
                                                              (8, "expires_on")]
    assert intelligence.import_intel(ctx, path, actor="t").stored == 3
    summary = intelligence.intel_summary(ctx)["counts"]
    assert summary["wechat"] == 1 and summary["phone"] == 2 and summary["live"] == 2
    result = triage.rescan(ctx)
    assert result["intel_hits"] == 1
    flag = review.flag_of(ctx, c.id)
    hit = [s for s in flag["signals"] if s["kind"] == "blackgray.intelligence"][0]
    assert hit["evidence"]["hits"][0]["source"] == "公安协查函2026-17"
    assert "lawyer_wang88" not in orjson.dumps(flag, option=orjson.OPT_NON_STR_KEYS).decode()  # masked in evidence
    assert flag["flagged"] is True  # an intelligence hit alone flags
    assert review.flag_of(ctx, other.id)["flagged"] is False  # the expired entry matched nothing
    # New complaints after the import hit at intake, in this process and in any other.
    d, _ = intake.submit(ctx, record(2, customer_id_number="", text="联系电话13912345678，代办一切。"), actor="t")
    assert review.flag_of(ctx, d.id)["flagged"] is True


def test_api_and_cli(ctx, users, tmp_path, monkeypatch):
    for i in range(6):
        intake.submit(ctx, gang(i), actor="t")
    with TestClient(create_app(ctx)) as client:
        def token(u):
            return {"Authorization": "Bearer " + client.post("/auth/login", json={"username": u, "password": PASSWORD}).json()["token"]}

        h, agent = token("compliance"), token("agent")
        assert client.get("/blackgray/leads", headers=agent).status_code == 403
        assert client.post("/blackgray/leads/refresh", headers=h).json()["leads"] == 1
        leads_ = client.get("/blackgray/leads", headers=h).json()
        assert leads_["total"] == 1
        lid = leads_["items"][0]["id"]
        assert len(client.get(f"/blackgray/leads/{lid}", headers=h).json()["members"]) == 6
        assert client.get("/blackgray/queue", headers=h).json()["total"] == 6
        r = client.post(f"/blackgray/leads/{lid}/review", json={"decision": "nope"}, headers=h)
        assert r.status_code == 422
        r = client.post(f"/blackgray/leads/{lid}/review", json={"decision": "reject", "note": "误报"}, headers=h)
        assert r.json()["status"] == "rejected"
        x = client.get(f"/blackgray/leads/{lid}/export", params={"format": "json"}, headers=h)
        assert x.status_code == 200 and len(x.json()["complaints"]) == 6 and x.headers["x-content-sha256"]
        up = client.post("/blackgray/intel", params={"filename": "i.csv"}, headers=h,
                         content="kind,value,source\nqq,123456,举报\nqq,,举报\n".encode())
        assert up.json()["stored"] == 1 and up.json()["errors"][0] == {"row": 3, "field": "value", "reason": "不能为空"}
        assert client.post("/blackgray/rescan", headers=h).json()["complaints"] == 6
        assert client.get("/blackgray/leads/999", headers=h).status_code == 404

    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "cli-keys.json"))
    ctx.vault.to_json()
    (tmp_path / "cli-keys.json").write_text(ctx.vault.to_json(), encoding="utf-8")
    from xiaobao.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["blackgray", "leads"])
    assert res.exit_code == 0 and "团伙" in res.output
    res = runner.invoke(app, ["blackgray", "export", str(lid), "--out", str(tmp_path / "cli"), "--user", "compliance"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli" / f"lead-{lid}-evidence.xlsx").exists()
    res = runner.invoke(app, ["blackgray", "review", "lead", str(lid), "confirm", "--user", "agent"])
    assert res.exit_code == 2 and "无权" in res.output
