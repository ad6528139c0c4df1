"""What every command group shares: the root Typer app, consoles, the CLI actor, the context."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console

from xiaobao.config import Settings

app = typer.Typer(help="xiaobao 消保平台：投诉受理、分层处理、监管时限。", no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)


def group(name: str, help: str) -> typer.Typer:
    """A sub-command group (`xiaobao NAME …`) registered on the root app."""
    sub = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"[:64]


def context(settings: Settings | None = None):
    from xiaobao.services.context import open_context

    return open_context(settings or Settings())
