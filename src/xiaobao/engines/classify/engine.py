"""ComplaintClassifier: one call per complaint (or one per batch) → category, axes B and C, a
calibrated confidence, complaint points and escalation risk, each also as `Finding`s.

Below the needs-a-person threshold (`classify_axes.yaml: needs_person_below`) the classifier does
not guess: `category` and `axis_c` are None and the best guess is kept as `suggestion` for the agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xiaobao.domain.finding import Finding
from xiaobao.engines.classify.escalation import EscalationRisk, EscalationScorer, load_escalation
from xiaobao.engines.classify.lexicon import LexiconClassifier, axis_b_lexicon, category_lexicon
from xiaobao.engines.classify.model import LinearTextModel
from xiaobao.engines.classify.points import Point, PointExtractor, load_points
from xiaobao.engines.classify.taxonomy import AxisEntry, Taxonomy, load_taxonomy
from xiaobao.engines.classify.text import normalize_with_offsets

RULES_SOURCE = "rules"


@dataclass(frozen=True)
class Prediction:
    category: str | None
    suggestion: str
    confidence: float
    needs_person: bool
    axis_b: AxisEntry
    axis_b_confidence: float
    axis_c: AxisEntry | None
    source: str
    points: tuple[Point, ...]
    escalation: EscalationRisk
    probabilities: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        top = sorted(self.probabilities.items(), key=lambda kv: -kv[1])[:3]
        return {
            "axis_b": self.axis_b.code, "axis_b_name": self.axis_b.name_zh,
            "axis_c": self.axis_c.code if self.axis_c else None,
            "axis_c_name": self.axis_c.name_zh if self.axis_c else None,
            "category": self.category, "suggestion": self.suggestion, "confidence": self.confidence,
            "needs_person": self.needs_person, "source": self.source,
            "points": [p.to_dict() for p in self.points],
            "escalation_risk": self.escalation.score, "escalation_flagged": self.escalation.flagged,
            "escalation_signals": self.escalation.signals,
            "top": [{"category": k, "p": round(v, 4)} for k, v in top],
        }


class ComplaintClassifier:
    def __init__(self, taxonomy: Taxonomy, lexicon: LexiconClassifier, axis_b: LexiconClassifier,
                 points: PointExtractor, escalation: EscalationScorer, *, model: LinearTextModel | None = None,
                 axis_b_model: LinearTextModel | None = None, source: str = RULES_SOURCE):
        self.taxonomy = taxonomy
        self.lexicon = lexicon
        self.axis_b_lexicon = axis_b
        self.points = points
        self.escalation = escalation
        self.model = model
        self.axis_b_model = axis_b_model
        self.source = source if model is not None else RULES_SOURCE

    @classmethod
    def from_rules(cls, directory: str | Path | None = None) -> ComplaintClassifier:
        tax = load_taxonomy(directory)
        return cls(tax, category_lexicon(directory, tax), axis_b_lexicon(tax), load_points(directory),
                   load_escalation(directory))

    def with_models(self, model: LinearTextModel | None, axis_b_model: LinearTextModel | None,
                    source: str) -> ComplaintClassifier:
        return ComplaintClassifier(self.taxonomy, self.lexicon, self.axis_b_lexicon, self.points, self.escalation,
                                   model=model, axis_b_model=axis_b_model, source=source)

    def predict(self, text: str, *, repeat_of: bool = False) -> Prediction:
        return self.predict_many([text], [repeat_of])[0]

    def predict_many(self, texts: Sequence[str], repeat_of: Sequence[bool] | None = None) -> list[Prediction]:
        repeat_of = repeat_of or [False] * len(texts)
        model_out = self.model.predict_proba(texts) if self.model is not None and texts else None
        b_out = self.axis_b_model.predict_proba(texts) if self.axis_b_model is not None and texts else None
        out = []
        for i, text in enumerate(texts):
            norm, where = normalize_with_offsets(text)
            lex = self.lexicon.classify(norm)
            if model_out is not None:
                row = model_out[i]
                probs = {c: float(p) for c, p in zip(self.model.classes, row)}
                guess = max(probs, key=probs.get)
                confidence = round(probs[guess], 4)
            else:
                probs, guess, confidence = lex.probabilities, lex.label, lex.confidence
            if b_out is not None:
                j = int(b_out[i].argmax())
                b_code, b_conf = self.axis_b_model.classes[j], float(b_out[i][j])
            else:
                b = self.axis_b_lexicon.classify(norm)
                b_code, b_conf = b.label, b.confidence
            axis_b = self.taxonomy.axis_b.get(b_code) or self.taxonomy.axis_b[self.taxonomy.axis_b_default]
            needs = confidence < self.taxonomy.needs_person_below
            category = None if needs else guess
            axis_c = None if needs else self.taxonomy.axis_c_for(guess)
            points = tuple(self.points.extract(norm, where))
            risk = self.escalation.score(norm, where, repeat_of=repeat_of[i])
            out.append(Prediction(category, guess, confidence, needs, axis_b, round(b_conf, 4), axis_c, self.source,
                                  points, risk, probs, lex.evidence,
                                  self._findings(guess, confidence, needs, axis_b, b_conf, axis_c, probs,
                                                 lex.evidence, points, risk)))
        return out

    def _findings(self, guess, confidence, needs, axis_b, b_conf, axis_c, probs, evidence, points, risk):
        cite = self.taxonomy.citation
        top = dict(sorted(probs.items(), key=lambda kv: -kv[1])[:3])
        found = [Finding(f"classify.axis_b.{axis_b.code}", "classify.axis_b", min(1.0, max(0.0, b_conf)), cite, None,
                         {"code": axis_b.code, "name_zh": axis_b.name_zh}, f"业务类别：{axis_b.name_zh}")]
        if needs:
            found.append(Finding("classify.needs_person", "classify.needs_person", 1.0 - confidence, cite, None,
                                 {"suggestion": guess, "confidence": confidence, "top": top, "phrases": evidence,
                                  "source": self.source},
                                 f"置信度 {confidence:.2f} 低于 {self.taxonomy.needs_person_below:.2f}，需人工判断"))
        else:
            name = self.taxonomy.categories[guess].name_zh if guess in self.taxonomy.categories else guess
            found.append(Finding(f"classify.category.{guess}", "classify.category", confidence, cite, None,
                                 {"category": guess, "top": top, "phrases": evidence, "source": self.source},
                                 f"投诉类别：{name}"))
            found.append(Finding(f"classify.axis_c.{axis_c.code}", "classify.axis_c", confidence, cite, None,
                                 {"code": axis_c.code, "name_zh": axis_c.name_zh}, f"投诉原因：{axis_c.name_zh}"))
        found.extend(self.points.findings(list(points)))
        found.extend(risk.findings)
        return tuple(found)
