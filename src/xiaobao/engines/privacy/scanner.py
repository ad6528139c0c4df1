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
from .recognizers import (
    ALPHA,
    GATE_ALPHA,
    GATE_CALL,
    GATE_IN,
    GATE_SEARCH,
    REGISTRY,
    Hit,
    NumberRecognizer,
    Scan,
    TokenRecognizer,
    by_length,
    scan_numbers,
    scan_tokens,
)
from .text import fold

ALL_TYPES = ("CN_ID_CARD", "CN_MOBILE", "CN_LANDLINE", "BANK_CARD", "EMAIL", "CN_USCC", "CN_PASSPORT",
             "CN_HK_MACAU_PERMIT", "CN_TAIWAN_PERMIT", "LICENSE_PLATE", "IP_ADDRESS", "WECHAT_ID", "QQ_NUMBER",
             "AUTH_SECRET", "PERSON_NAME", "ADDRESS")
_NEEDS_GAZETTEER = {"PERSON_NAME", "ADDRESS"}
_DIGIT = re.compile(r"[0-9０-９]")
_ALPHA = re.compile(r"[A-Za-z]")
# What a text must hold for `scan` to have run these recognizers on it (their own patterns do not
# ask for it: an all-digit USCC without any letter in the text, an IPv6 of letters in a digit-free one).
_PER_TEXT_GATE = {"CN_USCC": re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]"), "IP_ADDRESS": _DIGIT}


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
        self.plan = [(r, *r.gate(), isinstance(r, TokenRecognizer)) for r in self.others]
        self.by_length = by_length(self.numbers)
        # Where overlapping hits tie on score and length, the earlier recognizer wins: numbers, then
        # the others in registration order (hits are not produced in that order any more).
        self.rank = {r.type: 0 for r in self.numbers} | {r.type: i + 1 for i, r in enumerate(self.others)}
        self.min_score = self.config.min_score
        self.cue_res = self._cue_patterns()
        # Longer than the longest look-back: the context window, the Taiwan-permit cue (16), names (10).
        self._separator = "\x00" * (max(self.config.context_window, 16) + 8)

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
        return self._scan_folded(fold(text))

    def scan_many(self, texts: Iterable[str], batch: int = 256) -> list[list[Hit]]:
        """`[self.scan(t) for t in texts]`, faster: texts are scanned `batch` at a time as one string.

        They are joined with runs of NUL characters longer than any look-back window (cue words,
        context): no pattern matches a NUL or reads across one, so each text is seen as if alone.
        Two gates are per text and are re-applied to the joined result: an all-digit USCC needs an
        ASCII letter somewhere in its own text, and an IP (an IPv6 of letters only) a digit.
        Texts holding a NUL themselves are scanned alone."""
        out: list[list[Hit]] = []
        group: list[str] = []
        for text in texts:
            if "\x00" in text:
                out.extend(self._scan_joined(group))
                group = []
                out.append(self.scan(text))
                continue
            group.append(text)
            if len(group) >= batch:
                out.extend(self._scan_joined(group))
                group = []
        out.extend(self._scan_joined(group))
        return out

    def _scan_joined(self, texts: list[str]) -> list[list[Hit]]:
        if not texts:
            return []
        if len(texts) == 1:
            return [self.scan(texts[0])]
        sep = self._separator
        starts, pos = [], 0
        for text in texts:
            starts.append(pos)
            pos += len(text) + len(sep)
        joined = fold(sep.join(texts))
        per_text: list[list[Hit]] = [[] for _ in texts]
        i, n = 0, len(texts)
        for h in self._scan_folded(joined):  # in text order
            while i + 1 < n and h.start >= starts[i + 1]:
                i += 1
            if h.type in _PER_TEXT_GATE and not _PER_TEXT_GATE[h.type].search(texts[i]):
                continue
            off = starts[i]
            h.start -= off
            h.end -= off
            per_text[i].append(h)
        return per_text

    def _scan_folded(self, t: str) -> list[Hit]:
        scan = Scan(t, self.config, self.cue_res)
        if _DIGIT.search(t) is None:
            hits = [h for r in self.digit_free if not r.triggers or r.triggers is ALPHA or r.wanted(t)
                    for h in r.find(scan)]
        else:
            hits = scan_numbers(self.numbers, scan, self.by_length) if self.numbers else []
            alpha = None
            tokens = []
            for r, gate, arg, is_token in self.plan:
                if gate == GATE_IN:
                    if arg not in t:
                        continue
                elif gate == GATE_SEARCH:
                    if arg(t) is None:
                        continue
                elif gate == GATE_ALPHA:
                    if alpha is None:
                        alpha = _ALPHA.search(t) is not None
                    if not alpha:
                        continue
                elif gate == GATE_CALL and not arg(t):
                    continue
                if is_token:
                    tokens.append(r)
                else:
                    hits.extend(r.find(scan))
            if tokens:
                hits.extend(scan_tokens(tokens, scan))
        return resolve(hits, self.min_score, self.rank)

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


def resolve(hits: list[Hit], min_score: float, rank: dict[str, int] | None = None) -> list[Hit]:
    """Drop weak hits; where hits overlap keep the higher score, then the longer span (then the
    earlier recognizer in `rank`). Returned in text order."""
    hits = [h for h in hits if h.score >= min_score]
    if len(hits) < 2:
        return hits
    hits.sort(key=_start)
    # Hits that do not overlap anything are kept as they are; each cluster of overlapping ones is
    # settled on its own (clusters cannot affect each other), so the cost stays linear in a long
    # text such as `scan_many`'s joined batch.
    out: list[Hit] = []
    i, n = 0, len(hits)
    while i < n:
        j, end = i + 1, hits[i].end
        while j < n and hits[j].start < end:
            end = max(end, hits[j].end)
            j += 1
        if j == i + 1:
            out.append(hits[i])
        else:
            out.extend(_settle(hits[i:j], rank or {}))
        i = j
    return out


def _settle(hits: list[Hit], rank: dict[str, int]) -> list[Hit]:
    hits.sort(key=lambda h: (-h.score, h.start - h.end, h.start, rank.get(h.type, 0)))
    kept: list[Hit] = []
    for h in hits:
        if all(h.end <= k.start or k.end <= h.start for k in kept):
            kept.append(h)
    kept.sort(key=_start)
    return kept


def _start(h: Hit) -> int:
    return h.start


_default: Scanner | None = None


def default_scanner() -> Scanner:
    """The scanner on the bundled rules, built once per process (building compiles the lexicons)."""
    global _default
    if _default is None:
        _default = Scanner()
    return _default
