"""`xiaobao report …`: the monthly complaint statistics and the annual public complaint report as XLSX
(audited with the file's SHA-256), the periods available, the dashboard figures for a date range and the top
complaint points (诉点) against the previous period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from xiaobao.cli.common import cli_actor, console, context, err, group

report_app = group("report", "投诉统计月报、年度投诉情况报告（XLSX）与看板指标 / complaint statistics reports")


def _actor(ctx, username: str | None):
    """A named platform user (their role is checked and they are the audited exporter); without --user,
    the operating-system user running the command, with the supervisor's reporting rights."""
    from xiaobao.domain.roles import Role
    from xiaobao.services.actors import Actor
    from xiaobao.services.auth import _actor as actor_of

    if not username:
        return Actor(cli_actor(), Role.SUPERVISOR)
    with ctx.store.uow(write=False) as uow:
        user = uow.users.get(username)
    if user is None or not user.get("active", True):
        err.print(f"[red]用户 {username} 不存在或已停用[/red]")
        raise typer.Exit(2)
    return actor_of(user)


def _export(kind: str, key: str, out: Path | None, user: str | None) -> None:
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.reports import workbooks as reports

    ctx = context()
    try:
        result = reports.export(ctx, kind, key, _actor(ctx, user))
    except DomainError as e:
        err.print(f"[red]{e.message}[/red]")
        raise typer.Exit(2) from None
    path = out or Path(result["filename"])
    if path.is_dir():
        path = path / result["filename"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(result["content"])
    rep = result["report"]
    console.print(f"{rep['title_zh']}：受理 {rep['received']} 件，工作表 {len(rep['tables']) + 1} 张 → {path}")
    console.print(f"SHA-256 {result['sha256']}（已记入审计日志）", soft_wrap=True)


@report_app.command("monthly")
def monthly(month: str = typer.Option(..., "--month", help="统计月份 YYYY-MM"),
            out: Path = typer.Option(None, "--out", help="输出 XLSX 文件（或目录）"),
            user: str = typer.Option(None, "--user", help="导出人用户名（须有 report.export 权限）")):
    """投诉统计月报（JR/T 0169 渠道/业务类别/投诉原因，层级、地区、时效、满意度）。"""
    _export("monthly", month, out, user)


@report_app.command("annual")
def annual(year: int = typer.Option(..., "--year", help="年度，如 2026"),
           out: Path = typer.Option(None, "--out", help="输出 XLSX 文件（或目录）"),
           user: str = typer.Option(None, "--user", help="导出人用户名（须有 report.export 权限）")):
    """年度投诉情况（对外披露：投诉量、类别、地区分布、处理时效、满意度）。"""
    _export("annual", str(year), out, user)


@report_app.command("periods")
def periods():
    """可出具报表的月份与年度（及各期受理量）。"""
    from rich.table import Table

    from xiaobao.services.reports import workbooks as reports

    data = reports.periods(context())
    table = Table("期间", "受理量", "是否完整")
    for kind in ("years", "months"):
        for p in data[kind]:
            table.add_row(p["key"], str(p["received"]), "是" if p["complete"] else "进行中")
    console.print(table)


def _over_period(start, end, preset, as_json: bool, compute):
    """(period, figures) for the options; a bad date or preset exits 2 with the reason; with --json the
    figures are printed and None comes back in their place."""
    import orjson

    from xiaobao.domain.errors import DomainError
    from xiaobao.services.dashboards import figures as dashboards

    ctx = context()
    try:
        p = dashboards.period(ctx.today(), preset, date.fromisoformat(start) if start else None,
                              date.fromisoformat(end) if end else None)
        data = compute(ctx, p)
    except (DomainError, ValueError) as e:
        err.print(f"[red]{getattr(e, 'message', e)}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode())
        return p, None
    return p, data


# The period and channel options the dashboard commands share.
_FROM = typer.Option(None, "--from", help="起始日期 YYYY-MM-DD（含）")
_TO = typer.Option(None, "--to", help="截止日期 YYYY-MM-DD（含）")
_PRESET = typer.Option(None, "--preset", help="7d / 30d / 90d / 180d / this_month / last_month / this_year")
_CHANNEL = typer.Option(None, "--channel", help="只看一个渠道")


@report_app.command("dashboard")
def dashboard(start: str = _FROM, end: str = _TO, preset: str = _PRESET, channel: str = _CHANNEL,
              points: int = typer.Option(10, "--points", min=1, max=200, help="诉点排行显示前 N 位"),
              as_json: bool = typer.Option(False, "--json", help="输出全部指标（JSON）")):
    """看板指标：受理、按期办理率、超期、一次解决率、满意率、重复与黑灰产占比，及诉点排行（与上一等长期间对比）。"""
    from xiaobao.services.dashboards import figures as dashboards

    p, data = _over_period(start, end, preset, as_json,
                           lambda ctx, p: dashboards.dashboard(ctx, p, channel=channel, points_top=points))
    if data is None:
        return
    names = {"received": "受理", "decided": "已作出处理意见", "compliance": "按期办理率", "overdue": "超期未作出处理意见",
             "fcr": "一次解决率", "satisfaction": "满意率", "repeat": "重复投诉占比", "blackgray": "疑似黑灰产占比"}
    console.print(f"{p.start} 至 {p.end}" + (f"，渠道 {channel}" if channel else ""))
    for k in data["kpis"]:
        v = k["value"]
        shown = "—" if v is None else (f"{v * 100:.1f}%（{k['num']}/{k['den']}）" if isinstance(v, float) else str(v))
        console.print(f"  {names[k['key']]}：{shown}")
    _print_points(data["top_points"])


def _change(row: dict) -> str:
    if row["change_pct"] is None:
        return "新出现"
    return "持平" if row["change_pct"] == 0 else f"{'↑' if row['change_pct'] > 0 else '↓'} {abs(row['change_pct']):g}%"


def _print_points(tp: dict) -> None:
    prev = tp["previous_period"]
    console.print(f"诉点排行（对比期间 {prev['from']} 至 {prev['to']}；{tp['received']} 件投诉中 {tp['with_points']} 件"
                  f"提取到诉点，共 {tp['distinct_points']} 种）")
    if not tp["rows"]:
        console.print("  （无）")
        return
    for i, r in enumerate(tp["rows"], 1):
        console.print(f"  {i:>2}. {r['name_zh']}（{r['point_id']}，{r['category_name_zh']}）：本期 {r['count']} 件，"
                      f"上期 {r['previous']} 件，{_change(r)}", soft_wrap=True, markup=False)


@report_app.command("points")
def points_cmd(start: str = _FROM, end: str = _TO, preset: str = _PRESET, channel: str = _CHANNEL,
               top: int = typer.Option(15, "--top", min=1, max=200, help="显示前 N 位"),
               as_json: bool = typer.Option(False, "--json", help="输出 JSON（含每个诉点的下钻筛选条件）")):
    """诉点排行：统计期间内件数最多的诉点，与上一等长期间的件数和变化（↑/↓ %，上期为 0 记“新出现”）。"""
    from xiaobao.services.dashboards import figures as dashboards

    p, data = _over_period(start, end, preset, as_json,
                           lambda ctx, p: dashboards.complaint_points(ctx, p, channel=channel, top=top))
    if data is None:
        return
    console.print(f"{p.start} 至 {p.end}" + (f"，渠道 {channel}" if channel else ""))
    _print_points(data)


@report_app.command("point")
def point_trace_cmd(point_id: str = typer.Argument(..., help="诉点编码（如 collect_contacts、fee:信用评估费），见 xiaobao report points"),
                    start: str = _FROM, end: str = _TO, preset: str = _PRESET, channel: str = _CHANNEL,
                    top: int = typer.Option(10, "--top", min=1, max=100, help="每个维度显示前 N 位"),
                    as_json: bool = typer.Option(False, "--json", help="输出 JSON（含每个数字的下钻筛选条件）")):
    """诉点溯源：一个诉点的投诉按被投诉部门、产品、渠道分解，与上一等长期间对比，并指出增量主要来自哪里。"""
    from xiaobao.services.dashboards import figures as dashboards

    p, data = _over_period(start, end, preset, as_json,
                           lambda ctx, p: dashboards.point_trace(ctx, p, point_id, channel=channel, top=top))
    if data is None:
        return
    prev = data["previous_period"]
    console.print(f"诉点「{data['name_zh']}」（{data['point_id']}）{p.start} 至 {p.end}"
                  + (f"，渠道 {channel}" if channel else "")
                  + f"：本期 {data['count']} 件，上期（{prev['from']} 至 {prev['to']}）{data['previous']} 件，"
                  + _change(data), soft_wrap=True, markup=False)
    titles = {"branch": "被投诉部门", "product": "产品", "channel": "渠道"}
    for dim in data["dimensions"]:
        console.print(f"按{titles[dim['key']]}（{dim['distinct']} 个）：", markup=False)
        for r in dim["rows"]:
            share = "—" if r["share"] is None else f"{r['share'] * 100:.0f}%"
            console.print(f"  {r['name_zh']}：本期 {r['count']} 件（{share}），上期 {r['previous']} 件，{_change(r)}",
                          soft_wrap=True, markup=False)
        if dim["rest"]["count"] or dim["rest"]["previous"]:
            console.print(f"  其余：本期 {dim['rest']['count']} 件，上期 {dim['rest']['previous']} 件", markup=False)
        rise = dim["rise_from"]
        if rise:
            console.print(f"  增量主要来自：{rise['name_zh']}（+{rise['delta']} 件；全部净增 "
                          f"+{data['count'] - data['previous']} 件）", soft_wrap=True, markup=False)
