"""`xiaobao pii …`: offline scan (stable contract), streaming anonymisation of files, and sealing
complaint text stored in clear before free text was protected."""

from __future__ import annotations

from pathlib import Path

import typer

from xiaobao.cli.common import cli_actor, console, context, err, group

pii_app = group("pii", "个人信息识别与脱敏 / PII scanning and anonymisation")


@pii_app.command("scan")
def pii_scan(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help='JSONL：{"doc_id", "text"}'),
             out: Path = typer.Option(..., "--out", help='每行 {"doc_id", "spans": [{"start","end","type","score"}]}')):
    """离线识别个人信息（无需数据库与密钥）。Offline PII scan; offsets index the original text."""
    import orjson

    from xiaobao.engines.privacy.scanner import default_scanner
    from xiaobao.services.complaints.intake.sources import SourceError, read_jsonl

    scanner = default_scanner()
    docs = bad = spans = 0
    tmp = out.with_name(f".{out.name}.part")
    pending: list[dict] = []

    def flush(f) -> None:
        # Batches of texts scan as one string (scan_many), bounded so memory stays flat on huge files.
        nonlocal docs, spans
        for rec, hits in zip(pending, scanner.scan_many([r["text"] for r in pending])):
            found = [h.to_span() for h in hits]
            spans += len(found)
            docs += 1
            f.write(orjson.dumps({"doc_id": rec.get("doc_id"), "spans": found}) + b"\n")
        pending.clear()

    with tmp.open("wb") as f:
        for row, rec in read_jsonl(file):
            if isinstance(rec, SourceError) or not isinstance(rec.get("text"), str):
                bad += 1
                err.print(f"第{row}行跳过：{rec.reason if isinstance(rec, SourceError) else '缺少字符串字段 text'}")
                continue
            pending.append(rec)
            if len(pending) >= 1024:
                flush(f)
        flush(f)
    tmp.replace(out)
    console.print(f"扫描 {docs} 条，识别 {spans} 处个人信息；跳过 {bad} 行 → {out}")


@pii_app.command("anonymise")
def pii_anonymise(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV / JSONL / XLSX"),
                  out: Path = typer.Option(..., "--out", help="输出文件（同格式）"),
                  policy: str = typer.Option("export", "--policy", help="策略名（rules/privacy_policies.yaml）"),
                  fmt: str = typer.Option(None, "--format", help="csv | jsonl | xlsx（默认按扩展名）")):
    """按命名策略流式脱敏文件（内存占用与文件大小无关）。Stream-anonymise a file under a named policy."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from xiaobao.config import Settings
    from xiaobao.domain.errors import DomainError
    from xiaobao.engines.privacy.vault import Vault
    from xiaobao.services.privacy.gateway_files import anonymise_file, detect_format

    settings = Settings()
    try:
        kind = detect_format(file, fmt)
        vault = Vault.load_or_create(settings.keyfile)
        columns = [TextColumn("[bold]脱敏"), BarColumn(), DownloadColumn() if kind != "xlsx" else TextColumn("{task.completed}/{task.total} 行"),
                   TimeRemainingColumn()]
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("anonymise", total=None)
            report = anonymise_file(vault, file, out, policy, kind,
                                    lambda done, total: bar.update(task, completed=done, total=total), settings.rules_dir)
    except DomainError as e:
        err.print(f"[red]{e.message}[/red]")
        raise typer.Exit(2) from None
    for row, reason in report.errors[:20]:
        err.print(f"第{row}行跳过：{reason}")
    found = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "无"
    console.print(f"处理 {report.rows} 行，写出 {report.written} 行，错误 {len(report.errors)} 行；脱敏：{found} → {out}")
    if report.errors:
        raise typer.Exit(1)


@pii_app.command("protect-stored")
def pii_protect_stored(batch: int = typer.Option(500, "--batch", min=1, help="每个事务处理的投诉件数")):
    """为升级前以明文保存的投诉内容补做保护：掩码存储、原文加密（可重复执行）。
    Seal complaint text stored in clear before migration 0009 (idempotent, resumable)."""
    from xiaobao.services.privacy.protected_text import protect_stored

    done = protect_stored(context(), actor=cli_actor(), batch=batch)
    console.print(f"已处理 {done['complaints']} 件明文投诉，其中 {done['sealed']} 件含个人信息（已掩码，原文加密保存）")
