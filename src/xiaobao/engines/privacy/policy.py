"""Named policies and the anonymiser: a string, or a dict/JSON document by field policy plus
free-text scanning of every other string in it.

A policy (`rules/privacy_policies.yaml`) says, per known field, which operator applies to the whole
value (and as which type, for its mask convention), and per PII type which operator applies to hits
found in the remaining free text; types it does not name fall back to the operator for their
JR/T 0171 level (C3 is redacted, never masked).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xiaobao.engines.privacy.operators import OPERATORS, OperatorError, Operators
from xiaobao.engines.privacy.recognizers import Hit
from xiaobao.engines.privacy.scanner import Scanner, default_scanner
from xiaobao.rules import RulesError, read_yaml, rules_dir


@dataclass(frozen=True)
class FieldRule:
    operator: str
    type: str


@dataclass(frozen=True)
class Policy:
    name: str
    description: str = ""
    scan_rest: bool = True
    operators: dict[str, str] = field(default_factory=dict)
    fields: dict[str, FieldRule] = field(default_factory=dict)


class PolicyError(ValueError):
    """No policy of that name (a request's or a setting's mistake; a broken policy file is a `RulesError`)."""


def _check_op(policy: str, where: str, op: str) -> str:
    if op not in OPERATORS and op not in ("drop", "scan"):
        raise RulesError(f"privacy_policies.yaml: 策略 {policy}：{where} 的算子 {op!r} 不存在（可用：{', '.join(OPERATORS)}、"
                         f"drop、scan） (unknown operator)")
    return op


def load_policies(directory: str | Path | None = None) -> dict[str, Policy]:
    return _load_policies(rules_dir(directory))


@lru_cache(maxsize=8)
def _load_policies(directory: Path) -> dict[str, Policy]:
    raw = read_yaml("privacy_policies.yaml", directory).get("policies") or {}
    if not isinstance(raw, dict):
        raise RulesError("privacy_policies.yaml: policies 应为映射 (must be a mapping)")
    out = {}
    for name, p in raw.items():
        ops = {k: _check_op(name, f"operators.{k}", v) for k, v in (p.get("operators") or {}).items()}
        fields = {}
        for key, rule in (p.get("fields") or {}).items():
            rule = {"operator": rule} if isinstance(rule, str) else rule
            fields[key] = FieldRule(_check_op(name, f"fields.{key}", rule.get("operator", "mask")),
                                    rule.get("type", "default"))
        out[name] = Policy(name, p.get("description", ""), bool(p.get("scan_rest", True)), ops, fields)
    return out


def get_policy(name: str, directory: str | Path | None = None) -> Policy:
    policies = load_policies(directory)
    if name not in policies:
        raise PolicyError(f"策略 {name!r} 不存在（可用：{', '.join(sorted(policies))}）")
    return policies[name]


@dataclass
class Result:
    value: Any
    counts: Counter = field(default_factory=Counter)


class Anonymizer:
    def __init__(self, operators: Operators, scanner: Scanner | None = None):
        self.ops = operators
        self.scanner = scanner or default_scanner()

    def _op_for(self, policy: Policy, kind: str, level: str) -> str:
        return policy.operators.get(kind) or policy.operators.get("default") or self.ops.default_for(level)

    def text(self, text: str, policy: Policy, counts: Counter | None = None) -> str:
        return self.apply(text, self.scanner.scan(text), policy, counts)

    def apply(self, text: str, hits: list[Hit], policy: Policy, counts: Counter | None = None) -> str:
        """`text` with the policy's operator applied to each of `hits` (in text order, not
        overlapping: a scanner's output, or hits the caller resolved with `scanner.resolve`)."""
        if not hits:
            return text
        parts, pos = [], 0
        for h in hits:
            op = self._op_for(policy, h.type, h.level)
            if op == "keep":
                continue
            parts.append(text[pos:h.start])
            parts.append(self.ops.apply(op, h.type, text[h.start:h.end]))
            pos = h.end
            if counts is not None:
                counts[h.type] += 1
        parts.append(text[pos:])
        return "".join(parts)

    def document(self, doc: Any, policy: Policy) -> Result:
        counts: Counter = Counter()
        return Result(self._walk(doc, policy, counts, ""), counts)

    def documents(self, docs: Iterable[Any], policy: Policy) -> list[Result]:
        """`[self.document(d, policy) for d in docs]`, faster: the free text of all of them is
        scanned together (`Scanner.scan_many`) instead of string by string."""
        results, slots = [], []
        for doc in docs:
            counts: Counter = Counter()
            results.append(Result(self._walk(doc, policy, counts, "", slots), counts))
        for slot, hits in zip(slots, self.scanner.scan_many([s.text for s in slots])):
            slot.value = self.apply(slot.text, hits, policy, slot.counts)
        for r in results:
            r.value = _filled(r.value)
        return results

    def _walk(self, v: Any, policy: Policy, counts: Counter, path: str, slots: list[_Slot] | None = None) -> Any:
        """`v` under the policy; with `slots`, each free-text string is left as a `_Slot` appended
        there, for `documents` to scan in one batch and fill in."""
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                key = str(k)
                sub = f"{path}.{key}" if path else key
                rule = policy.fields.get(sub) or policy.fields.get(key)
                if rule is None:
                    out[k] = self._walk(x, policy, counts, sub, slots)
                elif rule.operator == "drop":
                    counts["field:" + key] += 1
                elif rule.operator == "scan" or x is None or isinstance(x, (dict, list, bool)):
                    out[k] = self._walk(x, policy, counts, sub, slots)
                else:
                    out[k] = self.ops.apply(rule.operator, rule.type, str(x))
                    counts["field:" + key] += 1
            return out
        if isinstance(v, list):
            return [self._walk(x, policy, counts, path, slots) for x in v]
        if isinstance(v, str) and policy.scan_rest:
            if slots is None:
                return self.text(v, policy, counts)
            slots.append(slot := _Slot(v, counts))
            return slot
        return v


class _Slot:
    """A free-text string waiting for its batch's scan (`Anonymizer.documents`)."""

    __slots__ = ("counts", "text", "value")

    def __init__(self, text: str, counts: Counter):
        self.text, self.counts, self.value = text, counts, text


def _filled(v: Any) -> Any:
    """`v` with every `_Slot` in it replaced by its value (dicts and lists changed in place)."""
    if type(v) is _Slot:
        return v.value
    if isinstance(v, dict):
        for k, x in v.items():
            if type(x) is _Slot:
                v[k] = x.value
            elif isinstance(x, (dict, list)):
                _filled(x)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            if type(x) is _Slot:
                v[i] = x.value
            elif isinstance(x, (dict, list)):
                _filled(x)
    return v


__all__ = ["Anonymizer", "FieldRule", "OperatorError", "Policy", "PolicyError", "Result", "get_policy", "load_policies"]
