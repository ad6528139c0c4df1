"""The combiner: evidence adds up, the lexicon alone never flags, the verdict says which kind."""

from __future__ import annotations

import pytest

from xiaobao.domain.finding import Finding
from xiaobao.engines.blackgray.scoring import ScoringRules, combine

RULES = ScoringRules(flag_threshold=0.5, lexicon_cap=0.35, weights={
    "blackgray.template": 0.9, "blackgray.shared_contact": 0.9, "blackgray.repeat_harass": 0.85,
    "blackgray.burst": 0.3, "blackgray.lexicon": 1.0})


def f(kind: str, score: float) -> Finding:
    return Finding(rule_id=kind, kind=kind, score=score)


def test_no_signals_is_genuine():
    v = combine([], RULES)
    assert (v.score, v.flagged, v.kind) == (0.0, False, "genuine")


def test_the_lexicon_alone_never_flags_however_many_phrases_match():
    v = combine([f("blackgray.lexicon.debt_evasion", 1.0)] * 10, RULES)
    assert v.score == pytest.approx(0.35) and not v.flagged and v.kind == "genuine"


def test_a_template_family_with_lexicon_support_flags_as_the_lexicon_category():
    v = combine([f("blackgray.template", 0.7), f("blackgray.lexicon.credit_repair", 0.8)], RULES)
    assert v.flagged and v.kind == "credit_repair"
    assert v.score == pytest.approx(1 - (1 - 0.63) * (1 - 0.35), abs=1e-4)


def test_shared_contacts_without_lexicon_are_proxy_work():
    v = combine([f("blackgray.shared_contact", 0.8)], RULES)
    assert v.flagged and v.kind == "proxy_template"


def test_repeat_harassment_wins_when_it_is_the_strongest_signal():
    v = combine([f("blackgray.repeat_harass", 0.9), f("blackgray.lexicon.proxy_template", 0.2)], RULES)
    assert v.flagged and v.kind == "repeat_harass"


def test_a_burst_alone_supports_but_does_not_flag():
    assert not combine([f("blackgray.burst", 1.0)], RULES).flagged


def test_evidence_accumulates_monotonically():
    a = combine([f("blackgray.template", 0.4)], RULES).score
    b = combine([f("blackgray.template", 0.4), f("blackgray.burst", 0.5)], RULES).score
    assert b > a


def test_rules_refuse_a_lexicon_cap_that_could_flag_alone():
    with pytest.raises(ValueError):
        ScoringRules(flag_threshold=0.5, lexicon_cap=0.6)


def test_non_blackgray_findings_are_ignored():
    v = combine([f("pii.CN_ID_CARD", 1.0)], RULES)
    assert v.score == 0 and v.signals == ()
