"""The command line and the real server process: import, audit verify (tampering), serve and its logs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import text, update
from typer.testing import CliRunner

from xiaobao.cli import app
from xiaobao.services import audit
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.store.audit import audit_log
from tests.conftest import record

runner = CliRunner()


@pytest.fixture
def env(ctx, monkeypatch, tmp_path):
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    # The command line opens the same key file as the test's context: the audit chain is keyed from it.
    (tmp_path / "keys.json").write_text(ctx.vault.to_json(), encoding="utf-8")
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    monkeypatch.setenv("XIAOBAO_ARGON2", "1,1024,1")
    return ctx


def test_import_command_reports_counts_writes_errors_and_is_idempotent(env, tmp_path):
    path = tmp_path / "batch.jsonl"
    rows = [record(i) for i in range(30)]
    rows[4]["received_at"] = "2026-04-31 08:00"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    first = runner.invoke(app, ["import", str(path)])
    assert first.exit_code == 1  # some rows were bad: a script can tell
    assert "新增 29" in first.output and "错误 1" in first.output
    assert (tmp_path / "batch.jsonl.errors.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith("5,EXT-000004,received_at,")
    second = runner.invoke(app, ["import", str(path)])
    assert "新增 0" in second.output and "重复跳过 29" in second.output


def test_import_rejects_an_unknown_file_type(env, tmp_path):
    path = tmp_path / "batch.txt"
    path.write_text("x")
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 2


def _tamper(ctx, sql_or_stmt):
    with ctx.store.engine.begin() as conn:
        conn.execute(sql_or_stmt)


def test_audit_verify_passes_on_an_intact_chain_and_fails_on_an_edited_entry(env):
    for i in range(3):
        intake.submit(env, record(i), actor="agent")
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "审计链完整" in ok.output
    # Someone with database access rewrites who did it: in the column people read …
    _tamper(env, update(audit_log).where(audit_log.c.seq == 2).values(actor="somebody-else"))
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "#2" in bad.output and "篡改" in bad.output
    # … and consistently in the hashed content too: still caught, the hash no longer matches.
    with env.store.engine.begin() as conn:
        row = conn.execute(audit_log.select().where(audit_log.c.seq == 2)).mappings().one()
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(content=dict(row["content"], actor="somebody-else")))
    problems = audit.verify(env).problems
    assert [p.seq for p in problems] == [2] and "篡改" in problems[0].problem


def test_audit_verify_detects_a_deleted_entry_and_a_truncated_tail(env):
    for i in range(4):
        intake.submit(env, record(i), actor="agent")
    _tamper(env, text("DELETE FROM audit_log WHERE seq = 2"))
    problems = audit.verify(env).problems
    assert any("缺少 #2" in p.problem for p in problems)


def test_audit_verify_detects_a_removed_last_entry(env):
    for i in range(3):
        intake.submit(env, record(i), actor="agent")
    _tamper(env, text("DELETE FROM audit_log WHERE seq = 3"))
    problems = audit.verify(env).problems
    assert any("链尾" in p.problem for p in problems)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1


def test_clock_query_commands_list_overdue_and_due(env):
    intake.submit(env, record(1, received_at="2026-10-01 09:00:00"), actor="agent")
    result = runner.invoke(app, ["complaints", "overdue"])
    assert result.exit_code == 0 and "共 1 件" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_runs_the_api_and_its_access_log_carries_no_personal_data(env, tmp_path):
    log_file = tmp_path / "server.log"
    port = _free_port()
    subprocess.run([sys.executable, "-m", "xiaobao.cli", "user", "add", "agent9", "--role", "agent",
                    "--password", "agent9-password"], check=True, env=os.environ.copy(), capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "xiaobao.cli", "serve", "--port", str(port)],
                            env={**os.environ, "XIAOBAO_LOG_FILE": str(log_file)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(base + "/auth/login", json={"username": "agent9", "password": "agent9-password"}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        r = httpx.post(base + "/complaints", json=record(1, customer_phone="13712345678"), headers=h)
        assert r.status_code == 201
        httpx.get(base + "/complaints", params={"assignee": "13712345678"}, headers=h)
        assert httpx.get(base + "/docs").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    written = log_file.read_text(encoding="utf-8")
    assert "POST /complaints" in written and "137****5678" in written
    assert "13712345678" not in written and "11010519491231002X" not in written
