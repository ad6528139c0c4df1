"""Alembic, driven from code so `xiaobao migrate` and the tests need no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from xiaobao.store.db import normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    # One head since 0010 joined the area branches; a database stamped at the six old heads
    # upgrades through the merge like any other.
    command.upgrade(alembic_config(url), revision)


def heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
