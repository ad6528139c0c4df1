"""An institution's own rules (XIAOBAO_RULES_DIR) win everywhere: the offline CLI, the API, the console
and the background code (intake masking and triage). Each test copies the bundled rules, changes one
thing a user can see, points XIAOBAO_RULES_DIR at the copy and looks for the change in what the
platform says.

The change is made by the `rules` fixture (`indirect` parameter), before the setting is in force: rules
are read once per process and directory, so an edit made after anything read the copy (a log line
scrubbed while signing in reads the privacy rules) would not be seen — as in production, where an
institution's rules are changed with a restart."""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from xiaobao.cli import main  # (importing xiaobao.cli registers every command group on the app)
from tests.conftest import PASSWORD, console_login, record
from xiaobao.api.app import create_app
from xiaobao.cli.common import app
from xiaobao.rules import BUNDLED, RulesError

runner = CliRunner()


@pytest.fixture
def rules(request, tmp_path, monkeypatch):
    """A copy of the bundled rules with `request.param` applied — (file, old text, new text) replacements,
    or (file, whole new text) — in force through XIAOBAO_RULES_DIR (set before any context is built)."""
    d = tmp_path / "institution-rules"
    shutil.copytree(BUNDLED, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name, *change in getattr(request, "param", ()):
        path = d / name
        if len(change) == 1:
            path.write_text(change[0], encoding="utf-8")
            continue
        old, new = change
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{name}: {old!r} should occur once"
        path.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setenv("XIAOBAO_RULES_DIR", str(d))
    return d


def changed(*edits):
    """Parametrise `rules` with these edits (one case)."""
    return pytest.mark.parametrize("rules", [edits], indirect=True, ids=["institution"])


def jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def run(*args: str) -> None:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output


def lines(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def client(rules, ctx, users):
    with TestClient(create_app(ctx)) as c:
        r = c.post("/auth/login", json={"username": "supervisor", "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        yield c


# ---- marketing -------------------------------------------------------------------------------------
MARKETING_OLD = "承诺审批结果或放款（如“秒批”“100%通过”“包下款”），属引人误解的宣传"
MARKETING_NEW = "本机构口径：不得承诺审批结果"
AD = "秒批！年化利率（单利）7.2%-24%，具体以审批为准。"
MARKETING_EDIT = ("marketing_rules.yaml", MARKETING_OLD, MARKETING_NEW)


@changed(MARKETING_EDIT)
def test_marketing_check_cli_shows_the_institutions_message(rules, tmp_path):
    out = tmp_path / "out.jsonl"
    run("marketing", "check", jsonl(tmp_path / "in.jsonl", [{"material_id": "M1", "text": AD}]), "--out", str(out))
    messages = [v["message"] for v in lines(out)[0]["violations"]]
    assert MARKETING_NEW in messages and MARKETING_OLD not in messages


@changed(MARKETING_EDIT)
def test_marketing_check_api_shows_the_institutions_message(client, rules):
    r = client.post("/marketing/check", json={"text": AD})
    assert r.status_code == 200, r.text
    assert MARKETING_NEW in [v["message"] for v in r.json()["violations"]]


@changed(MARKETING_EDIT)
def test_marketing_check_in_the_console_shows_the_institutions_message(client, rules):
    c = TestClient(client.app)  # the console signs in with a session cookie, not a token
    assert console_login(c, "supervisor").status_code == 303
    token = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', c.get("/ui/marketing/new").text).group(1)
    r = c.post("/ui/marketing/check", data={"content": AD, "title": "", "format": ""},
               headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert r.status_code == 200 and MARKETING_NEW in r.text and MARKETING_OLD not in r.text


# ---- privacy ---------------------------------------------------------------------------------------
PII_TEXT = "我的手机13812345678，请回电。"
MOBILE_SCORE = "    score: 0.95\n    citation: {source: \"JR/T 0171-2020 C2（支付账号等同信息）；民法典\""
MOBILE_EDIT = ("privacy_recognizers.yaml", MOBILE_SCORE, MOBILE_SCORE.replace("0.95", "0.61"))


@changed(MOBILE_EDIT)
def test_pii_scan_cli_uses_the_institutions_recognizer_score(rules, tmp_path):
    out = tmp_path / "out.jsonl"
    run("pii", "scan", jsonl(tmp_path / "in.jsonl", [{"doc_id": "d1", "text": PII_TEXT}]), "--out", str(out))
    assert [(s["type"], s["score"]) for s in lines(out)[0]["spans"]] == [("CN_MOBILE", 0.61)]


@changed(MOBILE_EDIT)
def test_pii_scan_api_uses_the_institutions_recognizer_score(client, rules):
    r = client.post("/privacy/scan", json={"text": PII_TEXT})
    assert r.status_code == 200, r.text
    assert [(s["type"], s["score"]) for s in r.json()["spans"]] == [("CN_MOBILE", 0.61)]


# privacy_policies.yaml: the institution's display mask shows 2 + 2 digits of a mobile, not 3 + 4;
# intake masks the stored text (background code) and the API shows it
@changed(("privacy_policies.yaml", "  CN_MOBILE: {head: 3, tail: 4}", "  CN_MOBILE: {head: 2, tail: 2}"))
def test_complaint_text_is_masked_as_the_institutions_display_policy_says(client, rules):
    r = client.post("/complaints", json=record(1, text="催收人员打我同事电话13812345678骚扰，要求停止。"))
    assert r.status_code == 201, r.text
    shown = client.get(f"/complaints/{r.json()['id']}").json()["text"]
    assert "13*******78" in shown and "138****5678" not in shown


# ---- collection QA ---------------------------------------------------------------------------------
COLLECTION_OLD = "message_zh: 威胁上门或到单位、联系家人"
COLLECTION_NEW = "message_zh: 本机构口径：不得以上门相威胁"
CALL = {"call_id": "C1", "agency": "安信资产", "collector_id": "S1", "debtor_id": "D1",
        "started_at": "2026-11-19T10:00:00+08:00", "duration_s": 90, "callee_relation": "debtor",
        "transcript": [{"speaker": "collector", "text": "您好，我是示例消费金融的贷后专员李娜，工号3021。"},
                       {"speaker": "collector", "text": "你不还钱我们就上门。"}]}


@changed(("collection_utterances.yaml", COLLECTION_OLD, COLLECTION_NEW))
def test_collection_inspect_cli_shows_the_institutions_message(rules, tmp_path):
    out = tmp_path / "out.jsonl"
    run("collection", "inspect", jsonl(tmp_path / "in.jsonl", [CALL]), "--out", str(out))
    (v,) = lines(out)[0]["violations"]
    assert v["code"] == "threat_violence" and v["message"].startswith("本机构口径：不得以上门相威胁")


# ---- black/gray ------------------------------------------------------------------------------------
PHRASE = "本机构黑话甲乙丙"
LEXICON_OLD = "      - {text: 代理维权, weight: 0.9}\n"
PHRASE_EDIT = ("blackgray_lexicon.yaml", LEXICON_OLD, LEXICON_OLD + f"      - {{text: {PHRASE}, weight: 0.8}}\n")


@changed(PHRASE_EDIT)
def test_blackgray_scan_cli_finds_the_institutions_phrase(rules, tmp_path):
    out = tmp_path / "out.jsonl"
    rec = {"external_id": "B1", "channel": "app", "received_at": "2026-11-18 09:30:00",
           "text": f"我要投诉，{PHRASE}，请尽快处理。"}
    run("blackgray", "scan", jsonl(tmp_path / "in.jsonl", [rec]), "--out", str(out))
    assert PHRASE in [s["evidence"].get("phrase") for s in lines(out)[0]["signals"]]


@changed(PHRASE_EDIT)
def test_intake_triage_finds_the_institutions_phrase(rules, ctx):
    from xiaobao.services.complaints.intake import storing as intake
    from xiaobao.store.blackgray.tables import bg_flags

    cid = intake.submit(ctx, record(1, text=f"贵司催收人员骚扰我，{PHRASE}。"), actor="agent")[0].id
    with ctx.store.engine.connect() as conn:
        signals = conn.execute(select(bg_flags.c.signals).where(bg_flags.c.complaint_id == cid)).scalar_one()
    assert PHRASE in [s["evidence"].get("phrase") for s in signals]


# a finding scores weight × max_score: 代理维权 (weight 0.9) scores 0.315 under the bundled 0.35
@changed(("blackgray_lexicon.yaml", "max_score: 0.35\n", "max_score: 0.2\n"))
def test_blackgray_scan_cli_uses_the_institutions_lexicon_cap(rules, tmp_path):
    out = tmp_path / "out.jsonl"
    run("blackgray", "scan", jsonl(tmp_path / "in.jsonl", [{"external_id": "B1", "text": "我们是代理维权的"}]),
        "--out", str(out))
    assert [(s["evidence"]["phrase"], s["score"]) for s in lines(out)[0]["signals"]] == [("代理维权", 0.18)]


# ---- classification --------------------------------------------------------------------------------
# (The classify commands already passed Settings().rules_dir before the one loader; these keep it so.)
POINT_OLD = "name_zh: 催收威胁恐吓辱骂,"
POINT_NEW = "name_zh: 本机构诉点：威胁恐吓,"
THREAT_COMPLAINT = "催收人员打电话威胁恐吓我，说要上门。"


@changed(("classify_points.yaml", POINT_OLD, POINT_NEW))
@pytest.mark.parametrize("args", [["--rules-only"], []], ids=["rules-only", "with-database"])
def test_classify_predict_cli_names_the_institutions_point(rules, ctx, tmp_path, monkeypatch, args):
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    out = tmp_path / "out.jsonl"
    run("classify", "predict", jsonl(tmp_path / "in.jsonl", [{"external_id": "A1", "text": THREAT_COMPLAINT}]),
        "--out", str(out), *args)
    assert "本机构诉点：威胁恐吓" in json.dumps(lines(out)[0], ensure_ascii=False)


@changed(("classify_lexicon.yaml", "  credit_limit:\n    额度: 2.5\n", "  credit_limit:\n    额度: 2.5\n    本机构专有词: 30\n"))
def test_classify_predict_cli_uses_the_institutions_lexicon(rules, tmp_path):
    out = tmp_path / "out.jsonl"
    run("classify", "predict", jsonl(tmp_path / "in.jsonl", [{"external_id": "A1", "text": "本机构专有词"}]),
        "--out", str(out), "--rules-only")
    assert lines(out)[0]["category"] == "credit_limit"


# ---- a bad rules file ------------------------------------------------------------------------------
@changed(("marketing_rules.yaml", "rules: [\n  - id: X\n"))
def test_a_bad_rules_file_is_one_clear_error_naming_the_file(rules, tmp_path, monkeypatch, capsys):
    src = jsonl(tmp_path / "in.jsonl", [{"material_id": "M1", "text": AD}])
    r = runner.invoke(app, ["marketing", "check", src, "--out", str(tmp_path / "out.jsonl")])
    assert isinstance(r.exception, RulesError)  # the one error class, whichever engine read the file
    assert str(rules / "marketing_rules.yaml") in str(r.exception) and "YAML" in str(r.exception)
    # the `xiaobao` command says so in one line and exits 2, without a traceback
    monkeypatch.setattr(sys, "argv", ["xiaobao", "marketing", "check", src, "--out", str(tmp_path / "out.jsonl")])
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 2
    said = capsys.readouterr().err
    assert f"规则文件错误 (rules error)：{rules / 'marketing_rules.yaml'}: YAML 格式错误" in said
    assert "Traceback" not in said
