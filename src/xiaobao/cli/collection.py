"""`xiaobao collection …`: offline inspection (stable contract), import, calls, disputes, scorecards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from xiaobao.cli.common import cli_actor, console, context, err, group

collection_app = group("collection", "催收质检 / debt-collection call QA")


@collection_app.command("inspect")
def collection_inspect(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="通话 JSONL"),
                       out: Path = typer.Option(..., "--out", help="每通电话一行结果（JSONL）")):
    """离线质检通话 JSONL（无需数据库）：每行输出 {call_id, compliant, violations[{code, turn, start, end, message, citation}]}。"""
    import orjson

    from xiaobao.services.collection.calls import inspect_rows
    from xiaobao.services.complaints.intake.sources import read_jsonl

    results, errors = inspect_rows(read_jsonl(file))
    for e in errors:
        err.print(f"第{e.row}行跳过：{e.field}：{e.reason}")
    with out.open("wb") as f:
        for r in results:
            f.write(orjson.dumps(r.to_contract()) + b"\n")
    bad = sum(not r.compliant for r in results)
    console.print(f"质检 {len(results)} 通：违规 [red]{bad}[/red] 通；跳过 {len({e.row for e in errors})} 行 → {out}")
    if errors and not results:
        raise typer.Exit(1)


@collection_app.command("import")
def collection_import(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="JSONL / CSV / XLSX"),
                      errors: Path | None = typer.Option(None, help="错误行输出 CSV")):
    """导入通话记录并质检入库（按 call_id 幂等）。"""
    from xiaobao.services.collection.calls import import_file

    report = import_file(context(), file, actor=cli_actor(), errors_path=errors)
    for e in report.errors[:20]:
        err.print(f"第{e.row}行 {e.call_id}：{e.field}：{e.reason}")
    console.print(f"读取 {report.rows} 行：新增 {report.inserted} 通，重复 {report.duplicates}，"
                  f"违规通话 {report.violating_calls}，质检结果 {report.findings} 条，错误 {report.error_count} 行")


@collection_app.command("show")
def collection_show(call_id: str = typer.Argument(..., help="通话编号")):
    """查看一通电话的质检结果与申诉。"""
    from xiaobao.services.collection.calls import get_call

    c = get_call(context(), call_id)
    console.print(f"[bold]{c['call_id']}[/bold] 机构 {c['agency']} 催收员 {c['collector_id']} "
                  f"{c['local_date']} {c['timezone']} 合规={c['compliant']}")
    for f in c["findings"]:
        console.print(f"  #{f['id']} [{f['status']}] {f['code']} 第{f['turn']}轮：{f['message']}（{f['citation']}）")


def _actor(username: str):
    from xiaobao.services.collection.calls import actor_for

    ctx = context()
    return ctx, actor_for(ctx, username)


@collection_app.command("dispute")
def collection_dispute(finding_id: int = typer.Argument(...), reason: str = typer.Option(..., help="申诉理由"),
                       as_user: str = typer.Option(..., "--as", help="以哪个用户身份（催收员本人或主管）")):
    """催收员对质检结果提出申诉。"""
    from xiaobao.services.collection.calls import dispute

    ctx, actor = _actor(as_user)
    console.print(dispute(ctx, finding_id, actor, reason))


@collection_app.command("decide")
def collection_decide(finding_id: int = typer.Argument(...), decision: str = typer.Option(..., help="upheld|overturned"),
                      reason: str = typer.Option(..., help="裁定理由"),
                      as_user: str = typer.Option(..., "--as", help="质检主管用户名")):
    """质检主管裁定申诉：维持（upheld）或撤销（overturned）。"""
    from xiaobao.services.collection.calls import decide

    ctx, actor = _actor(as_user)
    console.print(decide(ctx, finding_id, actor, decision, reason))


@collection_app.command("scorecard")
def collection_scorecard(by: str = typer.Option("agency", help="agency|collector"),
                         from_: str | None = typer.Option(None, "--from", help="起始日期 YYYY-MM-DD（默认本年1月1日）"),
                         to: str | None = typer.Option(None, help="截止日期 YYYY-MM-DD（默认今天）"),
                         period: str = typer.Option("month", help="week|month|quarter"),
                         json_out: bool = typer.Option(False, "--json", help="输出 JSON")):
    """委外机构 / 催收员质检评分卡：违规率、分代码违规率与趋势（用于年度机构评估）。"""
    import orjson
    from rich.table import Table

    from xiaobao.services.collection.calls import scorecard

    def day(v):
        try:
            return date.fromisoformat(v) if v else None
        except ValueError:
            raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD：{v}") from None

    card = scorecard(context(), by=by, day_from=day(from_), day_to=day(to), period=period)
    if json_out:
        console.print_json(orjson.dumps(card, default=str).decode())
        return
    t = Table(title=f"催收质检评分卡（{card['from']} 至 {card['to']}）")
    for col in ("机构", *(("催收员",) if by == "collector" else ()), "通话", "违规通话", "违规率", "主要违规"):
        t.add_column(col)
    for r in card["rows"]:
        top = sorted(r["by_code"].items(), key=lambda kv: -kv[1]["calls"])[:3]
        t.add_row(r["agency"], *((r["collector_id"],) if by == "collector" else ()), str(r["calls"]),
                  str(r["violating_calls"]), f"{r['violation_rate']:.1%}",
                  "，".join(f"{c} {v['rate']:.1%}" for c, v in top))
    console.print(t)


@collection_app.command("complaint-calls")
def collection_complaint_calls(complaint_id: int = typer.Argument(..., help="投诉编号")):
    """投诉关联的该债务人全部催收通话（按加密索引关联）。"""
    from xiaobao.services.collection.calls import calls_for_complaint

    r = calls_for_complaint(context(), complaint_id)
    console.print(f"投诉 #{complaint_id}（{r['category']}）关联通话 {len(r['calls'])} 通")
    for c in r["calls"]:
        console.print(f"  {c['call_id']} {c['local_date']} {c['agency']}/{c['collector_id']} 违规 {c['violation_count']}")


@collection_app.command("demo")
def collection_demo(db: Path = typer.Option(Path("var/demo.db"), help="演示库（先运行 xiaobao demo --no-serve）")):
    """向演示库加载约600通催收通话（关联演示投诉中的催收类投诉人），按 call_id 幂等。"""
    from xiaobao.config import Settings
    from xiaobao.demo.collection import load_collection_demo

    ctx = context(Settings(database_url=f"sqlite:///{db}", keyfile=str(db.parent / "demo-keys.json")))
    console.print(load_collection_demo(ctx))
