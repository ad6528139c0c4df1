"""Marketing pre-review on SQLite and PostgreSQL: submit → automatic findings → a person's decision with
its reasons (audited) → approval fingerprint → "is this exact content approved?" → coverage; API, CLI."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import PASSWORD
from xiaobao.api.app import create_app
from xiaobao.cli import app as cli_app
from xiaobao.domain.errors import InvalidValue, RecusalRequired
from xiaobao.services import audit
from xiaobao.services.marketing import materials as marketing
from xiaobao.services.actors import Actor
from xiaobao.services.auth import create_user
from xiaobao.services.errors import Conflict

GOOD = "日利率0.02%起（年化利率7.2%起，单利），贷款由甲乙消费金融有限公司提供，最终以审批为准。"
BAD = "秒批！无视征信，借1万每天只要3元。"
MKT = Actor("mkt", "marketing")
REVIEWER = Actor("compliance", "compliance")


@pytest.fixture
def people(ctx, users):
    create_user(ctx, username="mkt", password=PASSWORD, role="marketing", staff_id="S200")
    return ctx


def material(**over):
    return {"ref": "MKT-001", "version": "1", "channel": "sms", "product": "消费分期", "title": "",
            "content": GOOD, **over}


def test_approval_fingerprints_the_exact_content_and_any_change_is_not_approved(people):
    ctx = people
    m, created = marketing.submit(ctx, MKT, material())
    assert created and m["status"] == "pending" and m["compliant"]
    assert marketing.approval(ctx, GOOD)["approved"] is False  # submitted is not approved
    done = marketing.review(ctx, REVIEWER, m["id"], "approve")
    assert done["status"] == "approved" and done["reviews"][0]["fingerprint"] == m["fingerprint"]
    yes = marketing.approval(ctx, GOOD + "\r\n", "sms")  # line endings are not content
    assert yes["approved"] and yes["material_id"] == m["id"] and yes["approved_by"] == "compliance"
    assert not marketing.approval(ctx, GOOD.replace("7.2%", "7.3%"))["approved"]
    assert not marketing.approval(ctx, GOOD.replace("，", ",", 1))["approved"]
    assert not marketing.approval(ctx, GOOD, "poster")["approved"]


def test_findings_are_stored_and_approving_despite_them_needs_a_reason_which_is_audited(people):
    ctx = people
    m, _ = marketing.submit(ctx, MKT, material(ref="MKT-002", content=BAD))
    assert {f["kind"] for f in m["findings"]} >= {"marketing.misleading_approval", "marketing.ignore_credit"}
    with pytest.raises(InvalidValue) as e:
        marketing.review(ctx, REVIEWER, m["id"], "approve")
    assert e.value.field == "comment"
    marketing.review(ctx, REVIEWER, m["id"], "request_changes", "删除“秒批”“无视征信”，补充年化利率")
    with ctx.store.uow(write=False) as uow:
        entries = uow.audit.for_entity("marketing_material", str(m["id"]))
    assert [e["action"] for e in entries] == ["marketing.submit", "marketing.request_changes"]
    assert entries[1]["actor"] == "compliance" and "秒批" in entries[1]["content"]["reason"]
    problems = audit.verify(ctx).problems
    assert problems == []
    with pytest.raises(Exception) as again:
        marketing.review(ctx, REVIEWER, m["id"], "approve", "ok")
    assert "changes_requested" in str(again.value)


def test_the_submitter_cannot_review_their_own_material(people):
    ctx = people
    m, _ = marketing.submit(ctx, REVIEWER, material(ref="MKT-003"))
    with pytest.raises(RecusalRequired):
        marketing.review(ctx, REVIEWER, m["id"], "approve")


def test_resubmitting_is_idempotent_and_changed_content_needs_a_new_version(people):
    ctx = people
    a, _ = marketing.submit(ctx, MKT, material())
    b, created = marketing.submit(ctx, MKT, material())
    assert not created and a["id"] == b["id"]
    with pytest.raises(Conflict):
        marketing.submit(ctx, MKT, material(content=GOOD + "！"))
    c, created = marketing.submit(ctx, MKT, material(version="2", content=GOOD + "！"))
    assert created and c["id"] != a["id"]


@pytest.mark.parametrize("field,value,says", [("channel", "tv", "未知渠道"), ("content", "  ", "必填"),
                                              ("format", "pdf", "text"), ("ref", None, "必填")])
def test_bad_submissions_name_the_field_and_store_nothing(people, field, value, says):
    with pytest.raises(InvalidValue) as e:
        marketing.submit(people, MKT, material(**{field: value}))
    assert e.value.field == field and says in e.value.reason
    assert marketing.list_materials(people) == []


def test_coverage_counts_what_was_published_against_what_was_approved(people):
    ctx = people
    m, _ = marketing.submit(ctx, MKT, material())
    marketing.review(ctx, REVIEWER, m["id"], "approve")
    marketing.record_publication(ctx, MKT, {"channel": "sms", "external_id": "P1", "content": GOOD})
    marketing.record_publication(ctx, MKT, {"channel": "sms", "external_id": "P2", "content": GOOD + "（改）"})
    _, again = marketing.record_publication(ctx, MKT, {"channel": "sms", "external_id": "P1", "content": GOOD})
    assert again is False
    r = marketing.coverage(ctx)
    assert (r["published"], r["approved"], r["coverage"]) == (2, 1, 0.5)
    assert [p["external_id"] for p in r["unapproved"]] == ["P2"]
    assert r["materials_by_status"] == {"approved": 1}


@pytest.fixture
def client(people):
    with TestClient(create_app(people)) as c:
        yield c


def login(client, username):
    r = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_api_submit_review_approval_and_roles(client):
    mkt, rev, aud = login(client, "mkt"), login(client, "compliance"), login(client, "auditor")
    r = client.post("/marketing/materials", json=material(content=BAD), headers=mkt)
    assert r.status_code == 201 and not r.json()["compliant"]
    mid = r.json()["id"]
    assert client.post(f"/marketing/materials/{mid}/review", json={"decision": "approve", "comment": "x"},
                       headers=mkt).status_code == 403  # submitters do not review
    bad = client.post(f"/marketing/materials/{mid}/review", json={"decision": "reject"}, headers=rev)
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "comment" and bad.json()["message_en"]
    ok = client.post(f"/marketing/materials/{mid}/review", json={"decision": "reject", "comment": "含禁用语"},
                     headers=rev)
    assert ok.status_code == 200 and ok.json()["status"] == "rejected"
    assert client.get(f"/marketing/materials/{mid}", headers=aud).json()["reviews"][0]["reviewer"] == "compliance"
    good = client.post("/marketing/materials", json=material(ref="MKT-9", content=GOOD), headers=mkt).json()
    client.post(f"/marketing/materials/{good['id']}/review", json={"decision": "approve"}, headers=rev)
    assert client.post("/marketing/approval", json={"content": GOOD}, headers=mkt).json()["approved"] is True
    assert client.post("/marketing/approval", json={"content": BAD}, headers=mkt).json()["approved"] is False
    chk = client.post("/marketing/check", json={"text": BAD, "material_id": "x"}, headers=rev).json()
    assert chk["compliant"] is False and chk["apr_min"] == pytest.approx(10.8)
    assert client.get("/marketing/coverage", headers=aud).status_code == 200
    assert client.get("/marketing/coverage", headers=mkt).status_code == 403


@pytest.fixture
def env(people, monkeypatch, tmp_path):
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", people.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    return people


def test_cli_submit_review_and_approved_exit_codes(env, tmp_path):
    runner = CliRunner()
    f = tmp_path / "ad.txt"
    f.write_text(GOOD, encoding="utf-8")
    r = runner.invoke(cli_app, ["marketing", "submit", str(f), "--ref", "C1", "--version", "1", "--channel", "sms",
                                "--product", "消费分期", "--as", "mkt"])
    assert r.exit_code == 0, r.output
    mid = marketing.list_materials(env)[0]["id"]
    assert runner.invoke(cli_app, ["marketing", "approved", str(f)]).exit_code == 1
    r = runner.invoke(cli_app, ["marketing", "review", str(mid), "--decision", "approve", "--as", "mkt"])
    assert r.exit_code == 2 and "marketing.review" in r.output
    r = runner.invoke(cli_app, ["marketing", "review", str(mid), "--decision", "approve", "--as", "compliance"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(cli_app, ["marketing", "approved", str(f), "--channel", "sms"]).exit_code == 0
    f.write_text(GOOD + " ", encoding="utf-8")  # trailing whitespace is not content
    assert runner.invoke(cli_app, ["marketing", "approved", str(f)]).exit_code == 0
    f.write_text(GOOD.replace("7.2", "7.20"), encoding="utf-8")
    assert runner.invoke(cli_app, ["marketing", "approved", str(f)]).exit_code == 1


def test_cli_check_contract_offline(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [{"material_id": "a", "channel": "sms", "title": "", "text": GOOD},
            {"material_id": 2, "channel": "app", "title": "秒批", "text": BAD},
            {"material_id": "c", "channel": "sms", "title": "",
             "text": '<p style="font-size:30px"><b>日息万三</b></p><p style="font-size:10px">年化利率10.8%</p>'}]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(cli_app, ["marketing", "check", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["material_id"] for x in lines] == ["a", 2, "c"] and "跳过 1" in r.output
    assert set(lines[0]) == {"material_id", "compliant", "violations", "apr_min", "apr_max"}
    assert lines[0]["compliant"] and lines[0]["apr_min"] == 7.2
    v = {x["code"] for x in lines[1]["violations"]}
    assert {"misleading_approval", "ignore_credit", "daily_rate_without_apr"} <= v
    assert set(lines[1]["violations"][0]) >= {"code", "start", "end", "message", "citation"}
    assert "apr_less_prominent" in {x["code"] for x in lines[2]["violations"]}
