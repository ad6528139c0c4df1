"""Day-one classifier: weighted phrases per label (`rules/classify_lexicon.yaml` for categories, the
axis-B keywords of `rules/classify_axes.yaml` for business type).

Confidence is honest about thin evidence: a softmax over label scores (so two labels matching alike
split the confidence), times min(1, total score / evidence_floor) (so a lone weak phrase stays below
the needs-a-person threshold). No match at all → the fallback label with confidence 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xiaobao.domain.finding import Citation
from xiaobao.rules import RulesError, citation, read_yaml
from xiaobao.engines.classify.taxonomy import Taxonomy
from xiaobao.engines.classify.text import PhraseMatcher


@dataclass(frozen=True)
class LabelScore:
    label: str
    confidence: float
    probabilities: dict[str, float]
    evidence: dict[str, list[str]] = field(default_factory=dict)


class LexiconClassifier:
    def __init__(self, weights: Mapping[str, Mapping[str, float]], *, fallback: str, temperature: float = 1.0,
                 evidence_floor: float = 1.0, citation: Citation | None = None,
                 generic: frozenset[str] = frozenset(), parents: Mapping[str, str] | None = None):
        if temperature <= 0 or evidence_floor <= 0:
            raise RulesError("classify_lexicon.yaml: temperature 与 evidence_floor 须为正数")
        self.labels = sorted(set(weights) | {fallback})
        self.fallback = fallback
        self.temperature = temperature
        self.evidence_floor = evidence_floor
        self.citation = citation
        self.generic = generic
        self.parents = dict(parents or {})
        self._matcher = PhraseMatcher((p, (label, float(w))) for label, phrases in weights.items()
                                      for p, w in (phrases or {}).items())

    def classify(self, normalized: str) -> LabelScore:
        hits: dict[str, dict[str, float]] = {}
        for phrase, payloads in self._matcher.found(normalized):
            for label, w in payloads:
                got = hits.get(label)
                if got is None:
                    hits[label] = {phrase: w}
                else:
                    got[phrase] = w  # each phrase counts once however often it recurs
        if self.generic and any(ph not in self.generic for p in hits.values() for ph in p):
            hits = {label: kept for label, p in hits.items()
                    if (kept := {ph: w for ph, w in p.items() if ph not in self.generic})}
        scores = {label: sum(p.values()) for label, p in hits.items()}
        if self.parents:
            scores = {label: v + self._ancestors_score(label, scores) for label, v in scores.items()}
        total = sum(scores.values())
        if total <= 0:
            return LabelScore(self.fallback, 0.0, {self.fallback: 1.0})
        top = max(scores.values())
        exp = {k: math.exp((v - top) / self.temperature) for k, v in scores.items()}
        z = sum(exp.values())
        probs = {k: v / z for k, v in exp.items()}
        label = max(probs, key=lambda k: (probs[k], k))
        confidence = probs[label] * min(1.0, total / self.evidence_floor)
        return LabelScore(label, round(confidence, 4), probs,
                          {k: sorted(p) for k, p in sorted(hits.items(), key=lambda kv: -scores[kv[0]])})


    def _ancestors_score(self, label: str, scores: Mapping[str, float]) -> float:
        """What a label's ancestors scored: 消费金融 with 贷款 words is a consumer loan, a kind of loan."""
        total, seen, up = 0.0, {label}, self.parents.get(label)
        while up is not None and up not in seen:
            total += scores.get(up, 0.0)
            seen.add(up)
            up = self.parents.get(up)
        return total


def category_lexicon(directory: str | Path | None, taxonomy: Taxonomy) -> LexiconClassifier:
    data = read_yaml("classify_lexicon.yaml", directory)
    cats = data.get("categories") or {}
    unknown = sorted(set(cats) - set(taxonomy.categories))
    if unknown:
        raise RulesError(f"classify_lexicon.yaml: 类别 {', '.join(unknown)} 不在 taxonomy.yaml 中")
    for cat, phrases in cats.items():
        for p, w in (phrases or {}).items():
            if not isinstance(w, (int, float)) or w <= 0:
                raise RulesError(f"classify_lexicon.yaml: {cat} 的词语「{p}」权重须为正数，得到 {w!r}")
    fallback = "other" if "other" in taxonomy.categories else next(iter(taxonomy.categories))
    return LexiconClassifier(cats, fallback=fallback, temperature=float(data.get("temperature", 1.0)),
                             evidence_floor=float(data.get("evidence_floor", 1.0)),
                             citation=citation(data.get("citation")))


def axis_b_lexicon(taxonomy: Taxonomy) -> LexiconClassifier:
    """Deeper levels weigh more (信用卡 says more than 银行卡 when both match), a level inherits what its
    parent scored, and the generic credit words (还款, 逾期…) decide only when nothing more specific
    matched: a credit-card complaint also talks of repayments and overdue bills."""
    weights = {code: {k: float(e.level) for k in (*e.keywords, *e.generic)}
               for code, e in taxonomy.axis_b.items() if e.keywords or e.generic}
    generic = frozenset(k for e in taxonomy.axis_b.values() for k in e.generic)
    parents = {code: e.parent for code, e in taxonomy.axis_b.items() if e.parent}
    return LexiconClassifier(weights, fallback=taxonomy.axis_b_default, temperature=1.0, evidence_floor=1.0,
                             citation=taxonomy.citation, generic=generic, parents=parents)
