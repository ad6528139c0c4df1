"""Tiered routing from the bundled rules/routing.yaml: first matching rule wins."""

from __future__ import annotations

import pytest

from xiaobao.domain.tiers import Route, RoutingFacts, RoutingRule, RoutingTable, Tier
from xiaobao.rules import load

TABLE = load().routing


def route(**kw):
    return TABLE.route(RoutingFacts(channel=kw.pop("channel", "app"), **kw))


def test_default_is_front_line():
    r = route()
    assert (r.tier, r.team, r.rule_id) == (Tier.L1, "frontline", "route.default")
    assert r.reason_zh


def test_regulator_forwarded_goes_to_l4():
    r = route(channel="regulator_12378", regulator_forwarded=True)
    assert (r.tier, r.team, r.rule_id) == (Tier.L4, "escalation", "route.regulator_forwarded")


@pytest.mark.parametrize("flag", ["elderly", "disabled", "serious_illness", "vulnerable"])
def test_vulnerable_customer_goes_to_l3_care(flag):
    r = route(flags=frozenset({flag}))
    assert (r.tier, r.team, r.rule_id) == (Tier.L3, "care", "route.vulnerable_customer")


@pytest.mark.parametrize("flag", ["media_threat", "regulator_threat", "litigation_threat"])
def test_escalation_threat_goes_to_l4(flag):
    assert route(flags=frozenset({flag})).rule_id == "route.escalation_threat"


def test_escalation_risk_the_classifier_flagged_goes_to_l4_with_its_citation():
    r = route(flags=frozenset({"escalation_risk"}))
    assert (r.tier, r.team, r.rule_id) == (Tier.L4, "escalation", "route.escalation_risk")
    rule = next(x for x in TABLE.rules if x.id == "route.escalation_risk")
    assert "第二十九条" in rule.citation and r.reason_zh


def test_repeat_goes_to_l2_expert():
    r = route(repeat=True)
    assert (r.tier, r.team, r.rule_id) == (Tier.L2, "expert", "route.repeat")


def test_agent_goes_to_l2_expert():
    r = route(via_agent=True)
    assert (r.tier, r.team, r.rule_id) == (Tier.L2, "expert", "route.agent")


def test_debt_collection_goes_to_collection_expert():
    r = route(category="debt_collection")
    assert (r.tier, r.team) == (Tier.L2, "collection_expert")


def test_unrelated_flag_and_category_fall_to_default():
    assert route(flags=frozenset({"vip"}), category="fees").rule_id == "route.default"


@pytest.mark.parametrize("facts, rule_id", [
    (dict(regulator_forwarded=True, flags=frozenset({"elderly"}), repeat=True, via_agent=True),
     "route.regulator_forwarded"),
    (dict(flags=frozenset({"elderly", "media_threat"}), repeat=True), "route.vulnerable_customer"),
    (dict(flags=frozenset({"media_threat"}), repeat=True), "route.escalation_threat"),
    (dict(flags=frozenset({"elderly", "escalation_risk"})), "route.vulnerable_customer"),
    (dict(flags=frozenset({"blackgray_suspect", "escalation_risk"})), "route.blackgray_suspect"),
    (dict(flags=frozenset({"escalation_risk"}), repeat=True, category="debt_collection"), "route.escalation_risk"),
    (dict(repeat=True, category="debt_collection", via_agent=True), "route.repeat"),
    (dict(category="debt_collection", via_agent=True), "route.collection"),
])
def test_first_matching_rule_wins(facts, rule_id):
    assert route(**facts).rule_id == rule_id


def test_rule_order_is_priority_order():
    a = RoutingRule("a", Tier.L2, "x", "", {"repeat": True})
    b = RoutingRule("b", Tier.L4, "y", "", {"repeat": True})
    default = Route(Tier.L1, "frontline", "route.default", "")
    facts = RoutingFacts("app", repeat=True)
    assert RoutingTable((a, b), default).route(facts).rule_id == "a"
    assert RoutingTable((b, a), default).route(facts).rule_id == "b"


def test_all_conditions_of_a_rule_must_hold():
    rule = RoutingRule("r", Tier.L2, "t", "", {"channel_in": ["hotline"], "category_in": ["fees"],
                                               "via_agent": True})
    assert rule.matches(RoutingFacts("hotline", "fees", via_agent=True))
    assert not rule.matches(RoutingFacts("app", "fees", via_agent=True))
    assert not rule.matches(RoutingFacts("hotline", "loans", via_agent=True))
    assert not rule.matches(RoutingFacts("hotline", "fees", via_agent=False))


def test_boolean_condition_false_matches_only_false():
    rule = RoutingRule("r", Tier.L2, "t", "", {"repeat": False})
    assert rule.matches(RoutingFacts("app"))
    assert not rule.matches(RoutingFacts("app", repeat=True))


@pytest.mark.parametrize("tier, threshold", [(Tier.L1, 5), (Tier.L2, 3), (Tier.L3, 2)])
def test_should_escalate_at_threshold_days_left(tier, threshold):
    assert TABLE.should_escalate(tier, threshold)
    assert TABLE.should_escalate(tier, threshold - 1)
    assert TABLE.should_escalate(tier, -3)  # overdue
    assert not TABLE.should_escalate(tier, threshold + 1)


def test_l4_never_escalates():
    assert not TABLE.should_escalate(Tier.L4, -10)
    forced = RoutingTable((), TABLE.default, {Tier.L4: 100})
    assert not forced.should_escalate(Tier.L4, 0)


def test_tier_without_threshold_never_escalates():
    assert not RoutingTable((), TABLE.default, {}).should_escalate(Tier.L1, -1)


def test_tier_up_moves_one_level_and_stops_at_l4():
    assert [t.up() for t in Tier] == [Tier.L2, Tier.L3, Tier.L4, Tier.L4]


def test_tier_names_and_teams():
    assert Tier.L3.name_zh == "用户关怀"
    assert TABLE.tier_teams == {Tier.L1: "frontline", Tier.L2: "expert", Tier.L3: "care", Tier.L4: "escalation"}
    assert (TABLE.review_tier, TABLE.review_team) == (Tier.L4, "escalation")
