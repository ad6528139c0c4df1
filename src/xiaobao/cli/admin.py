"""`xiaobao demo|serve|migrate|audit|user`: run the platform (embedded demo or a configured database),
migrate its schema, verify the audit chain, manage users."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from xiaobao.config import Settings
from xiaobao.cli.common import app, cli_actor, console, context, err, group

audit_app = group("audit", "审计哈希链 / audit chain")
user_app = group("user", "用户 / users")


def _serve(ctx, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from xiaobao import logs
    from xiaobao.api.app import create_app

    logs.install()
    _checkpoints_in_background(ctx)
    if workers <= 1:
        uvicorn.run(create_app(ctx), host=host, port=port, log_config=None, access_log=True)
        return
    # Worker processes build their own context from the environment: hand them ours.
    os.environ["XIAOBAO_DATABASE_URL"] = ctx.settings.database_url
    os.environ["XIAOBAO_KEYFILE"] = ctx.settings.keyfile
    ctx.store.dispose()
    uvicorn.run("xiaobao.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_config=None, access_log=True)


def _checkpoints_in_background(ctx) -> None:
    """While serving, sign the audit chain's head into the anchor file every few minutes (one thread in the
    serving process; with --workers N it runs in the parent, on its own connection)."""
    import logging
    import threading
    import time

    minutes = ctx.settings.audit_checkpoint_minutes
    if minutes <= 0:
        return

    def loop() -> None:
        from xiaobao.services.audit import checkpoint

        while True:
            try:
                checkpoint(ctx)
            except Exception:  # a full disk must not stop the server; the next round tries again
                logging.getLogger("xiaobao.audit").exception("审计检查点写入失败 / audit checkpoint failed")
            time.sleep(minutes * 60)

    threading.Thread(target=loop, name="audit-checkpoint", daemon=True).start()


@app.command()
def demo(host: str = typer.Option("127.0.0.1", help="监听地址"), port: int = typer.Option(8000, help="端口"),
         db: Path = typer.Option(Path("var/demo.db"), help="演示用 SQLite 文件"),
         fresh: bool = typer.Option(False, help="删除后重新生成演示数据"),
         serve: bool = typer.Option(True, help="加载后启动 API 服务"),
         workers: int = typer.Option(1, min=1, max=32, help="API 进程数")):
    """在嵌入式 SQLite 上加载演示数据（≥2000 条投诉）并启动 API（/docs）。"""
    from xiaobao.demo.complaints import DEMO_PASSWORD, load_demo

    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{db}", keyfile=str(db.parent / "demo-keys.json"))
    ctx = context(settings)
    with ctx.store.uow(write=False) as uow:
        empty = uow.users.get("admin") is None
    if empty:
        with console.status("正在生成演示数据…（约半分钟）"):
            summary = load_demo(ctx)
        _print_demo_summary(summary)
    else:
        console.print(f"使用已有演示数据库 {db}（--fresh 可重新生成）")
    console.print(f"演示账号：admin / agent1 / expert1 / care1 / supervisor1 / compliance1 / auditor1 / marketing1，密码 {DEMO_PASSWORD}")
    if serve:
        console.print(f"消保工作台 console: http://{host}:{port}/ui/   API: http://{host}:{port}/docs")
        _serve(ctx, host, port)


def _print_demo_summary(summary: dict) -> None:
    from xiaobao.domain.complaint import STATUS_NAMES_ZH

    console.print(f"[green]演示数据已加载[/green]：{summary['users']} 个用户，{summary['complaints']} 件投诉，"
                  f"{summary['actions']} 个办理动作")
    table = Table(title="投诉状态分布")
    table.add_column("状态")
    table.add_column("件数", justify="right")
    for code, n in sorted(summary["by_status"].items(), key=lambda kv: -kv[1]):
        table.add_row(STATUS_NAMES_ZH.get(code, code), str(n))
    console.print(table)
    console.print(f"已超期 {summary['overdue']} 件，3日内到期 {summary['due_within_3_days']} 件")
    console.print(f"黑灰产线索 {summary['leads']} 条（xiaobao blackgray leads）；营销物料 {summary['marketing_materials']} 件；"
                  f"催收通话 {summary['collection_calls']} 通")


@app.command()
def serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
          workers: int = typer.Option(1, min=1, max=32, help="API 进程数（每个进程占一个核）")):
    """在 XIAOBAO_DATABASE_URL 指定的数据库上启动 API（自动迁移）。"""
    _serve(context(), host, port, workers)


@app.command()
def migrate():
    """将数据库结构升级到最新版本。"""
    from xiaobao.store.migrate import upgrade

    settings = Settings()
    settings.ensure_local_dirs()
    upgrade(settings.database_url)
    console.print("[green]数据库已是最新结构[/green]")


@audit_app.command("verify")
def audit_verify():
    """校验审计哈希链与库外签名检查点：发现任何被篡改、删除或整链重建的记录。"""
    from xiaobao.services.audit import verify

    v = verify(context())
    if v.problems:
        for p in v.problems[:50]:
            err.print(f"[red]✗ {p}[/red]")
        err.print(f"[red]审计链校验失败：{len(v.problems)} 处问题[/red]")
        raise typer.Exit(1)
    seq, h = v.head or (0, "-")
    console.print(f"[green]✓ 审计链完整[/green]：{seq} 条，链尾哈希 {h}；库外检查点 {v.checkpoints} 个（{v.anchor}）")
    for note in v.notes:
        console.print(f"[yellow]! {note}[/yellow]")


@audit_app.command("checkpoint")
def audit_checkpoint():
    """把当前链尾签名（Ed25519）写入库外锚点文件（XIAOBAO_AUDIT_ANCHOR），供 audit verify 核对；可由定时任务运行。"""
    from xiaobao.services.audit import checkpoint, public_key

    ctx = context()
    cp = checkpoint(ctx)
    if cp is None:
        err.print("[red]审计链头记录缺失：请先运行 xiaobao migrate[/red]")
        raise typer.Exit(1)
    console.print(f"检查点：#{cp.seq} {cp.hash} → {ctx.settings.audit_anchor_path()}（公钥 {public_key(ctx)}）")


@user_app.command("add")
def user_add(username: str, role: str = typer.Option(..., help="agent|expert|care|supervisor|compliance|auditor|admin"),
             display_name: str = typer.Option(""), team: Optional[str] = typer.Option(None),
             staff_id: Optional[str] = typer.Option(None),
             password: Optional[str] = typer.Option(None, help="省略则交互输入；也可用 XIAOBAO_NEW_PASSWORD")):
    """新建用户。"""
    from xiaobao.domain.errors import DomainError
    from xiaobao.services.auth import create_user

    password = password or os.environ.get("XIAOBAO_NEW_PASSWORD") or typer.prompt("密码", hide_input=True,
                                                                                  confirmation_prompt=True)
    try:
        create_user(context(), username=username, password=password, role=role, display_name=display_name,
                    team=team, staff_id=staff_id, by=cli_actor())
    except DomainError as e:
        err.print(f"[red]{e.message}[/red]")
        raise typer.Exit(2) from None
    console.print(f"[green]已创建用户 {username}（{role}）[/green]")
