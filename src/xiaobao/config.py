"""Settings from the environment (XIAOBAO_*), with embedded defaults that work on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"XIAOBAO_{name}", default)


def configured_rules_dir() -> str | None:
    """XIAOBAO_RULES_DIR: the institution's copy of the rules, or None for the bundled ones. The one place
    the variable is read; `xiaobao.rules.rules_dir` resolves it for every loader, so an engine built
    without a directory still reads the institution's rules."""
    return _env("RULES_DIR") or None


def policy_routes(raw: str | None) -> tuple[tuple[str, str], ...]:
    """"/partner/=export, /research/=analytics" → (("/partner/", "export"), ("/research/", "analytics"))."""
    out = []
    for part in (raw or "").replace("；", ",").replace(";", ",").split(","):
        if not part.strip():
            continue
        prefix, sep, policy = part.partition("=")
        prefix, policy = prefix.strip(), policy.strip()
        if not sep or not prefix.startswith("/") or not policy:
            raise ValueError(f"XIAOBAO_PRIVACY_GATEWAY 配置项 {part.strip()!r} 无效：应为 路径前缀=策略名，如 /partner/=export")
        out.append((prefix, policy))
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL") or "sqlite:///var/xiaobao.db")
    rules_dir: str | None = field(default_factory=configured_rules_dir)
    # Data-protection keys: a JSON file created on first use for local work; production sets
    # XIAOBAO_KEYFILE to a secret-managed path (or mounts it read-only).
    keyfile: str = field(default_factory=lambda: _env("KEYFILE") or "var/keys.json")
    token_ttl_hours: int = field(default_factory=lambda: int(_env("TOKEN_TTL_HOURS") or 12))
    # Argon2id cost "time,memory_kib,parallelism"; RFC 9106's second recommendation by default.
    argon2: str = field(default_factory=lambda: _env("ARGON2") or "3,65536,4")
    # Login throttling: failures per account / per client address within the window before a lock, and the
    # first lock (doubling with each further lock up to the ceiling), in minutes.
    login_max_failures: int = field(default_factory=lambda: int(_env("LOGIN_MAX_FAILURES") or 5))
    login_address_max_failures: int = field(default_factory=lambda: int(_env("LOGIN_ADDRESS_MAX_FAILURES") or 30))
    login_window_minutes: int = field(default_factory=lambda: int(_env("LOGIN_WINDOW_MINUTES") or 15))
    login_lock_minutes: int = field(default_factory=lambda: int(_env("LOGIN_LOCK_MINUTES") or 1))
    login_lock_max_minutes: int = field(default_factory=lambda: int(_env("LOGIN_LOCK_MAX_MINUTES") or 60))
    # Signed checkpoints of the audit chain's head, appended outside the database (a path on another volume,
    # a WORM mount…; default beside the key file), and how often `xiaobao serve` writes one; 0: only by command.
    audit_anchor: str | None = field(default_factory=lambda: _env("AUDIT_ANCHOR"))
    audit_checkpoint_minutes: int = field(default_factory=lambda: int(_env("AUDIT_CHECKPOINT_MINUTES") or 10))
    api_threads: int = field(default_factory=lambda: int(_env("API_THREADS") or 8))
    import_batch_size: int = field(default_factory=lambda: int(_env("IMPORT_BATCH_SIZE") or 2000))
    # The most characters one intake field may hold, the complaint's text (事实与理由) included: a long
    # letter is a few thousand; beyond this a row is an error naming the field, not a truncated text.
    max_text_chars: int = field(default_factory=lambda: int(_env("MAX_TEXT_CHARS") or 20000))
    # API path prefixes whose JSON responses pass the privacy gateway under a named policy
    # (rules/privacy_policies.yaml), e.g. "/partner/=export,/research/=analytics"; empty: none.
    privacy_gateway: tuple[tuple[str, str], ...] = field(
        default_factory=lambda: policy_routes(_env("PRIVACY_GATEWAY")))

    def audit_anchor_path(self) -> Path:
        return Path(self.audit_anchor) if self.audit_anchor else Path(self.keyfile).parent / "audit-anchor.jsonl"

    def ensure_local_dirs(self) -> None:
        if self.database_url.startswith("sqlite:///") and not self.database_url.startswith("sqlite:///:memory:"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        Path(self.keyfile).parent.mkdir(parents=True, exist_ok=True)
