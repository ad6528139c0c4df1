"""Combining black/gray signals into one explained verdict per complaint.

Noisy-OR over weighted signal scores: each signal is independent evidence, so the score rises with
every kind of evidence and never exceeds 1. The lexicon's total contribution is capped below the
flag threshold, because a genuine consumer may use the same words ("协商还款", "我要投诉到12378").
Weights and thresholds are data (`rules/blackgray.yaml`); calibrating them on reviewed decisions is
the review queue's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xiaobao.domain.finding import Finding

KINDS = ("genuine", "proxy_template", "repeat_harass", "credit_repair", "debt_evasion")
_LEXICON = "blackgray.lexicon"


@dataclass(frozen=True)
class ScoringRules:
    flag_threshold: float = 0.5
    lexicon_cap: float = 0.35
    weights: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        if not 0 < self.flag_threshold <= 1:
            raise ValueError("flag_threshold must be within (0, 1]")
        if self.lexicon_cap >= self.flag_threshold:
            raise ValueError("lexicon_cap must stay below flag_threshold: the lexicon alone may never flag")

    def weight(self, kind: str) -> float:
        if kind.startswith(_LEXICON):
            return self.weights.get(_LEXICON, 1.0)
        return self.weights.get(kind, 0.0)


@dataclass(frozen=True)
class Verdict:
    score: float
    flagged: bool
    kind: str
    signals: tuple[Finding, ...]


def _noisy_or(values: Iterable[float]) -> float:
    miss = 1.0
    for v in values:
        miss *= 1.0 - min(max(v, 0.0), 1.0)
    return 1.0 - miss


# Which bad kind each lexicon category points at: anti-collection (反催收) sells escape from a debt.
_KIND_OF_CATEGORY = {"proxy_template": "proxy_template", "anti_collection": "debt_evasion",
                     "credit_repair": "credit_repair", "debt_evasion": "debt_evasion"}
_KIND_ORDER = ("proxy_template", "debt_evasion", "credit_repair")   # tie-break


def lexicon_summary(findings: Iterable[Finding], rules: ScoringRules) -> tuple[float, str]:
    """What a complaint's lexicon findings (in order) add to its verdict: their noisy-OR of weighted
    scores, and the kind they point at when the complaint is flagged."""
    findings = list(findings)
    value = _noisy_or(f.score * rules.weight(f.kind) for f in findings)
    # What the text is selling decides between proxy work, credit repair and debt evasion. Per kind:
    # its strongest phrase plus a quarter of the others, so one decisive phrase (停息挂账, 征信修复)
    # outweighs a handful of generic letter words (贵司, 律师函).
    scores: dict[str, list[float]] = {}
    for f in findings:
        if f.kind.startswith(_LEXICON + "."):
            kind = _KIND_OF_CATEGORY.get(f.kind.rsplit(".", 1)[1])
            if kind:
                scores.setdefault(kind, []).append(f.score)
    if not scores:
        return value, "proxy_template"
    weight = {k: max(v) + 0.25 * (sum(v) - max(v)) for k, v in scores.items()}
    return value, max(_KIND_ORDER, key=lambda k: (weight.get(k, -1.0), -_KIND_ORDER.index(k)))


def decide(structural: Sequence[tuple[str, float]], lexicon: tuple[float, str],
           rules: ScoringRules) -> tuple[float, bool, str]:
    """(score, flagged, kind) from the structural signals' (kind, score) in the verdict's order and
    the `lexicon_summary`. The one place a verdict is decided: `combine` (findings) and the
    incremental detector's score-only path (`Detector.brief`, gang votes) both come here."""
    lex_value, lex_kind = lexicon
    score = round(_noisy_or([min(lex_value, rules.lexicon_cap), *(s * rules.weight(k) for k, s in structural)]), 4)
    flagged = score >= rules.flag_threshold
    if not flagged:
        return score, False, "genuine"
    # repeat harassment is a pattern of one customer, so it wins only when it is the strongest signal
    strengths = dict(structural)
    strongest = max(strengths, key=strengths.get, default=None)
    if strongest == "blackgray.repeat_harass":
        return score, True, "repeat_harass"
    return score, True, lex_kind


def is_lexicon(kind: str) -> bool:
    return kind.startswith(_LEXICON)


def combine(signals: Iterable[Finding], rules: ScoringRules, lexicon: tuple[float, str] | None = None) -> Verdict:
    """`lexicon`: the `lexicon_summary` of the lexicon findings among `signals`, when already known."""
    signals = [f for f in signals if f.kind.startswith("blackgray.")]
    structural = [(f.kind, f.score) for f in signals if not f.kind.startswith(_LEXICON)]
    if lexicon is None:
        lexicon = lexicon_summary((f for f in signals if f.kind.startswith(_LEXICON)), rules)
    score, flagged, kind = decide(structural, lexicon, rules)
    return Verdict(score, flagged, kind, tuple(signals))
