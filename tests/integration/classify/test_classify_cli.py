"""`xiaobao classify predict / train / eval` on a real database, with bad rows named."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xiaobao.cli.common import app


@pytest.fixture
def cli_env(ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    return tmp_path


def write_jsonl(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


LABELS = ([{"text": f"催收人员打电话骚扰我的家人{i}", "category": "debt_collection"} for i in range(12)]
          + [{"text": f"额度被冻结借不出来{i}", "category": "credit_limit"} for i in range(12)])


def test_predict_writes_the_contract_fields_and_names_bad_rows(cli_env):
    src = write_jsonl(cli_env / "in.jsonl", [{"external_id": "A1", "text": "暴力催收，打电话给我的通讯录联系人"},
                                             "{not json", {"external_id": "A3"}])
    out = cli_env / "out.jsonl"
    r = CliRunner().invoke(app, ["classify", "predict", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert {"external_id", "axis_b", "axis_c", "category", "confidence", "points", "escalation_risk"} <= set(row)
    assert row["external_id"] == "A1" and row["category"] == "debt_collection"
    assert "第2行" in r.output and "第3行" in r.output


@pytest.mark.slow
def test_train_then_eval_uses_the_trained_model(cli_env):
    labels = write_jsonl(cli_env / "labels.jsonl", [*LABELS, {"text": "x", "category": "nope"}])
    r = CliRunner().invoke(app, ["classify", "train", str(labels)])
    assert r.exit_code == 0, r.output
    assert "模型版本 1（已启用）" in r.output and "第25行" in r.output
    r = CliRunner().invoke(app, ["classify", "eval", str(labels)])
    assert r.exit_code == 0, r.output
    assert "model:1" in r.output and "macro-F1 1.0000" in r.output
