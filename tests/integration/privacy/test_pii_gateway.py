"""Gateway on SQLite and PostgreSQL: API scan/anonymise, audited unmask with its access log,
the JSON-body middleware, streaming files, the scan CLI contract, and no PII in the logs."""

import csv
import json
import logging

import pytest
from conftest import PASSWORD
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from xiaobao.api.app import create_app
from xiaobao.api.privacy_middleware import PolicyMiddleware
from xiaobao.cli.common import app as cli_app
from xiaobao.engines.privacy import checks
from xiaobao.services.privacy.gateway_files import anonymise_file
from xiaobao.store.privacy.tables import pii_access_log
from xiaobao.store.audit import audit_log

TEXT = "借款人张伟，身份证11010519491231002X，手机13812345678，家住北京市朝阳区建设路88号。"


@pytest.fixture
def client(ctx, users):
    with TestClient(create_app(ctx)) as c:
        yield c


def login(client, username):
    r = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_scan_endpoint_returns_typed_spans(client):
    r = client.post("/privacy/scan", json={"text": TEXT}, headers=login(client, "agent"))
    assert r.status_code == 200
    spans = {(s["type"], TEXT[s["start"]:s["end"]]) for s in r.json()["spans"]}
    assert {("PERSON_NAME", "张伟"), ("CN_ID_CARD", "11010519491231002X"), ("CN_MOBILE", "13812345678"),
            ("ADDRESS", "北京市朝阳区建设路88号")} <= spans


def test_unmask_is_audited_and_logged_and_refused_without_permission(client, ctx):
    h = login(client, "agent")
    stored = client.post("/privacy/anonymise", json={"policy": "storage", "document": {"customer_phone": "13812345678"}},
                         headers=h).json()["document"]["customer_phone"]
    assert "13812345678" not in stored
    denied = client.post("/privacy/unmask", json={"token": stored, "purpose": "核实客户身份", "subject": "complaint:1"}, headers=h)
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    ok = client.post("/privacy/unmask", json={"token": stored, "purpose": "核实客户身份", "subject": "complaint:1"},
                     headers=login(client, "compliance"))
    assert ok.status_code == 200 and ok.json()["value"] == "13812345678" and ok.json()["key_id"] == "k1"
    no_purpose = client.post("/privacy/unmask", json={"token": stored, "purpose": ""}, headers=login(client, "compliance"))
    assert no_purpose.status_code == 422 and no_purpose.json()["details"]["field"] == "purpose"
    log = client.get("/privacy/access-log", headers=login(client, "auditor")).json()["entries"]
    assert [(e["actor"], e["action"]) for e in log] == [("compliance", "unmask"), ("agent", "denied")]
    assert all("13812345678" not in json.dumps(e, default=str) for e in log)
    with ctx.store.uow(write=False) as uow:
        assert uow.session.execute(select(func.count()).select_from(pii_access_log)).scalar() == 2
        actions = set(uow.session.execute(select(audit_log.c.action)).scalars())
    assert {"pii.unmask", "pii.denied"} <= actions
    assert client.get("/privacy/access-log", headers=h).status_code == 403


def test_gateway_endpoint_applies_a_named_policy_and_rejects_unknown_ones(client):
    h = login(client, "agent")
    out = client.post("/privacy/gateway/export", json={"phone": "13812345678", "memo": TEXT}, headers=h).json()
    assert checks.is_mobile(out["phone"]) and out["phone"] != "13812345678"
    assert "张伟" not in out["memo"] and "11010519491231002X" not in out["memo"]
    bad = client.post("/privacy/gateway/nope", json={}, headers=h)
    assert bad.status_code == 422 and "display" in bad.json()["message"]


def test_middleware_applies_policy_to_json_responses_only(ctx):
    app = FastAPI()
    app.state.ctx = ctx

    @app.get("/partner/customer")
    def customer():
        return {"customer_phone": "13812345678", "note": TEXT}

    @app.get("/partner/plain")
    def plain():
        from fastapi.responses import PlainTextResponse
        return PlainTextResponse("13812345678")

    app.add_middleware(PolicyMiddleware, policy="display", prefixes=("/partner/",))
    with TestClient(app) as c:
        r = c.get("/partner/customer")
        assert r.json()["customer_phone"] == "138****5678" and "11010519491231002X" not in r.json()["note"]
        assert int(r.headers["content-length"]) == len(r.content)
        assert c.get("/partner/plain").text == "13812345678"


def test_streaming_files_csv_jsonl_xlsx(ctx, tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_name", "customer_phone", "text"])
        w.writerow(["王小明", "13812345678", TEXT])
        w.writerow(["bad row"])
    rep = anonymise_file(ctx.vault, src, tmp_path / "out.csv", "export")
    rows = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert rep.rows == 2 and rep.written == 1 and rep.errors == [(3, "列数 1 与表头 3 不符")]
    assert rows[1][0].startswith("<PERSON_NAME:") and "张伟" not in rows[1][2]
    again = anonymise_file(ctx.vault, src, tmp_path / "out2.csv", "export")
    assert again.written == 1 and (tmp_path / "out2.csv").read_text() == (tmp_path / "out.csv").read_text()

    jl = tmp_path / "in.jsonl"
    jl.write_text(json.dumps({"text": TEXT}, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    rep = anonymise_file(ctx.vault, jl, tmp_path / "out.jsonl", "analytics")
    assert rep.written == 1 and rep.errors[0][0] == 2
    assert "[居民身份证号]" in json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])["text"]

    wb = Workbook()
    ws = wb.active
    ws.append(["phone", "memo"])
    ws.append(["13812345678", TEXT])
    wb.save(tmp_path / "in.xlsx")
    anonymise_file(ctx.vault, tmp_path / "in.xlsx", tmp_path / "out.xlsx", "export")
    got = list(load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True))
    assert got[0] == ("phone", "memo") and checks.is_mobile(got[1][0]) and got[1][0] != "13812345678"


def test_scan_cli_contract(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"doc_id": "d1", "text": TEXT}, ensure_ascii=False) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(cli_app, ["pii", "scan", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    line = json.loads(out.read_text().splitlines()[0])
    assert line["doc_id"] == "d1"
    assert set(line["spans"][0]) == {"start", "end", "type", "score"}
    assert {"CN_ID_CARD", "CN_MOBILE", "PERSON_NAME", "ADDRESS"} <= {s["type"] for s in line["spans"]}


def test_no_pii_reaches_the_logs(client, caplog):
    from xiaobao.logs import PiiScrubber

    caplog.handler.addFilter(PiiScrubber())
    with caplog.at_level(logging.DEBUG):
        h = login(client, "agent")
        client.post("/privacy/scan", json={"text": TEXT}, headers=h)
        client.post("/privacy/anonymise", json={"policy": "display", "text": TEXT}, headers=h)
        logging.getLogger("xiaobao.test").info("request body %s", TEXT)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "request body" in logged
    for value in ("11010519491231002X", "13812345678"):
        assert value not in logged


def test_gateway_is_mounted_from_configuration_on_chosen_prefixes_only(ctx, users, monkeypatch):
    import dataclasses

    from xiaobao.config import Settings, policy_routes
    from xiaobao.engines.privacy.policy import PolicyError

    monkeypatch.setenv("XIAOBAO_PRIVACY_GATEWAY", "/complaints/=storage; /research/=analytics")
    assert Settings().privacy_gateway == (("/complaints/", "storage"), ("/research/", "analytics"))
    with pytest.raises(ValueError, match="XIAOBAO_PRIVACY_GATEWAY"):
        policy_routes("complaints=export")
    with pytest.raises(PolicyError):  # an unknown policy fails at start-up, not on the first request
        create_app(dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, privacy_gateway=(("/x/", "nope"),))))

    raw = {"external_id": "GW-1", "channel": "app", "received_at": "2026-11-18 09:30:00", "customer_name": "王小明",
           "customer_phone": "13712345678", "customer_id_number": "11010519491231002X", "text": TEXT,
           "category": "debt_collection"}
    with TestClient(create_app(ctx)) as plain:
        cid = plain.post("/complaints", json=raw, headers=login(plain, "agent")).json()["id"]
        comp = login(plain, "compliance")
        before_list = plain.get("/complaints", headers=comp).json()
        before_me = plain.get("/auth/me", headers=comp).json()
        clear = plain.get(f"/complaints/{cid}", params={"reveal": True}, headers=comp).json()
    assert clear["customer"]["phone"] == "13712345678" and "13812345678" in clear["text"]

    gated = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, privacy_gateway=(("/complaints/", "storage"),)))
    with TestClient(create_app(gated)) as client:
        comp = login(client, "compliance")
        out = client.get(f"/complaints/{cid}", params={"reveal": True}, headers=comp)
        body = out.json()
        assert out.status_code == 200 and int(out.headers["content-length"]) == len(out.content)
        # The configured route's JSON leaves anonymised by the policy: values encrypted, tokens in their place.
        for value in ("13712345678", "13812345678", "11010519491231002X", "王小明"):
            assert value not in out.text
        assert body["customer"]["phone"].startswith("<enc:CN_MOBILE:") and "<enc:CN_ID_CARD:" in body["text"]
        assert (body["id"], body["status"], body["channel"]) == (cid, clear["status"], clear["channel"])
        # Routes not configured are untouched, byte for byte the same as without the gateway.
        assert client.get("/complaints", headers=comp).json() == before_list
        assert client.get("/auth/me", headers=comp).json() == before_me
        # Whoever needs a value back unmasks it: an audited act, written to the access log.
        token = body["customer"]["phone"]
        back = client.post("/privacy/unmask", json={"token": token, "purpose": "回访核实身份", "subject": f"complaint:{cid}"},
                           headers=comp)
        assert back.status_code == 200 and back.json()["value"] == "13712345678"
        log = client.get("/privacy/access-log", headers=login(client, "auditor")).json()["entries"]
    assert [(e["actor"], e["action"], e["pii_type"], e["subject"]) for e in log] == \
        [("compliance", "unmask", "CN_MOBILE", f"complaint:{cid}")]
    assert log[0]["value_index"] == ctx.vault.blind_index("13712345678") and "13712345678" not in json.dumps(log, default=str)
