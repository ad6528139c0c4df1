"""The collection rules as data: `rules/collection_policy.yaml` (numbers, zones, relations, cues) and
`rules/collection_utterances.yaml` (what a collector must not say). An institution's own copy in
XIAOBAO_RULES_DIR wins file by file; a malformed file raises `RulesError` naming the entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xiaobao.domain.finding import Citation
from xiaobao.rules import RulesError, read_yaml
from xiaobao.engines.collection import CODES

POLICY_FILE = "collection_policy.yaml"
UTTERANCE_FILE = "collection_utterances.yaml"


@dataclass(frozen=True)
class Code:
    code: str
    name_zh: str
    name_en: str
    citation: Citation


@dataclass(frozen=True)
class Policy:
    codes: dict[str, Code]
    allowed_start: time
    allowed_end: time
    include_duration: bool
    off_hours_consent: str
    max_connected_per_debtor: int
    max_attempts_per_number: int
    debtor_relations: frozenset[str]
    debt_related: frozenset[str]
    unreachable_flag: str
    refusal_memory_days: int
    default_tz: ZoneInfo
    naive_tz: ZoneInfo
    region_tz: dict[str, ZoneInfo]
    relation_aliases: dict[str, str]  # alias (lower-case) → canonical
    callee_cues: dict[str, tuple[str, ...]]
    self_id_within: int
    institution_patterns: tuple[re.Pattern, ...]
    person_patterns: tuple[re.Pattern, ...]

    def canonical_relation(self, value: str) -> str | None:
        return self.relation_aliases.get(value.strip().lower())

    def zone_for(self, tz: str | None, region: str | None) -> ZoneInfo:
        if tz:
            return _zone(tz, "debtor_tz")
        if region:
            region = region.strip()
            for key in (region, region[:2]):
                if key in self.region_tz:
                    return self.region_tz[key]
        return self.default_tz


def _zone(name: str, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RulesError(f"{where}: 未知时区 {name!r}（应为 IANA 名称，如 Asia/Shanghai）") from None


def _hhmm(v: Any, where: str) -> time:
    try:
        h, m = str(v).split(":")
        return time(int(h), int(m))
    except ValueError:
        raise RulesError(f"{POLICY_FILE}: {where} 应为 HH:MM，实际 {v!r}") from None


def policy_from_dict(d: dict[str, Any]) -> Policy:
    try:
        codes = {}
        for code in CODES:
            c = d["codes"][code]
            cit = c["citation"]
            codes[code] = Code(code, c["name_zh"], c.get("name_en", code),
                               Citation(cit.get("source", ""), cit.get("article", ""), cit.get("note", "")))
        hours, freq, tp, tz = d["hours"], d["frequency"], d["third_party"], d["timezones"]
        aliases = {}
        for canonical, names in d["relations"].items():
            for n in [canonical, *names]:
                aliases[str(n).lower()] = canonical
        sid = d["self_identification"]
        policy = Policy(
            codes=codes,
            allowed_start=_hhmm(hours["allowed_start"], "hours.allowed_start"),
            allowed_end=_hhmm(hours["allowed_end"], "hours.allowed_end"),
            include_duration=bool(hours.get("include_duration", True)),
            off_hours_consent=str(hours.get("consent_flag", "off_hours")),
            max_connected_per_debtor=int(freq["max_connected_per_debtor_per_day"]),
            max_attempts_per_number=int(freq["max_attempts_per_number_per_day"]),
            debtor_relations=frozenset(freq.get("debtor_relations") or ["debtor"]),
            debt_related=frozenset(tp["debt_related"]),
            unreachable_flag=str(tp.get("requires_unreachable_flag", "debtor_unreachable")),
            refusal_memory_days=int(tp.get("refusal_memory_days", 3650)),
            default_tz=_zone(tz["default"], "timezones.default"),
            naive_tz=_zone(tz.get("naive_input", tz["default"]), "timezones.naive_input"),
            region_tz={str(k): _zone(v, f"timezones.regions.{k}") for k, v in (tz.get("regions") or {}).items()},
            relation_aliases=aliases,
            callee_cues={k: tuple(str(x) for x in v) for k, v in d["callee_cues"].items()},
            self_id_within=int(sid.get("within_collector_turns", 2)),
            institution_patterns=tuple(re.compile(p) for p in sid["institution_patterns"]),
            person_patterns=tuple(re.compile(p) for p in sid["person_patterns"]),
        )
    except KeyError as e:
        raise RulesError(f"{POLICY_FILE}: 缺少配置项 {e}") from e
    except (TypeError, ValueError, AttributeError, re.error) as e:
        raise RulesError(f"{POLICY_FILE}: 配置格式错误：{e!r}") from e
    if policy.max_connected_per_debtor < 1 or policy.max_attempts_per_number < 1:
        raise RulesError(f"{POLICY_FILE}: 频次上限须为正整数")
    for cue in ("not_debtor", "refusal", "hardship"):
        if cue not in policy.callee_cues:
            raise RulesError(f"{POLICY_FILE}: callee_cues 缺少 {cue}")
    return policy


def load_policy(directory: str | Path | None = None) -> Policy:
    return policy_from_dict(read_yaml(POLICY_FILE, directory))

