"""`xiaobao import|escalate|complaints …`: bulk intake of complaint files, escalation of cases near their
deadline, and the clock queries (due within N days, overdue, paused)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from xiaobao.cli.common import app, cli_actor, console, context, err, group

complaints_app = group("complaints", "投诉查询 / complaint queries")


def _count_rows(path: Path) -> int | None:
    """For the progress bar (None: unknown). An unknown file type raises ValueError."""
    from xiaobao.services.complaints.intake.sources import detect_format

    fmt = detect_format(path)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True)
        except Exception:  # noqa: BLE001 - a damaged file: the import itself reports why, and exits 2
            return None
        try:
            return max((wb.worksheets[0].max_row or 1) - 1, 0)
        finally:
            wb.close()
    with path.open("rb") as f:
        n = sum(1 for _ in f)
    return n - 1 if fmt == "csv" else n


@app.command("import")
def import_(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="JSONL / CSV / XLSX"),
            errors: Optional[Path] = typer.Option(None, help="错误明细文件（默认 FILE.errors.csv）"),
            batch_size: Optional[int] = typer.Option(None, help="每个事务的记录数")):
    """导入投诉文件。按(渠道, 外部编号)幂等；错误行写入错误文件，有效行全部入库。

    退出码 / exit code：0 全部导入；1 有错误行（见错误明细）；2 文件类型不支持或文件无法读取。"""
    from xiaobao.services.complaints.intake.importing import import_file

    try:
        total = _count_rows(file)
    except ValueError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    ctx = context()
    with Progress(TextColumn("[bold]导入[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, transient=False) as progress:
        task = progress.add_task(file.name, total=total)
        report = import_file(ctx, file, actor=cli_actor(), errors_path=errors, batch_size=batch_size,
                             progress=lambda n: progress.advance(task, n))
    if report.read_error:
        err.print(f"[red]{report.read_error}[/red]")
    console.print(f"读取 {report.rows} 行：新增 [green]{report.inserted}[/green]，"
                  f"重复跳过 {report.duplicates}，错误 [red]{report.error_count}[/red] 行")
    if report.errors_path:
        console.print(f"错误明细：{report.errors_path}")
    # 2: nothing could be read (as for a file type we do not read); 1: rows were not imported — bad
    # rows, or the rows past the point where a damaged file could no longer be read
    raise typer.Exit(2 if report.unreadable else 1 if report.error_count else 0)


def _print_complaints(result: dict, title: str) -> None:
    table = Table(title=f"{title}（共 {result['total']} 件）")
    for col in ("编号", "渠道", "受理时间", "状态", "层级", "承办人", "到期日", "剩余天数"):
        table.add_column(col)
    for c in result["items"]:
        left = c["clock"]["days_left"]
        style = "red" if left is not None and left < 0 else ("yellow" if left is not None and left <= 3 else "")
        table.add_row(str(c["id"]), c["channel_name"], f"{c['received_at']:%Y-%m-%d %H:%M}", c["status_name"],
                      c["tier"], c["assignee"] or "-", str(c["clock"]["due_date"] or "暂停"),
                      "-" if left is None else str(left), style=style)
    console.print(table)


@complaints_app.command("due")
def complaints_due(within: int = typer.Option(3, help="N 日内到期"), limit: int = 50):
    """N 日内到期的未办结投诉。"""
    from xiaobao.services.complaints.queries import find

    _print_complaints(find(context(), due_within_days=within, limit=limit), f"{within}日内到期")


@complaints_app.command("overdue")
def complaints_overdue(limit: int = 50):
    """已超期的未办结投诉。"""
    from xiaobao.services.complaints.queries import find

    _print_complaints(find(context(), overdue=True, limit=limit), "已超期")


@complaints_app.command("paused")
def complaints_paused(limit: int = 50):
    """暂停计时（鉴定/调解）中的投诉。"""
    from xiaobao.services.complaints.queries import find

    _print_complaints(find(context(), paused=True, limit=limit), "暂停计时")


@app.command()
def escalate():
    """临期投诉自动升级一个层级（可由定时任务每日运行）。"""
    from xiaobao.services.complaints.handling import escalate_due

    moved = escalate_due(context())
    console.print(f"已升级 {len(moved)} 件")
    for cid, a, b in moved[:50]:
        console.print(f"  #{cid}: {a} → {b}")
