"""The data-exchange gateway: scan and anonymise strings and documents under a named policy, and
unmask encrypted values — an audited act: every unmask (and every refused one) is written to the
PII access log and the audit chain in the same transaction, before the plaintext is returned.
"""

from __future__ import annotations

from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.engines.privacy.operators import OperatorError, Operators, load_operator_config
from xiaobao.engines.privacy.policy import Anonymizer, Policy, PolicyError, get_policy
from xiaobao.engines.privacy.scanner import default_scanner
from xiaobao.engines.privacy.vault import VaultError
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Forbidden

UNMASK = "pii.unmask"


def policy(name: str, rules_dir: str | None = None) -> Policy:
    try:
        return get_policy(name, rules_dir)
    except PolicyError as e:
        raise InvalidValue("policy", str(e)) from None


def configured_policy(name: str, rules_dir: str | None = None) -> Policy:
    """A policy named in configuration (the gateway middleware's routes). An unknown name raises
    PolicyError, so the application fails to start, rather than answering a request with InvalidValue."""
    return get_policy(name, rules_dir)


def anonymizer(vault, rules_dir: str | None = None) -> Anonymizer:
    """Applies policies to strings and documents; `vault` (None: none) serves the policies that encrypt."""
    return Anonymizer(Operators(vault, load_operator_config(rules_dir)), default_scanner(rules_dir))


def scan(text: str, rules_dir: str | None = None) -> list[dict[str, Any]]:
    return [h.to_span() | {"level": h.level} for h in default_scanner(rules_dir).scan(text)]


def mask_for_display(text: str, rules_dir: str | None = None) -> str:
    """What a console or API shows for free text: every PII hit masked (C3 removed)."""
    return anonymizer(None, rules_dir).text(text, get_policy("display", rules_dir))


def anonymise_text(ctx: Context, text: str, policy_name: str) -> dict[str, Any]:
    from collections import Counter

    counts: Counter = Counter()
    out = anonymizer(ctx.vault, ctx.settings.rules_dir).text(text, policy(policy_name, ctx.settings.rules_dir), counts)
    return {"text": out, "counts": dict(counts)}


def anonymise_document(ctx: Context, doc: Any, policy_name: str) -> dict[str, Any]:
    result = anonymizer(ctx.vault, ctx.settings.rules_dir).document(doc, policy(policy_name, ctx.settings.rules_dir))
    return {"document": result.value, "counts": dict(result.counts)}


def unmask(ctx: Context, actor: Actor, wrapped: str, purpose: str, subject: str = "") -> dict[str, Any]:
    """Decrypt an `<enc:TYPE:…>` value for someone allowed to, recording who, what and why."""
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise InvalidValue("purpose", "解密须说明用途（至少4个字），将记入访问日志")
    ops = Operators(ctx.vault)
    try:
        kind, plain = ops.decrypt(wrapped.strip())
        kid = ctx.vault.key_id(wrapped.strip()[5:-1].split(":", 1)[1])
    except (OperatorError, VaultError, ValueError) as e:
        raise InvalidValue("token", f"无法解密：{e}") from None
    allowed = ctx.rules.permissions.allows(actor.role, UNMASK)
    row = {"at": ctx.now(), "actor": actor.username, "role": str(actor.role), "action": "unmask" if allowed else "denied",
           "pii_type": kind, "key_id": kid, "value_index": ctx.vault.blind_index(plain),
           "subject": subject[:120], "purpose": purpose[:200]}
    with ctx.store.uow() as uow:
        uow.privacy.add(**row)
        uow.audit.append(row["at"], actor.username, f"pii.{row['action']}", "pii", row["value_index"],
                         {"pii_type": kind, "key_id": kid, "subject": row["subject"], "purpose": row["purpose"]})
        uow.commit()
    if not allowed:
        raise Forbidden(f"角色 {actor.role} 无权解密个人信息（需要 {UNMASK}）；本次请求已记录", permission=UNMASK)
    return {"type": kind, "value": plain, "key_id": kid}


def access_log(ctx: Context, limit: int = 100, actor: str | None = None) -> list[dict[str, Any]]:
    with ctx.store.uow(write=False) as uow:
        return uow.privacy.recent(min(max(limit, 1), 1000), actor)
