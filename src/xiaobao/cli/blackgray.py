"""`xiaobao blackgray …`: offline scan, leads, review, evidence export, intelligence."""

from __future__ import annotations

from pathlib import Path

import typer

from xiaobao.cli.common import cli_actor, console, context, err, group

blackgray_app = group("blackgray", "黑灰产识别 / black/gray-industry detection")


@blackgray_app.command("scan")
def blackgray_scan(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="投诉 JSONL"),
                   out: Path = typer.Option(..., "--out", help="每条投诉一行结果（JSONL）")):
    """离线扫描投诉 JSONL：模板家族、共用联系方式团伙、缠访、词库；无需数据库或服务。"""
    import orjson

    from xiaobao.engines.blackgray.engine import scan
    from xiaobao.services.complaints.intake.sources import SourceError, read_jsonl

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


def _actor(ctx, username: str):
    """CLI decisions are made by a named platform user, whose role the services check and audit."""
    from xiaobao.services.auth import _actor as actor_of

    with ctx.store.uow(write=False) as uow:
        user = uow.users.get(username)
    if user is None or not user.get("active", True):
        err.print(f"[red]用户 {username} 不存在或已停用[/red]")
        raise typer.Exit(2)
    return actor_of(user)


def _fail(e) -> None:
    err.print(f"[red]{e.message}[/red]")
    raise typer.Exit(2)


@blackgray_app.command("leads")
def blackgray_leads(status: str = typer.Option(None, help="open|confirmed|rejected|merged"),
                    lead_type: str = typer.Option(None, "--type", help="gang|family"),
                    refresh: bool = typer.Option(True, help="先按最新投诉更新线索"),
                    limit: int = typer.Option(50)):
    """列出黑灰产线索（团伙、模板族），无需启动服务。"""
    from rich.table import Table

    from xiaobao.services.blackgray import leads

    ctx = context()
    if refresh:
        leads.refresh_leads(ctx)
    result = leads.list_leads(ctx, status=status, lead_type=lead_type, limit=limit)
    table = Table(title=f"黑灰产线索（共 {result['total']} 条）")
    for col in ("编号", "类型", "性质", "状态", "风险分", "投诉", "客户", "首次", "最近", "标题"):
        table.add_column(col)
    for r in result["items"]:
        table.add_row(str(r["id"]), r["type_name"], r["kind_name"], r["status"], f"{r['score']:.2f}",
                      str(r["complaints"]), str(r["customers"]), f"{r['first_at']:%Y-%m-%d}" if r["first_at"] else "-",
                      f"{r['last_at']:%Y-%m-%d}" if r["last_at"] else "-", r["title"])
    console.print(table)


@blackgray_app.command("lead")
def blackgray_lead(lead_id: int):
    """查看一条线索：成员投诉、共用联系方式（脱敏）、时间线。"""
    from rich.table import Table

    from xiaobao.domain.errors import DomainError
    from xiaobao.services.blackgray import leads

    try:
        lead = leads.get_lead(context(), lead_id)
    except DomainError as e:
        _fail(e)
    console.print(f"[bold]线索 #{lead['id']}[/bold] {lead['title']}（{lead['status']}，风险分 {lead['score']:.2f}）")
    for a in lead["artefacts"]:
        console.print(f"  共用 {a['kind']} {a['value']}：{a['customers']} 名客户")
    table = Table(title="成员投诉")
    for col in ("投诉", "渠道", "受理时间", "客户", "状态", "风险分", "性质", "审核"):
        table.add_column(col)
    for m in lead["members"]:
        table.add_row(str(m["complaint_id"]), m["channel"], f"{m['received_at']:%Y-%m-%d %H:%M}",
                      " ".join(str(v) for v in (m["customer"] or {}).values()), m["status"],
                      "-" if m["score"] is None else f"{m['score']:.2f}", m["kind"] or "-", m["review_status"] or "-")
    console.print(table)


@blackgray_app.command("review")
def blackgray_review(target: str = typer.Argument(..., help="lead（线索）或 complaint（单件投诉）"),
                     item_id: int = typer.Argument(...),
                     decision: str = typer.Argument(..., help="confirm（确认）或 reject（排除）"),
                     user: str = typer.Option(..., "--user", help="审核人用户名（须有 blackgray.review 权限）"),
                     note: str = typer.Option(None, help="审核意见")):
    """确认或排除一条线索或一件投诉的识别结论（记入审计，并用于阈值校准）。"""
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.blackgray import review

    ctx = context()
    try:
        if target == "lead":
            r = review.review_lead(ctx, item_id, decision, _actor(ctx, user), note)
        elif target == "complaint":
            r = review.review_flag(ctx, item_id, decision, _actor(ctx, user), note)
        else:
            err.print("[red]对象须为 lead 或 complaint[/red]")
            raise typer.Exit(2)
    except DomainError as e:
        _fail(e)
    console.print(f"[green]已记录：{r}[/green]")


@blackgray_app.command("export")
def blackgray_export(lead_id: int, out: Path = typer.Option(Path("."), "--out", help="输出目录"),
                     user: str = typer.Option(..., "--user", help="导出人用户名（须有 blackgray.export 权限）")):
    """导出线索证据包（XLSX + JSON，含 SHA-256，记入审计）。"""
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.blackgray import export

    ctx = context()
    try:
        r = export.export_lead(ctx, lead_id, _actor(ctx, user), out)
    except DomainError as e:
        _fail(e)
    for name, digest in r["sha256"].items():
        console.print(f"{out / name}  sha256={digest}")
    console.print("个人信息：" + ("已脱敏" if r["pii_masked"] else "明文（经授权，已记入审计）"))


@blackgray_app.command("intel")
def blackgray_intel(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                                help="CSV/XLSX/JSONL：kind,value,source,expires_on,note"),
                    errors: Path = typer.Option(None, help="错误明细文件（默认 FILE.errors.csv）"),
                    rescan: bool = typer.Option(True, help="导入后全量重扫投诉")):
    """导入黑灰产情报（手机号、账户、微信/QQ、邮箱、代理人、模板文本），按(类型,值,来源)幂等。"""
    from xiaobao.services.blackgray import intelligence, leads, triage

    ctx = context()
    with console.status("正在导入情报…"):
        report = intelligence.import_intel(ctx, file, actor=cli_actor(), errors_path=errors)
    console.print(f"读取 {report.rows} 行：入库 [green]{report.stored}[/green]，错误 [red]{report.error_count}[/red] 行")
    if report.errors_path:
        console.print(f"错误明细：{report.errors_path}")
    if rescan:
        _rescan(ctx, triage, leads)
    raise typer.Exit(1 if report.error_count else 0)


def _rescan(ctx, triage, leads) -> None:
    with console.status("正在全量重扫…"):
        r = triage.rescan(ctx)
        lr = leads.refresh_leads(ctx)
    console.print(f"重扫 {r['complaints']} 件：疑似 [red]{r['flagged']}[/red] 件，命中情报 {r['intel_hits']} 件；"
                  f"线索 {lr['leads']} 条（新增 {lr['created']}，合并 {lr['merged']}）")


@blackgray_app.command("rescan")
def blackgray_rescan():
    """全量重扫全部投诉（含情报比对），更新识别结果与线索；已有审核结论保留。"""
    from xiaobao.services.blackgray import leads, triage

    _rescan(context(), triage, leads)


@blackgray_app.command("calibrate")
def blackgray_calibrate(apply: bool = typer.Option(False, help="应用新阈值（须 compliance 角色）"),
                        user: str = typer.Option(None, "--user", help="应用时的操作人用户名")):
    """用审核结论（确认/排除）试算或应用识别阈值，并给出各分数段的确认率。"""
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.actors import SYSTEM
    from xiaobao.services.blackgray import review

    ctx = context()
    if apply and not user:
        err.print("[red]应用阈值须以 --user 指明操作人[/red]")
        raise typer.Exit(2)
    try:
        fit = review.calibrate(ctx, _actor(ctx, user) if user else SYSTEM, apply=apply)
    except DomainError as e:
        _fail(e)
    console.print(f"已审核 {fit['reviews']} 件（确认 {fit['confirmed']}，排除 {fit['rejected']}）；"
                  f"现行阈值 {fit['current_threshold']}")
    if "threshold" in fit:
        console.print(f"建议阈值 {fit['threshold']}：精确率 {fit['precision']}，召回率 {fit['recall']}，F1 {fit['f1']}"
                      + ("（已应用）" if fit.get("applied") else "" if fit["enough_reviews"] else "（审核量不足，仅供参考）"))
    for b in fit["reliability"]:
        console.print(f"  分数 {b['from']:.1f}–{b['to']:.1f}：{b['n']} 件，确认率 {b['confirmed_rate']:.0%}")
