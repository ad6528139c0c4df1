"""Command line `xiaobao`: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import sys

from xiaobao.cli import (
    blackgray,
    classify,
    collection,
    core,
    marketing,
    privacy as pii,
    reports,
)  # noqa: F401  (registering their commands on the app)
from xiaobao.cli.common import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)

