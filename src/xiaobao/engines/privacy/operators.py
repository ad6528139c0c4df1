"""Operators: what happens to a PII value — mask, redact, replace, keyed token, format-preserving
token, or reversible AES-GCM encryption (the `Vault`).

Masks keep separators in place and count only letters and digits, so `138 1234 5678` masks to
`138 **** 5678`. Format-preserving tokens keep length, separators and validity (a mobile stays a
mobile, a card passes Luhn, an ID passes GB 11643), so downstream validators and joins still work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.config import load_config
from xiaobao.engines.privacy.vault import Vault
from xiaobao.rules import RulesError, read_yaml, rules_dir

OPERATORS = ("mask", "redact", "replace", "token", "fpe", "encrypt", "keep")


class OperatorError(ValueError):
    """An operator that cannot be applied to a value (no key, not a token); a broken policy file is a `RulesError`."""


@dataclass(frozen=True)
class MaskRule:
    head: int = 1
    tail: int = 1
    keep_domain: bool = False
    keep_dots: bool = False


@dataclass(frozen=True)
class OperatorConfig:
    masks: dict[str, MaskRule]
    mask_char: str = "*"
    by_level: dict[str, str] = field(default_factory=lambda: {"C3": "redact", "C2": "mask", "C1": "mask"})
    labels: dict[str, str] = field(default_factory=dict)


def load_operator_config(directory: str | Path | None = None) -> OperatorConfig:
    return _load_operator_config(rules_dir(directory))


@lru_cache(maxsize=8)
def _load_operator_config(directory: Path) -> OperatorConfig:
    raw = read_yaml("privacy_policies.yaml", directory)
    try:
        masks = {k: MaskRule(**v) for k, v in (raw.get("masks") or {}).items()}
    except TypeError as e:
        raise RulesError(f"privacy_policies.yaml: masks 格式错误 (malformed mask): {e}") from e
    by_level = dict(raw.get("by_level") or {})
    for level, op in by_level.items():
        if op not in OPERATORS:
            raise RulesError(f"privacy_policies.yaml: by_level.{level} 的算子 {op!r} 不存在（可用：{', '.join(OPERATORS)}） "
                             f"(unknown operator)")
    labels = {name: spec.name_zh for name, spec in load_config(directory).types.items()}
    return OperatorConfig(masks, raw.get("mask_char", "*"), by_level, labels)


def _mask(value: str, rule: MaskRule, char: str) -> str:
    if rule.keep_domain and "@" in value:
        local, domain = value.split("@", 1)
        return _mask(local, MaskRule(rule.head, 0), char) + "@" + domain
    positions = [i for i, c in enumerate(value) if c.isalnum() or (not rule.keep_dots and not c.isascii())]
    n = len(positions)
    head, tail = rule.head, rule.tail
    if head + tail >= n:  # too short to show that much: show at most a third
        head, tail = min(head, n // 3), 0
    hidden = set(positions[head:n - tail])
    return "".join(char if i in hidden else c for i, c in enumerate(value))


def mask_value(kind: str, value: str, config: OperatorConfig | None = None) -> str:
    config = config or load_operator_config()
    rule = config.masks.get(kind) or config.masks.get("default") or MaskRule()
    return _mask(value, rule, config.mask_char)


def _digit_template(value: str, new_digits: str) -> str:
    it = iter(new_digits)
    return "".join(next(it) if c.isdigit() else c for c in value)


def fpe_token(kind: str, value: str, vault: Vault) -> str:
    """A value of the same format and validity, determined by (key, kind, value)."""
    digits = "".join(c for c in value if c.isdigit())
    n = len(digits)
    r = vault.digits(digits + ("X" if value[-1:] in "Xx" else ""), kind, n + 8)
    if kind == "CN_MOBILE" and n >= 11:
        prefix = digits[:n - 11]  # +86 / 0086 stays
        new = prefix + "1" + "3456789"[int(r[0]) % 7] + r[1:10]
    elif kind == "BANK_CARD" and n >= 13:
        body = digits[:6] + r[:n - 7]  # the BIN is not personal; keeping it keeps the card type
        new = body + checks.luhn_digit(body)
    elif kind == "CN_ID_CARD" and len(digits) + (value[-1:] in "Xx") == 18:
        # Same region and decade of birth (coarse, not identifying); date, sequence and check new.
        year = min(int(digits[6:10]) // 10 * 10 + int(r[0]), 2009)
        first17 = f"{digits[:6]}{year:04d}{int(r[1:3]) % 12 + 1:02d}{int(r[3:5]) % 28 + 1:02d}{r[5:8]}"
        return _replace_id(value, first17 + checks.id_check(first17))
    elif kind == "CN_LANDLINE" and n >= 10:
        area = 3 if digits[1] in "12" else 4
        new = digits[:area] + str(2 + int(r[0]) % 8) + r[1:n - area]
    else:
        new = r[:n]
    return _digit_template(value, new)


def _replace_id(value: str, new: str) -> str:
    """Put an 18-character ID into the original's layout (spaces kept, X check character allowed)."""
    it = iter(new)
    return "".join(next(it) if (c.isdigit() or c in "Xx") else c for c in value)


@dataclass
class Operators:
    """Applies operators; holds the vault for tokens and encryption."""

    vault: Vault | None = None
    config: OperatorConfig = field(default_factory=load_operator_config)

    def default_for(self, level: str) -> str:
        return self.config.by_level.get(level, "mask")

    def apply(self, op: str, kind: str, value: str, params: dict[str, Any] | None = None) -> str:
        if op == "keep":
            return value
        if op == "mask":
            return mask_value(kind, value, self.config)
        if op == "redact":
            return ""
        if op == "replace":
            label = (params or {}).get("label") or self.config.labels.get(kind, kind)
            return f"[{label}]"
        if self.vault is None:
            raise OperatorError(f"算子 {op} 需要密钥（vault）")
        if op == "token":
            return f"<{kind}:{self.vault.token(value, kind)}>"
        if op == "fpe":
            if not any(c.isdigit() for c in value):
                return f"<{kind}:{self.vault.token(value, kind)}>"
            return fpe_token(kind, value, self.vault)
        if op == "encrypt":
            return f"<enc:{kind}:{self.vault.encrypt(value, 'pii.' + kind)}>"
        raise OperatorError(f"未知算子 {op!r}（可用：{', '.join(OPERATORS)}）")

    def decrypt(self, wrapped: str) -> tuple[str, str]:
        """`<enc:TYPE:v1:kid:…>` → (TYPE, plaintext). Callers log who asked: see services.privacy.gateway."""
        if not (wrapped.startswith("<enc:") and wrapped.endswith(">")):
            raise OperatorError("不是加密令牌（应为 <enc:类型:v1:密钥:…>）")
        kind, token = wrapped[5:-1].split(":", 1)
        if self.vault is None:
            raise OperatorError("解密需要密钥（vault）")
        return kind, self.vault.decrypt(token, "pii." + kind)
