"""Lexicon of agency language: weighted phrases per category (代理维权, 反催收, 征信修复, 逃废债),
data in `rules/blackgray_lexicon.yaml`, matched with one Aho-Corasick automaton.

Combiner contract (enforced here and in `scoring.ScoringRules`):
* each finding scores `weight × max_score`, so no single finding exceeds `max_score`;
* the lexicon's total (`Lexicon.score`, noisy-OR of its findings) is capped at `max_score`;
* `max_score` must stay below the flag threshold (`FLAG_THRESHOLD_FLOOR`, 0.5): loading a lexicon
  that could flag on its own raises `RulesError`. The lexicon alone never flags a complaint — a
  genuine consumer asking for 协商还款 or saying 我要去12378投诉 uses words an agency uses too, so
  the lexicon only adds weight to structural evidence (template families, shared contacts, repeats).

Matching runs on NFKC, lower-cased text with whitespace removed (so 'ｇ征信 修复' still matches);
spans are mapped back to the original text. A phrase inside a longer matched phrase
(修复征信 inside 花钱修复征信) is not reported twice. Cost: O(len(text) + matches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from xiaobao.domain.finding import Citation, Finding, Span
from xiaobao.rules import RulesError, read_yaml
from xiaobao.engines.blackgray.contacts import normalize_with_offsets, to_original

FILE = "blackgray_lexicon.yaml"
PREFIX = "blackgray.lexicon"
FLAG_THRESHOLD_FLOOR = 0.5
DEFAULT_MAX_SCORE = 0.35


@dataclass(frozen=True, slots=True)
class Phrase:
    category: str
    text: str
    weight: float


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_zh: str
    citation: Citation | None


def _norm(s: str) -> str:
    return normalize_with_offsets(s, drop_spaces=True, lower=True)[0]


class Lexicon:
    def __init__(self, categories: dict[str, Category], phrases: Iterable[Phrase],
                 max_score: float = DEFAULT_MAX_SCORE):
        if not 0 < max_score < FLAG_THRESHOLD_FLOOR:
            raise RulesError(f"{FILE}: max_score {max_score} 须在 (0, {FLAG_THRESHOLD_FLOOR}) 之间——词表单独不得触发标记")
        self.max_score = max_score
        self.categories = dict(categories)
        self.phrases = tuple(phrases)
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Phrase]] = {}
        for p in self.phrases:
            if p.category not in self.categories:
                raise RulesError(f"{FILE}: 词条 {p.text} 引用了不存在的类别 {p.category}")
            if not 0 < p.weight <= 1:
                raise RulesError(f"{FILE}: 词条 {p.text} 的权重须在 (0, 1] 之间")
            key = _norm(p.text)
            if key:
                by_key.setdefault(key, []).append(p)
        for key, ps in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(ps)))
        self._empty = not by_key
        if by_key:
            self._automaton.make_automaton()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
        try:
            cats, phrases = {}, []
            for code, c in (data.get("categories") or {}).items():
                raw = c.get("citation")
                cit = None if not raw else Citation(raw) if isinstance(raw, str) else Citation(
                    raw.get("source", ""), raw.get("article", ""), raw.get("note", ""))
                cats[code] = Category(code, c.get("name_zh", code), cit)
                phrases += [Phrase(code, str(p["text"]), float(p["weight"])) for p in c.get("phrases") or ()]
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise RulesError(f"{FILE}: 词表格式错误：{e!r}") from e
        return cls(cats, phrases, float(data.get("max_score", DEFAULT_MAX_SCORE)))

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Lexicon:
        """From `blackgray_lexicon.yaml` of the rules in force (`directory`, else XIAOBAO_RULES_DIR, else bundled)."""
        return cls.from_dict(read_yaml(FILE, directory))

    def analyze(self, text: str) -> list[Finding]:
        """One finding per matched phrase occurrence, in text order; span in the original text."""
        if not text or self._empty:
            return []
        norm, origin = normalize_with_offsets(text, drop_spaces=True, lower=True)
        hits = []
        for end, (length, phrases) in self._automaton.iter(norm):
            hits.append((end + 1 - length, end + 1, phrases))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, tuple[Phrase, ...]]] = []
        for h in hits:
            if not any(k[0] <= h[0] and h[1] <= k[1] for k in kept):
                kept.append(h)
        out = []
        for s, e, phrases in kept:
            os_, oe = to_original(origin, s, e)
            for p in phrases:
                cat = self.categories[p.category]
                out.append(Finding(
                    rule_id=f"{PREFIX}.{p.category}", kind=f"{PREFIX}.{p.category}",
                    score=round(p.weight * self.max_score, 4), citation=cat.citation, span=Span(os_, oe),
                    evidence={"category": p.category, "phrase": p.text, "matched": text[os_:oe], "weight": p.weight},
                    message=f"{cat.name_zh}用语：{p.text}",
                ))
        return out

    def score(self, findings_or_text: str | Iterable[Finding]) -> float:
        """The lexicon's total: noisy-OR over distinct phrases, capped at `max_score` (< 0.5)."""
        findings = self.analyze(findings_or_text) if isinstance(findings_or_text, str) else findings_or_text
        best: dict[str, float] = {}
        for f in findings:
            if f.kind.startswith(PREFIX + "."):
                key = f"{f.kind}:{f.evidence.get('phrase', '')}"
                best[key] = max(best.get(key, 0.0), f.score)
        miss = 1.0
        for v in best.values():
            miss *= 1.0 - v
        return round(min(1.0 - miss, self.max_score), 4)

    def category_scores(self, findings: Iterable[Finding]) -> dict[str, float]:
        by_cat: dict[str, list[Finding]] = {}
        for f in findings:
            if f.kind.startswith(PREFIX + "."):
                by_cat.setdefault(f.kind.rsplit(".", 1)[1], []).append(f)
        return {c: self.score(fs) for c, fs in by_cat.items()}
