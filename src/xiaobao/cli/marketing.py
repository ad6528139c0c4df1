"""`xiaobao marketing …`: offline check (stable contract), submit, review, approval check, publications,
coverage."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from xiaobao.cli.common import console, context, err, group

marketing_app = group("marketing", "营销宣传预审 / marketing-material pre-review")


@marketing_app.command("check")
def marketing_check(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                                help='JSONL：{"material_id","channel","title","text"}'),
                    out: Path = typer.Option(..., "--out", help="每份物料一行结果（JSONL）")):
    """离线审核物料 JSONL（text 可为 HTML）；无需数据库。输出
    {"material_id","compliant","violations":[{"code","start","end","message","citation"}],"apr_min","apr_max"}。"""
    import orjson

    from xiaobao.services.marketing.materials import check, result_dict
    from xiaobao.services.complaints.intake.sources import SourceError, read_jsonl

    done = bad = flagged = 0
    with out.open("wb") as f:
        for row, rec in read_jsonl(file):
            if isinstance(rec, SourceError) or rec.get("material_id") in (None, "") or not isinstance(rec.get("text"), str):
                bad += 1
                reason = rec.reason if isinstance(rec, SourceError) else "缺少 material_id 或 text（应为字符串）"
                err.print(f"第{row}行跳过：{reason}")
                continue
            r = check(rec["text"], rec.get("format"), str(rec.get("title") or ""))
            f.write(orjson.dumps(result_dict(rec["material_id"], r)) + b"\n")
            done += 1
            flagged += not r.compliant
    console.print(f"审核 {done} 份：存在问题 [red]{flagged}[/red] 份；跳过 {bad} 行 → {out}")


def _fail(e: Exception) -> None:
    err.print(f"[red]错误[/red]：{getattr(e, 'message', e)}")
    raise typer.Exit(2)


@marketing_app.command("submit")
def marketing_submit(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="物料文件"),
                     ref: str = typer.Option(..., help="物料编号"), version: str = typer.Option(..., help="版本号"),
                     channel: str = typer.Option(..., help="投放渠道"), product: str = typer.Option(..., help="产品"),
                     title: str = typer.Option("", help="标题"),
                     fmt: str | None = typer.Option(None, "--format", help="text / markdown / html（默认按扩展名/内容）"),
                     as_user: str = typer.Option(..., "--as", help="提交人用户名（须有 marketing.submit 权限）")):
    """提交一份物料送审：自动识别问题并记录，等待合规审核。"""
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.marketing import materials as marketing

    if fmt is None:
        fmt = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}.get(file.suffix.lower())
    ctx = context()
    try:
        actor = marketing.actor_named(ctx, as_user, "marketing.submit")
        m, created = marketing.submit(ctx, actor, {"ref": ref, "version": version, "channel": channel,
                                                   "product": product, "title": title, "format": fmt,
                                                   "content": file.read_text(encoding="utf-8")})
    except DomainError as e:
        _fail(e)
    console.print(f"{'已提交' if created else '已存在（相同内容）'} 物料 #{m['id']} {m['ref']} v{m['version']}，"
                  f"指纹 {m['fingerprint'][:16]}…，自动识别问题 {len(m['findings'])} 项")
    for f in m["findings"]:
        console.print(f"  · {f['kind']} {f['message']}（{f['citation']}）")


@marketing_app.command("review")
def marketing_review(material_id: int = typer.Argument(...),
                     decision: str = typer.Option(..., help="approve / reject / request_changes / revoke"),
                     comment: str = typer.Option("", help="理由（驳回、退回、带问题通过时必填）"),
                     as_user: str = typer.Option(..., "--as", help="审核人用户名（须有 marketing.review 权限）")):
    """合规审核：通过（记录内容指纹）、驳回、退回修改或撤销通过；记入审计。"""
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.marketing import materials as marketing

    ctx = context()
    try:
        m = marketing.review(ctx, marketing.actor_named(ctx, as_user, "marketing.review"), material_id, decision,
                             comment)
    except DomainError as e:
        _fail(e)
    console.print(f"物料 #{m['id']} → {m['status']}（{as_user}）指纹 {m['fingerprint']}")


@marketing_app.command("approved")
def marketing_approved(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="待发布内容"),
                       channel: str | None = typer.Option(None, help="投放渠道（给出则须为该渠道通过）")):
    """这份内容（逐字一致）是否已审核通过？通过退出码 0，否则 1。"""
    from xiaobao.services.marketing import materials as marketing

    r = marketing.approval(context(), file.read_text(encoding="utf-8"), channel)
    if r["approved"]:
        console.print(f"[green]已通过[/green]：物料 #{r['material_id']} {r['ref']} v{r['version']}，"
                      f"{r['approved_by']} 于 {r['approved_at']}；指纹 {r['fingerprint']}")
        return
    console.print(f"[red]未通过[/red]：{r['message']}；指纹 {r['fingerprint']}")
    raise typer.Exit(1)


@marketing_app.command("list")
def marketing_list(status: str | None = typer.Option(None, help="pending / approved / rejected / changes_requested"),
                   limit: int = 50):
    """物料列表。"""
    from rich.table import Table

    from xiaobao.services.marketing import materials as marketing

    t = Table("#", "编号", "版本", "渠道", "状态", "问题", "年化%", "提交人", "审核人")
    for m in marketing.list_materials(context(), status, limit):
        apr = "" if m["apr_min"] is None else f"{m['apr_min']:.2f}–{m['apr_max']:.2f}"
        t.add_row(str(m["id"]), m["ref"], m["version"], m["channel"], m["status"], str(len(m["findings"])), apr,
                  m["submitted_by"], m["decided_by"] or "")
    console.print(t)


@marketing_app.command("coverage")
def marketing_coverage(json_out: bool = typer.Option(False, "--json", help="输出 JSON")):
    """发布覆盖率报告：已发布内容中逐字一致且已通过审核的比例，未通过的发布清单。"""
    import orjson

    from xiaobao.services.marketing import materials as marketing

    r = marketing.coverage(context())
    if json_out:
        sys.stdout.buffer.write(orjson.dumps(r, option=orjson.OPT_INDENT_2) + b"\n")
        return
    cov = "—" if r["coverage"] is None else f"{r['coverage']:.1%}"
    console.print(f"已发布 {r['published']}，其中已审核通过 {r['approved']}（覆盖率 {cov}）；物料状态 {r['materials_by_status']}")
    for ch, c in r["by_channel"].items():
        console.print(f"  {ch}: 发布 {c['published']}，通过 {c['approved']}")
    for p in r["unapproved"]:
        console.print(f"  [red]未审核即发布[/red] {p['channel']}/{p['external_id']} {p['published_at']}")
