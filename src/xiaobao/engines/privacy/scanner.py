"""The scanner: every registered recognizer over one text, overlaps resolved, hits as Findings.

`Scanner.scan(text)` returns `Hit`s (type, offsets into the ORIGINAL text, score, JR/T 0171 level);
`findings(text)` the same as `Finding`s with the rule's citation and a masked value as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...domain.finding import Finding, Span
from . import names  # noqa: F401  (registers PERSON_NAME and ADDRESS)
from .config import RecognizerConfig, load_config
from .recognizers import ALPHA, REGISTRY, Hit, NumberRecognizer, Scan, scan_numbers
from .text import fold

ALL_TYPES = ("CN_ID_CARD", "CN_MOBILE", "CN_LANDLINE", "BANK_CARD", "EMAIL", "CN_USCC", "CN_PASSPORT",
             "CN_HK_MACAU_PERMIT", "CN_TAIWAN_PERMIT", "LICENSE_PLATE", "IP_ADDRESS", "WECHAT_ID", "QQ_NUMBER",
             "AUTH_SECRET", "PERSON_NAME", "ADDRESS")
_NEEDS_GAZETTEER = {"PERSON_NAME", "ADDRESS"}
_DIGIT = re.compile(r"[0-9０-９]")
_ALPHA = re.compile(r"[A-Za-z]")


class Scanner:
    def __init__(self, config: RecognizerConfig | None = None, types: Iterable[str] | None = None):
        self.config = config or load_config()
        wanted = tuple(types) if types else tuple(t for t in ALL_TYPES if t in self.config.types)
        unknown = [t for t in wanted if t not in REGISTRY or t not in self.config.types]
        if unknown:
            raise ValueError(f"未知的个人信息类型：{', '.join(unknown)}（可用：{', '.join(ALL_TYPES)}）")
        self.numbers: list[NumberRecognizer] = []
        self.others = []
        for name in wanted:
            cls, spec = REGISTRY[name], self.config.types[name]
            rec = cls(spec, self.config.gazetteer) if name in _NEEDS_GAZETTEER else cls(spec)
            (self.numbers if isinstance(rec, NumberRecognizer) else self.others).append(rec)
        # Recognizers that need a digit are skipped for texts without one (most chat lines).
        self.digit_free = [r for r in self.others if r.type in _NEEDS_GAZETTEER or r.type in ("EMAIL", "WECHAT_ID")]
        self.min_score = self.config.min_score
        self.cue_res = self._cue_patterns()

    def _cue_patterns(self) -> dict[str, re.Pattern]:
        def alt(words):
            return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
        res = {k: alt(v) for k, v in self.config.cues.items() if v}
        if self.config.negative_cues:
            res["_negative"] = alt(self.config.negative_cues)
        return res

    def scan(self, text: str) -> list[Hit]:
        if not text:
            return []
        t = fold(text)
        scan = Scan(t, self.config, self.cue_res)
        if _DIGIT.search(t) is None:
            hits = [h for r in self.digit_free if not r.triggers or r.triggers is ALPHA or any(x in t for x in r.triggers)
                    for h in r.find(scan)]
        else:
            hits = scan_numbers(self.numbers, scan) if self.numbers else []
            alpha = None
            for r in self.others:
                trig = r.triggers
                if trig:
                    if trig is ALPHA:
                        if alpha is None:
                            alpha = _ALPHA.search(t) is not None
                        if not alpha:
                            continue
                    elif not any(x in t for x in trig):
                        continue
                hits.extend(r.find(scan))
        return resolve(hits, self.min_score)

    def findings(self, text: str) -> list[Finding]:
        from .operators import mask_value

        out = []
        for h in self.scan(text):
            spec = self.config.types[h.type]
            out.append(Finding(
                rule_id=f"privacy.{h.type}", kind=f"pii.{h.type}", score=h.score, citation=spec.citation,
                span=Span(h.start, h.end),
                evidence={"level": h.level, "masked": mask_value(h.type, text[h.start:h.end])},
                message=f"{spec.name_zh}（{h.level}）"))
        return out


def resolve(hits: list[Hit], min_score: float) -> list[Hit]:
    """Drop weak hits; where hits overlap keep the higher score, then the longer span."""
    hits = [h for h in hits if h.score >= min_score]
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (-h.score, h.start - h.end, h.start))
    kept: list[Hit] = []
    for h in hits:
        if all(h.end <= k.start or k.end <= h.start for k in kept):
            kept.append(h)
    kept.sort(key=lambda h: h.start)
    return kept


_default: Scanner | None = None


def default_scanner() -> Scanner:
    """The scanner on the bundled rules, built once per process (building compiles the lexicons)."""
    global _default
    if _default is None:
        _default = Scanner()
    return _default
