"""Rules as data: YAML files a compliance officer can read and change, with their citations.

Every rules file is read by one function, `read_yaml(name, directory=None)`. The directory is
`rules_dir(directory)`: the one passed in, else XIAOBAO_RULES_DIR (read by `xiaobao.config`), else the
bundled rules; a file missing from an institution's copy falls back to the bundled one. A file that
cannot be used raises `RulesError`, whose message names the file and what is wrong. Engines import
this module (rules are data), never `xiaobao.config` or the services: when a caller gives no
directory, the institution's rules still win because the setting is resolved here.

`load(dir)` reads the complaint-handling files into domain objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from xiaobao.config import configured_rules_dir
from xiaobao.domain.calendar import ChineseWorkCalendar
from xiaobao.domain.clocks import ClockPolicy, ReviewPolicy, Stage
from xiaobao.domain.complaint import Regime
from xiaobao.domain.finding import Citation
from xiaobao.domain.roles import Permissions, Role
from xiaobao.domain.tiers import Route, RoutingRule, RoutingTable, Tier

BUNDLED = Path(__file__).resolve().parent


class RulesError(ValueError):
    """A rules file (or rules directory) that cannot be used; the message names the file and the entry."""


# libyaml's parser when PyYAML has it (≈ 10× faster on the lexicons; the same safe constructor, so the
# same values — tests/unit/rules/test_rules_yaml.py compares every bundled file), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str) -> Any:
    """`yaml.safe_load`, on libyaml when available."""
    return yaml.load(text, Loader=_SafeLoader)  # (a safe loader: the constructor of yaml.safe_load)


@lru_cache(maxsize=32)
def _directory(raw: str) -> Path:
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        # A mistyped XIAOBAO_RULES_DIR must not quietly mean "the bundled rules" (every file would fall back).
        raise RulesError(f"{path}: 规则目录不存在 (rules directory not found; XIAOBAO_RULES_DIR or the directory given)")
    return path


def rules_dir(directory: str | Path | None = None) -> Path:
    """The rules directory in force: `directory` when given, else XIAOBAO_RULES_DIR, else the bundled
    rules. Absolute and resolved, so a cache keyed on it holds one entry per directory however the
    directory was spelled — engines' default instances are cached on this, never on nothing."""
    raw = directory if directory not in (None, "") else configured_rules_dir()
    return _directory(str(raw)) if raw else BUNDLED


def source(name: str, directory: str | Path | None = None) -> Path:
    """The file `read_yaml(name, directory)` reads: the institution's copy if it has one, else the bundled file."""
    path = rules_dir(directory) / name
    return path if path.is_file() else BUNDLED / name


def read_yaml(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """One rules file, a mapping: `name` in `rules_dir(directory)`, falling back to the bundled file."""
    path = source(name, directory)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RulesError(f"{path}: 无法读取 (cannot read): {e}") from e
    try:
        data = _parse(text)
    except yaml.YAMLError as e:
        raise RulesError(f"{path}: YAML 格式错误 (malformed YAML): {e}") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulesError(f"{path}: 顶层应为映射 (the top level must be a mapping)")
    return data


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
    directory = rules_dir(directory)
    channels_raw = read_yaml("channels.yaml", directory)["channels"]
    clock = read_yaml("clock.yaml", directory)
    policies = _policies(clock)
    channels = {}
    for c in channels_raw:
        ch = Channel(c["code"], c["name_zh"], c.get("name_en", c["code"]), c["clock_policy"], c.get("regulator"),
                     c.get("jrt0169_axis_a", ""))
        if ch.clock_policy not in policies:
            raise RulesError(f"channels.yaml: 渠道 {ch.code} 引用了不存在的时限规则 {ch.clock_policy}")
        channels[ch.code] = ch
    cal = read_yaml("calendar.yaml", directory)
    calendar = ChineseWorkCalendar(_dates(cal.get("holidays"), "holidays"), _dates(cal.get("workdays"), "workdays"))
    perms = read_yaml("roles.yaml", directory)["permissions"]
    permissions = Permissions({k: frozenset(Role(r) for r in v) for k, v in perms.items()})
    categories = {c["code"]: Category(c["code"], c["name_zh"], c.get("name_en", c["code"]), c.get("jrt0169_c", ""))
                  for c in read_yaml("taxonomy.yaml", directory)["categories"]}
    return Rules(channels, Regime(policies, calendar), _routing(read_yaml("routing.yaml", directory)), permissions,
                 categories, clock.get("pause_reasons") or {})


def cached(directory: str | Path | None = None) -> Rules:
    return _cached(rules_dir(directory))


@lru_cache(maxsize=8)
def _cached(directory: Path) -> Rules:
    return load(directory)
