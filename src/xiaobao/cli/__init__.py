"""Command line `xiaobao`: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import sys

from xiaobao.cli import (  # noqa: F401  (importing a module registers its commands on the app)
    admin,
    blackgray,
    classify,
    collection,
    complaints,
    marketing,
    privacy,
    reports,
)
from xiaobao.cli.common import app, err
from xiaobao.rules import RulesError


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except RulesError as e:
        # A broken rules file (or XIAOBAO_RULES_DIR) is the institution's to fix: say which file and what, no traceback.
        err.print(f"[red]规则文件错误 (rules error)[/red]：{e}", soft_wrap=True, markup=True, highlight=False)
        sys.exit(2)
