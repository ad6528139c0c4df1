"""`xiaobao blackgray …`: offline scan, leads, review, evidence export, intelligence."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import console, err, group

blackgray_app = group("blackgray", "黑灰产识别 / black/gray-industry detection")


@blackgray_app.command("scan")
def blackgray_scan(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="投诉 JSONL"),
                   out: Path = typer.Option(..., "--out", help="每条投诉一行结果（JSONL）")):
    """离线扫描投诉 JSONL：模板家族、共用联系方式团伙、缠访、词库；无需数据库或服务。"""
    import orjson

    from ..engines.blackgray.engine import scan
    from ..services.sources import SourceError, read_jsonl

    records, bad = [], 0
    for row, rec in read_jsonl(file):
        if isinstance(rec, SourceError) or not rec.get("external_id") or not rec.get("text"):
            bad += 1
            reason = rec.reason if isinstance(rec, SourceError) else "缺少 external_id 或 text"
            err.print(f"第{row}行跳过：{reason}")
            continue
        records.append(rec)
    with console.status(f"正在扫描 {len(records)} 件投诉…"):
        results = scan(records)
    with out.open("wb") as f:
        for r in results:
            f.write(orjson.dumps(r.to_dict(), default=str) + b"\n")
    flagged = sum(r.verdict.flagged for r in results)
    gangs = len({r.gang_id for r in results if r.gang_id and r.verdict.flagged})
    console.print(f"扫描 {len(results)} 件：疑似黑灰产 [red]{flagged}[/red] 件，团伙 {gangs} 个；跳过 {bad} 行 → {out}")
