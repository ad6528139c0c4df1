"""What every use case needs: the store, the rules, the data-protection vault and the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from xiaobao.config import Settings
from xiaobao.engines.privacy.vault import Vault
from xiaobao.rules import Rules, load
from xiaobao.store.uow import Store

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_now() -> datetime:
    """Naive Beijing wall-clock time: every regulatory day in this system is a Beijing day."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


@dataclass
class Context:
    store: Store
    rules: Rules
    vault: Vault
    settings: Settings = field(default_factory=Settings)
    now: Callable[[], datetime] = beijing_now

    def __post_init__(self) -> None:
        # Whoever holds the database does not hold the key file: the audit chain is keyed from it.
        self.store.audit_key = self.vault.subkey("audit-chain")

    def today(self) -> date:
        return self.now().date()


def open_context(settings: Settings | None = None, *, migrate: bool = True) -> Context:
    from xiaobao.store.migrate import upgrade

    settings = settings or Settings()
    settings.ensure_local_dirs()
    if migrate:
        upgrade(settings.database_url)
    return Context(store=Store(settings.database_url), rules=load(settings.rules_dir),
                   vault=Vault.load_or_create(settings.keyfile), settings=settings)
