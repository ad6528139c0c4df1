"""Settings from the environment (XIAOBAO_*), with embedded defaults that work on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"XIAOBAO_{name}", default)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL") or "sqlite:///var/xiaobao.db")
    rules_dir: str | None = field(default_factory=lambda: _env("RULES_DIR"))
    # Data-protection keys: a JSON file created on first use for local work; production sets
    # XIAOBAO_KEYFILE to a secret-managed path (or mounts it read-only).
    keyfile: str = field(default_factory=lambda: _env("KEYFILE") or "var/keys.json")
    token_ttl_hours: int = field(default_factory=lambda: int(_env("TOKEN_TTL_HOURS") or 12))
    # Argon2id cost "time,memory_kib,parallelism"; RFC 9106's second recommendation by default.
    argon2: str = field(default_factory=lambda: _env("ARGON2") or "3,65536,4")
    api_threads: int = field(default_factory=lambda: int(_env("API_THREADS") or 8))
    import_batch_size: int = field(default_factory=lambda: int(_env("IMPORT_BATCH_SIZE") or 2000))

    def ensure_local_dirs(self) -> None:
        if self.database_url.startswith("sqlite:///") and not self.database_url.startswith("sqlite:///:memory:"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        Path(self.keyfile).parent.mkdir(parents=True, exist_ok=True)
