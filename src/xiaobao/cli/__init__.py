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
from xiaobao.cli.common import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
