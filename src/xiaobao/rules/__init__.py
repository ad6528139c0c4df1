"""Rules as data: YAML files a compliance officer can read and change, with their citations.

`load(dir)` reads them into domain objects; an institution points XIAOBAO_RULES_DIR at its own copy
(any file missing there falls back to the bundled one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from xiaobao.domain.calendar import ChineseWorkCalendar
from xiaobao.domain.clocks import ClockPolicy, ReviewPolicy, Stage
from xiaobao.domain.complaint import Regime
from xiaobao.domain.finding import Citation
from xiaobao.domain.roles import Permissions, Role
from xiaobao.domain.tiers import Route, RoutingRule, RoutingTable, Tier

BUNDLED = Path(__file__).parent


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file and the entry."""


# libyaml's parser when PyYAML has it (≈ 10× faster on the lexicons; the same safe constructor, so the
# same values — tests/unit/test_rules_yaml.py compares every bundled file), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, on libyaml when available."""
    return yaml.load(text, Loader=_SafeLoader)  # (a safe loader: the constructor of yaml.safe_load)


@dataclass(frozen=True)
class Channel:
    code: str
    name_zh: str
    name_en: str
    clock_policy: str
    regulator: str | None = None
    jrt0169_axis_a: str = ""


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    jrt0169_c: str = ""


@dataclass(frozen=True)
class Rules:
    channels: dict[str, Channel]
    regime: Regime
    routing: RoutingTable
    permissions: Permissions
    categories: dict[str, Category]
    pause_reasons: dict[str, dict[str, str]]


def read_yaml(directory: str | Path | None, name: str) -> dict[str, Any]:
    """One rules file: the institution's copy in `directory` if it has one, else the bundled one."""
    path = Path(directory or BUNDLED) / name
    if not path.exists():
        path = BUNDLED / name
    try:
        data = safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise RulesError(f"{path}: YAML 格式错误：{e}") from e
    if not isinstance(data, dict):
        raise RulesError(f"{path}: 顶层应为映射")
    return data


def citation(raw: Any) -> Citation | None:
    if not raw:
        return None
    if isinstance(raw, str):
        return Citation(raw)
    return Citation(raw.get("source", ""), raw.get("article", ""), raw.get("note", ""))


def _policies(data: dict[str, Any]) -> dict[str, ClockPolicy]:
    out = {}
    for code, p in (data.get("policies") or {}).items():
        try:
            stages = tuple(
                Stage(int(s["days"]), s.get("name_zh", ""), bool(s.get("requires_approver")),
                      bool(s.get("requires_notice")), citation(s.get("citation")))
                for s in p["stages"]
            )
            if any(b.days <= a.days for a, b in zip(stages, stages[1:])):
                raise RulesError(f"clock.yaml: {code}: 各阶段天数须递增")
            review = p.get("review")
            out[code] = ClockPolicy(
                code=code, name_zh=p.get("name_zh", code), stages=stages,
                review=None if not review else ReviewPolicy(int(review["request_within_days"]),
                                                            int(review["decide_within_days"]),
                                                            citation(review.get("citation"))),
                pause_reasons=tuple(p.get("pause_reasons") or ()), citation=citation(p.get("citation")),
            )
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, RulesError):
                raise
            raise RulesError(f"clock.yaml: 规则 {code} 不完整：{e!r}") from e
    if not out:
        raise RulesError("clock.yaml: 至少需要一条时限规则")
    return out


def _dates(values: list[Any], what: str) -> list[date]:
    try:
        return [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values or []]
    except ValueError as e:
        raise RulesError(f"calendar.yaml: {what} 中的日期无效：{e}") from e


def _routing(data: dict[str, Any]) -> RoutingTable:
    d = data["default"]
    rules = tuple(
        RoutingRule(r["id"], Tier(r["tier"]), r["team"], r.get("reason_zh", ""), r.get("when") or {},
                    r.get("citation", ""))
        for r in data.get("rules") or ()
    )
    review = data.get("review") or {}
    return RoutingTable(
        rules=rules,
        default=Route(Tier(d["tier"]), d["team"], "route.default", d.get("reason_zh", "")),
        escalate_at_days_left={Tier(k): int(v) for k, v in (data.get("escalate_at_days_left") or {}).items()},
        review_tier=Tier(review.get("tier", "L4")),
        review_team=review.get("team", "escalation"),
        tier_teams={Tier(k): v for k, v in (data.get("tier_teams") or {}).items()},
    )


def load(directory: str | Path | None = None) -> Rules:
    directory = Path(directory) if directory else BUNDLED
    channels_raw = read_yaml(directory, "channels.yaml")["channels"]
    clock = read_yaml(directory, "clock.yaml")
    policies = _policies(clock)
    channels = {}
    for c in channels_raw:
        ch = Channel(c["code"], c["name_zh"], c.get("name_en", c["code"]), c["clock_policy"], c.get("regulator"),
                     c.get("jrt0169_axis_a", ""))
        if ch.clock_policy not in policies:
            raise RulesError(f"channels.yaml: 渠道 {ch.code} 引用了不存在的时限规则 {ch.clock_policy}")
        channels[ch.code] = ch
    cal = read_yaml(directory, "calendar.yaml")
    calendar = ChineseWorkCalendar(_dates(cal.get("holidays"), "holidays"), _dates(cal.get("workdays"), "workdays"))
    perms = read_yaml(directory, "roles.yaml")["permissions"]
    permissions = Permissions({k: frozenset(Role(r) for r in v) for k, v in perms.items()})
    categories = {c["code"]: Category(c["code"], c["name_zh"], c.get("name_en", c["code"]), c.get("jrt0169_c", ""))
                  for c in read_yaml(directory, "taxonomy.yaml")["categories"]}
    return Rules(channels, Regime(policies, calendar), _routing(read_yaml(directory, "routing.yaml")), permissions,
                 categories, clock.get("pause_reasons") or {})


@lru_cache(maxsize=8)
def cached(directory: str | None = None) -> Rules:
    return load(directory)
