"""Collection QA on the platform (SQLite and PostgreSQL): import, dispute and decision, scorecards,
complaint linkage, API and the offline CLI contract."""

from __future__ import annotations

import json

import pytest
from conftest import PASSWORD, record
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from xiaobao.api.app import create_app
from xiaobao.cli import app as cli_app
from xiaobao.domain.errors import InvalidValue, RecusalRequired
from xiaobao.services.collection import calls as collection
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.errors import Conflict, Forbidden

OPEN = {"speaker": "collector", "text": "您好，我是示例消费金融的贷后专员李娜，工号3021。"}


def call(n, **over):
    r = {"call_id": f"CALL-{n:04d}", "agency": "安信资产", "collector_id": "S000", "debtor_id": "D1",
         "debtor_id_number": "11010519491231002X", "callee_number": "13900000001",
         "started_at": f"2026-11-19T{9 + n % 12:02d}:00:00+08:00", "duration_s": 90, "callee_relation": "debtor",
         "transcript": [OPEN, {"speaker": "collector", "text": "请您尽快登录APP还款。"}]}
    r.update(over)
    return r


THREAT = [OPEN, {"speaker": "collector", "text": "你不还钱我们就上门。", "start": 12.5, "end": 14.0}]


def rows(*recs):
    return list(enumerate(recs, start=1))


def actor(ctx, name):
    return collection.actor_for(ctx, name)


def test_import_inspects_stores_utterance_and_time_and_is_idempotent(ctx, users):
    recs = [call(1, transcript=THREAT), call(2), call(3, started_at="昨天"), call(4, debtor_id_number="123")]
    report = collection.import_rows(ctx, rows(*recs), actor="qa")
    assert (report.inserted, report.violating_calls, report.error_count) == (2, 1, 2)
    assert {(e.row, e.field) for e in report.errors} == {(3, "started_at"), (4, "debtor_id_number")}
    again = collection.import_rows(ctx, rows(*recs), actor="qa")
    assert (again.inserted, again.duplicates) == (0, 2)
    c = collection.get_call(ctx, "CALL-0001")
    (f,) = c["findings"]
    assert (f["code"], f["turn"], f["utterance"], f["t_start_s"]) == ("threat_violence", 1, THREAT[1]["text"], 12.5)
    assert c["masked"]["debtor_id_number"] == "110***********002X" and "11010519491231002X" not in json.dumps(c, default=str)


def test_cross_call_limits_count_calls_from_earlier_imports(ctx, users):
    collection.import_rows(ctx, rows(*[call(i) for i in range(3)]), actor="qa")
    report = collection.import_rows(ctx, rows(call(5)), actor="qa")
    assert report.violating_calls == 1
    assert [f["code"] for f in collection.get_call(ctx, "CALL-0005")["findings"]] == ["excessive_frequency"]


def test_dispute_then_decision_is_kept_and_audited(ctx, users):
    collection.import_rows(ctx, rows(call(1, transcript=THREAT, collector_id="COL-X")), actor="qa")
    fid = collection.get_call(ctx, "CALL-0001")["findings"][0]["id"]
    with pytest.raises(Forbidden):  # an agent (staff S000) may dispute only their own calls
        collection.dispute(ctx, fid, actor(ctx, "agent"), "不是我说的")
    with pytest.raises(InvalidValue):
        collection.dispute(ctx, fid, actor(ctx, "supervisor"), " ")
    collection.dispute(ctx, fid, actor(ctx, "supervisor"), "录音转写错误，原话是“我们不会上门”")
    with pytest.raises(Conflict):
        collection.dispute(ctx, fid, actor(ctx, "supervisor"), "再次申诉")
    with pytest.raises(RecusalRequired):
        collection.decide(ctx, fid, actor(ctx, "supervisor"), "overturned", "自己裁定")
    with pytest.raises(Forbidden):
        collection.decide(ctx, fid, actor(ctx, "agent"), "overturned", "无权")
    collection.decide(ctx, fid, actor(ctx, "compliance"), "overturned", "复听录音确认转写错误")
    c = collection.get_call(ctx, "CALL-0001")
    assert c["compliant"] is True and c["findings"][0]["status"] == "overturned"
    d = c["findings"][0]["disputes"][0]
    assert (d["disputed_by"], d["decided_by"], d["decision"]) == ("supervisor", "compliance", "overturned")
    with ctx.store.uow(write=False) as uow:
        actions = [e["action"] for e in uow.audit.for_entity("collection_finding", str(fid))]
        assert actions == ["collection.dispute", "collection.decide"]
        assert uow.audit.verify() == []


def test_scorecard_per_agency_and_collector_excludes_overturned(ctx, users):
    recs = [call(1, agency="甲", transcript=THREAT), call(2, agency="甲", debtor_id="D2"),
            call(3, agency="乙", debtor_id="D3"), call(4, agency="乙", debtor_id="D4", collector_id="S009")]
    collection.import_rows(ctx, rows(*recs), actor="qa")
    card = collection.scorecard(ctx, by="agency")
    by = {r["agency"]: r for r in card["rows"]}
    assert (by["甲"]["calls"], by["甲"]["violating_calls"], by["甲"]["violation_rate"]) == (2, 1, 0.5)
    assert by["甲"]["by_code"] == {"threat_violence": {"calls": 1, "rate": 0.5}}
    assert by["乙"]["violation_rate"] == 0 and by["甲"]["trend"][0]["period"] == "2026-11"
    assert len(collection.scorecard(ctx, by="collector")["rows"]) == 3
    fid = collection.get_call(ctx, "CALL-0001")["findings"][0]["id"]
    collection.dispute(ctx, fid, actor(ctx, "supervisor"), "转写错误")
    collection.decide(ctx, fid, actor(ctx, "compliance"), "overturned", "确认")
    assert {r["agency"]: r["violating_calls"] for r in collection.scorecard(ctx)["rows"]}["甲"] == 0


def test_complaint_about_collection_links_to_that_debtors_calls(ctx, users):
    c, _ = intake.submit(ctx, record(1), actor="agent")
    other, _ = intake.submit(ctx, record(2, customer_id_number="", customer_phone="13900000077"), actor="agent")
    collection.import_rows(ctx, rows(call(1), call(2, debtor_id_number="", debtor_phone="13900000077", debtor_id="D9"),
                                     call(3, debtor_id_number="110105194912310021", debtor_id="D8")), actor="qa")
    linked = collection.calls_for_complaint(ctx, c.id)
    assert linked["about_collection"] and [x["call_id"] for x in linked["calls"]] == ["CALL-0001"]
    assert [x["call_id"] for x in collection.calls_for_complaint(ctx, other.id)["calls"]] == ["CALL-0002"]


def test_api_import_read_dispute_decide_scorecard_and_link(ctx, users):
    with TestClient(create_app(ctx)) as client:
        def login(u):
            r = client.post("/auth/login", json={"username": u, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['token']}"}
        sup, comp, agent = login("supervisor"), login("compliance"), login("agent")
        r = client.post("/collection/calls", json={"calls": [call(1, transcript=THREAT, collector_id="S000")]}, headers=agent)
        assert r.status_code == 403 and r.json()["message_en"]
        r = client.post("/collection/calls", json={"calls": [call(1, transcript=THREAT, collector_id="S000"),
                                                             call(2, duration_s="x")]}, headers=sup)
        assert r.status_code == 201 and r.json()["inserted"] == 1 and r.json()["errors"][0]["field"] == "duration_s"
        f = client.get("/collection/calls/CALL-0001", headers=agent).json()["findings"][0]
        assert client.post(f"/collection/findings/{f['id']}/dispute", json={"reason": "误判"}, headers=agent).status_code == 200
        r = client.post(f"/collection/findings/{f['id']}/decision", json={"decision": "upheld", "reason": "录音属实"},
                        headers=comp)
        assert r.json()["status"] == "upheld"
        assert client.get("/collection/scorecards?by=collector", headers=sup).json()["rows"][0]["violating_calls"] == 1
        assert client.get("/collection/calls/NOPE", headers=sup).status_code == 404
        r = client.post("/collection/inspect", json={"calls": [call(5, transcript=THREAT)]}, headers=sup)
        assert r.json()["results"][0]["violations"][0]["code"] == "threat_violence"
        cid = intake.submit(ctx, record(1), actor="agent")[0].id
        r = client.get(f"/collection/complaints/{cid}/calls", headers=sup)
        assert [x["call_id"] for x in r.json()["calls"]] == ["CALL-0001"]


def test_cli_inspect_keeps_the_stable_contract(tmp_path, db_url):
    src = tmp_path / "in.jsonl"
    out = tmp_path / "out.jsonl"
    lines = [call(1, transcript=THREAT), call(2), {"call_id": "bad"}]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli_app, ["collection", "inspect", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [set(g) for g in got] == [{"call_id", "compliant", "violations"}] * 2
    assert got[0]["compliant"] is False and set(got[0]["violations"][0]) == {"code", "turn", "start", "end", "message",
                                                                            "citation"}
    assert got[1] == {"call_id": "CALL-0002", "compliant": True, "violations": []}
