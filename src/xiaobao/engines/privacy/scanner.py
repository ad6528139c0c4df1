"""The scanner: every registered recognizer over one text, overlaps resolved, hits as Findings.

`Scanner.scan(text)` returns `Hit`s (type, offsets into the ORIGINAL text, score, JR/T 0171 level);
`findings(text)` the same as `Finding`s with the rule's citation and a masked value as evidence;
`scan_many(texts)` the same as `scan` text by text, faster.

A text is folded and projected once (`text.fold_project`); recognizers whose values open alike are
run as one pass (numbers, tokens, cued values, names with addresses: see `recognizers`); a
recognizer's gate (`Recognizer.gate`: a letter, a cue word …) is tested before its pass, or for a
shared pass, on the hits it gave.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from operator import attrgetter
from pathlib import Path

from xiaobao.domain.finding import Finding, Span
from xiaobao.engines.privacy.config import RecognizerConfig, load_config
from xiaobao.rules import rules_dir
from xiaobao.engines.privacy.names import (  # (importing names registers PERSON_NAME and ADDRESS)
    Address,
    PersonName,
    joint_pattern,
    scan_names_and_places,
)
from xiaobao.engines.privacy.recognizers import (
    ALPHA_CLASS,
    GATE_ALPHA,
    GATE_CALL,
    GATE_IN,
    GATE_NONE,
    GATE_SEARCH,
    REGISTRY,
    CuedRecognizer,
    Hit,
    NumberRecognizer,
    Scan,
    TokenRecognizer,
    by_length,
    cued_pass,
    scan_cued,
    scan_numbers,
    scan_token_pass,
    token_pass,
)
from xiaobao.engines.privacy.text import fold_project

ALL_TYPES = ("CN_ID_CARD", "CN_MOBILE", "CN_LANDLINE", "BANK_CARD", "EMAIL", "CN_USCC", "CN_PASSPORT",
             "CN_HK_MACAU_PERMIT", "CN_TAIWAN_PERMIT", "LICENSE_PLATE", "IP_ADDRESS", "WECHAT_ID", "QQ_NUMBER",
             "AUTH_SECRET", "PERSON_NAME", "ADDRESS")
_NEEDS_GAZETTEER = {"PERSON_NAME", "ADDRESS"}
_DIGIT = re.compile(r"[0-9０-９]")


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
        self.gates = {r.type: r.gate() for r in self.others}
        # Cued recognizers (微信号：…, QQ …, 验证码 …) are found in one pass for all of them
        # (`cued_pass`), their gates tested only for the hits; token recognizers in another; the
        # rest one by one, in registration order.
        cued = [r for r in self.others if isinstance(r, CuedRecognizer)]
        self.cued_pass = cued_pass(cued) if cued else None
        together = (TokenRecognizer, CuedRecognizer) if self.cued_pass else (TokenRecognizer,)
        # Names and addresses, when both are scanned for, from one pass (`scan_names_and_places`).
        name = next((r for r in self.others if isinstance(r, PersonName) and self.gates[r.type][0] == GATE_NONE), None)
        place = next((r for r in self.others if isinstance(r, Address) and self.gates[r.type][0] == GATE_NONE), None)
        self.names_places = (name, place, joint_pattern(name, place)) if name and place else None
        if self.names_places:
            together += (PersonName, Address)
        self.plan = [(r, self.gates[r.type]) for r in self.others if not isinstance(r, together)]
        # (A text without digits is asked about few types: WeChat's own pattern after its gate
        # costs less there than the pass for all cued types.)
        self.digit_free_plan = [(r, self.gates[r.type]) for r in self.digit_free
                                if not isinstance(r, (PersonName, Address) if self.names_places else ())]
        self.token_plan = [(r, self.gates[r.type]) for r in self.others if isinstance(r, TokenRecognizer)]
        # Types whose hits in a batch (`scan_many`) are checked against their own text's gates.
        self._digit_free_types = frozenset(r.type for r in self.digit_free)
        self._per_text_types = frozenset(r.type for r in self.others if not r.hit_holds_gate and (
            self.gates[r.type][0] != GATE_NONE or r.type not in self._digit_free_types))
        self._token_passes: dict[int, object] = {}  # which token recognizers run (bits) → their pass
        bits = [(1 << i, gate) for i, (_, gate) in enumerate(self.token_plan)]
        self._token_always = sum(bit for bit, gate in bits if gate[0] == GATE_NONE)
        self._token_alpha = sum(bit for bit, gate in bits if gate[0] == GATE_ALPHA)
        self._token_tested = [(bit, gate) for bit, gate in bits if gate[0] not in (GATE_NONE, GATE_ALPHA)]
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
        return self._scan_folded(*fold_project(text))

    def scan_many(self, texts: Iterable[str], batch: int = 256) -> list[list[Hit]]:
        """`[self.scan(t) for t in texts]`, faster: texts are scanned `batch` at a time as one string.

        They are joined with runs of NUL characters longer than any look-back window (cue words,
        context): no pattern matches a NUL or reads across one, so each text is seen as if alone.
        What `scan` tests of a whole text before running a recognizer (a digit for any but names,
        addresses, e-mail and WeChat; a letter for an all-digit USCC; a cue word for WeChat …) is
        tested again on each hit's own text (`_gate_passes`). Texts holding a NUL themselves are
        scanned alone."""
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
        joined = sep.join(texts)
        t, a = fold_project(joined)
        per_text: list[list[Hit]] = [[] for _ in texts]
        hits = self._scan_folded(t, a)  # in text order
        if not hits:
            return per_text
        step = len(sep)
        starts = list(accumulate([len(x) + step for x in texts], initial=0))  # (and one past the last)
        gated, gate_passes = self._per_text_types, self._gate_passes
        i, off, end, following = -1, 0, 0, 0
        passed: dict[str, bool] = {}
        for h in hits:
            start = h.start
            if start >= following:  # the hit is in a later text than the previous one
                i = bisect_right(starts, start, i + 1) - 1
                off, following = starts[i], starts[i + 1]
                end = following - step
                passed = {}
            if h.type in gated:
                ok = passed.get(h.type)
                if ok is None:
                    ok = passed[h.type] = gate_passes(h, t, a, off, end)
                if not ok:
                    continue
            if off:
                h.start = start - off
                h.end -= off
            per_text[i].append(h)
        return per_text

    def _gate_passes(self, h: Hit, t: str, a: bytes, start: int, end: int) -> bool:
        """Would `scan` have run the recognizer of `h` on the text at t[start:end] alone? (Gates are
        tested on a batch's joined text; a hit is kept only if its own text passes them too.)"""
        if h.type not in self._digit_free_types and _DIGIT.search(t, h.start, h.end) is None \
                and _DIGIT.search(t, start, end) is None:  # (a digit in the hit itself will do)
            return False
        kind, arg = self.gates[h.type]
        if kind == GATE_NONE:
            return True
        if kind == GATE_IN:  # (searched in place: no copy of the text)
            return t.find(arg, start, end) >= 0
        if kind == GATE_ALPHA:
            return bool(a[start:end].translate(None, ALPHA_CLASS))
        return _passes((kind, arg), t[start:end], a[start:end])

    def _scan_folded(self, t: str, ascii: bytes) -> list[Hit]:
        scan = Scan(t, self.config, self.cue_res, ascii)
        digits = _DIGIT.search(t) is not None
        # an ASCII letter (the others deleted): known up front where the cued and token passes need it
        alpha = bool(ascii.translate(None, ALPHA_CLASS)) if digits else None
        hits = scan_numbers(self.numbers, scan, self.by_length) if digits and self.numbers else []
        # (`_passes`, inline and cheapest first: this runs for every recognizer of every text)
        for r, (gate, arg) in self.plan if digits else self.digit_free_plan:
            if gate == GATE_IN:
                if arg not in t:
                    continue
            elif gate == GATE_SEARCH:
                if arg(t) is None:
                    continue
            elif gate == GATE_ALPHA:
                if alpha is None:
                    alpha = bool(ascii.translate(None, ALPHA_CLASS))
                if not alpha:
                    continue
            elif gate == GATE_CALL and not arg(t):
                continue
            hits.extend(r.find(scan))
        if self.names_places:
            hits.extend(scan_names_and_places(*self.names_places, scan))
        if digits:
            if self.cued_pass:
                hits.extend(self._cued(scan, alpha))
            if self.token_plan:
                mask = self._token_always | (self._token_alpha if alpha else 0)
                for bit, (gate, arg) in self._token_tested:
                    if gate == GATE_IN:
                        passed = arg in t
                    elif gate == GATE_SEARCH:
                        passed = arg(t) is not None
                    else:
                        passed = _passes((gate, arg), t, ascii)
                    if passed:
                        mask |= bit
                if mask:
                    tp = self._token_passes.get(mask)
                    if tp is None:
                        tp = self._token_passes[mask] = token_pass([r for i, (r, _) in enumerate(self.token_plan)
                                                                    if mask >> i & 1])
                    hits.extend(scan_token_pass(tp, scan))
        return resolve(hits, self.min_score, self.rank)

    def _cued(self, scan: Scan, alpha: bool) -> list[Hit]:
        """The cued recognizers' hits, each kept if its recognizer's gate lets the text through
        (tested once per type, only for texts with a hit: the same as testing before a scan)."""
        hits = scan_cued(self.cued_pass, scan)
        if not hits:
            return hits
        ok: dict[str, bool] = {}
        out = []
        for h in hits:
            passed = ok.get(h.type)
            if passed is None:
                passed = ok[h.type] = _passes(self.gates[h.type], scan.text, scan.ascii, alpha)
            if passed:
                out.append(h)
        return out

    def findings(self, text: str) -> list[Finding]:
        from xiaobao.engines.privacy.operators import mask_value

        out = []
        for h in self.scan(text):
            spec = self.config.types[h.type]
            out.append(Finding(
                rule_id=f"privacy.{h.type}", kind=f"pii.{h.type}", score=h.score, citation=spec.citation,
                span=Span(h.start, h.end),
                evidence={"level": h.level, "masked": mask_value(h.type, text[h.start:h.end])},
                message=f"{spec.name_zh}（{h.level}）"))
        return out


def _passes(gate: tuple[int, object], t: str, ascii: bytes, alpha: bool | None = None) -> bool:
    """Does the folded text `t` (projection `ascii`) pass a recognizer's gate (`Recognizer.gate`)?"""
    kind, arg = gate
    if kind == GATE_NONE:
        return True
    if kind == GATE_IN:
        return arg in t
    if kind == GATE_SEARCH:
        return arg(t) is not None
    if kind == GATE_ALPHA:
        return bool(ascii.translate(None, ALPHA_CLASS)) if alpha is None else alpha
    return arg(t)


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


_start = attrgetter("start")


def default_scanner(directory: str | Path | None = None) -> Scanner:
    """The scanner on the rules in force (`directory`, else XIAOBAO_RULES_DIR, else the bundled rules),
    built once per process and rules directory (building compiles the lexicons)."""
    return _scanner(rules_dir(directory))


@lru_cache(maxsize=8)
def _scanner(directory: Path) -> Scanner:
    return Scanner(load_config(directory))
