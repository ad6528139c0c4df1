"""Handling tiers and routing rules (rules come from `rules/routing.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Tier(StrEnum):
    L1 = "L1"  # 一线座席
    L2 = "L2"  # 专家岗
    L3 = "L3"  # 用户关怀
    L4 = "L4"  # 升级投诉处理

    @property
    def name_zh(self) -> str:
        return TIER_NAMES_ZH[self]

    def up(self) -> "Tier":
        order = list(Tier)
        return order[min(order.index(self) + 1, len(order) - 1)]


TIER_NAMES_ZH = {Tier.L1: "一线座席", Tier.L2: "专家岗", Tier.L3: "用户关怀", Tier.L4: "升级投诉处理"}
TIER_NAMES_EN = {Tier.L1: "Front line", Tier.L2: "Expert", Tier.L3: "Customer care", Tier.L4: "Escalated complaints"}


@dataclass(frozen=True)
class RoutingFacts:
    channel: str
    category: str | None = None
    flags: frozenset[str] = frozenset()
    regulator_forwarded: bool = False
    repeat: bool = False
    via_agent: bool = False


@dataclass(frozen=True)
class RoutingRule:
    id: str
    tier: Tier
    team: str
    reason_zh: str
    when: dict[str, Any] = field(default_factory=dict)
    citation: str = ""

    def matches(self, f: RoutingFacts) -> bool:
        w = self.when
        if "channel_in" in w and f.channel not in w["channel_in"]:
            return False
        if "category_in" in w and f.category not in w["category_in"]:
            return False
        if "flags_any" in w and not (f.flags & set(w["flags_any"])):
            return False
        for key in ("regulator_forwarded", "repeat", "via_agent"):
            if key in w and bool(w[key]) != getattr(f, key):
                return False
        return True


@dataclass(frozen=True)
class Route:
    tier: Tier
    team: str
    rule_id: str
    reason_zh: str


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[RoutingRule, ...]
    default: Route
    # Days left on the clock at which an open complaint moves up one tier.
    escalate_at_days_left: dict[Tier, int] = field(default_factory=dict)
    review_tier: Tier = Tier.L4
    review_team: str = "escalation"
    tier_teams: dict[Tier, str] = field(default_factory=dict)  # where escalation sends each tier's work

    def route(self, facts: RoutingFacts) -> Route:
        """First matching rule wins, so the YAML order is the priority order."""
        for rule in self.rules:
            if rule.matches(facts):
                return Route(rule.tier, rule.team, rule.id, rule.reason_zh)
        return self.default

    def should_escalate(self, tier: Tier, days_left: int) -> bool:
        threshold = self.escalate_at_days_left.get(tier)
        return threshold is not None and tier != Tier.L4 and days_left <= threshold
