"""Complaint points (诉点): the concrete things complained about — a fee name, a collection
behaviour, an app function — as stable ids a report can count across complaints.

Points come from `rules/classify_points.yaml`: a point fires when one of its `any` phrases occurs and
(if it has `with` phrases) one of those occurs within `window` normalised characters — and not inside the
anchor itself (联系人 does not supply its own context 联系, nor 每天打 its own 打). Fee names the
file does not list are caught by `fee_pattern` and reported as `fee:<name>`, so a new charge shows up
in the trend before anyone writes a rule for it. Cost: one Aho-Corasick pass plus one regex pass.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from ...domain.finding import Citation, Finding, Span
from ...rules import RulesError
from .taxonomy import citation, read_yaml
from .text import PhraseMatcher, original_span

KIND = "classify.point"


@dataclass(frozen=True, slots=True)
class PointRule:
    id: str
    name_zh: str
    category: str
    any: tuple[str, ...]
    with_: tuple[str, ...] = ()
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Point:
    id: str
    name_zh: str
    category: str
    phrase: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"id": self.id, "name_zh": self.name_zh, "category": self.category, "phrase": self.phrase,
                "span": [self.start, self.end]}


class PointExtractor:
    def __init__(self, rules: list[PointRule], *, window: int = 30, fee_pattern: str | None = None,
                 fee_stop: frozenset[str] = frozenset(), fee_prefix_stop: str = "",
                 citation: Citation | None = None):
        ids = [r.id for r in rules]
        if len(ids) != len(set(ids)):
            raise RulesError("classify_points.yaml: 诉点 id 重复")
        self.rules = {r.id: r for r in rules}
        self.window = window
        self.citation = citation
        self._any = PhraseMatcher((p, r.id) for r in rules for p in r.any)
        self._with = PhraseMatcher((p, r.id) for r in rules for p in r.with_)
        try:
            self._fee = re.compile(fee_pattern) if fee_pattern else None
        except re.error as e:
            raise RulesError(f"classify_points.yaml: fee_pattern 不是有效的正则表达式：{e}") from e
        self._fee_stop = fee_stop
        self._fee_cut = re.compile(f"^.*[{re.escape(fee_prefix_stop)}]") if fee_prefix_stop else None

    def extract(self, normalized: str, where: list[int]) -> list[Point]:
        anchors: dict[str, list[tuple[int, int, str]]] = {}
        for s, e, phrase, ids in self._any.iter(normalized):
            for pid in ids:
                anchors.setdefault(pid, []).append((s, e, phrase))
        context: dict[str, list[tuple[int, int]]] = {}
        for s, e, _p, ids in self._with.iter(normalized):
            for pid in ids:
                context.setdefault(pid, []).append((s, e))
        out: list[Point] = []
        for pid, hits in anchors.items():
            rule = self.rules[pid]
            hit = hits[0] if not rule.with_ else self._near(hits, sorted(context.get(pid, ())))
            if hit is not None:
                s, e = original_span(where, hit[0], hit[1])
                out.append(Point(pid, rule.name_zh, rule.category, hit[2], s, e))
        if self._fee is not None:
            seen = set()
            for m in self._fee.finditer(normalized):
                name = m.group(1)
                if self._fee_cut is not None:
                    name = self._fee_cut.sub("", name)
                if name in self._fee_stop or name in seen:
                    continue
                seen.add(name)
                s, e = original_span(where, m.end(1) - len(name), m.end(1))
                out.append(Point(f"fee:{name}", name, "pricing_fees", name, s, e))
        out.sort(key=lambda p: (p.start, p.id))
        return out

    def _near(self, hits, context: list[tuple[int, int]]):
        """The first anchor with a context phrase starting within `window` characters of it that is not
        part of the anchor's own match."""
        for s, e, phrase in hits:
            i = bisect_left(context, (s - self.window, -1))
            while i < len(context) and context[i][0] <= e + self.window:
                cs, ce = context[i]
                if not (s <= cs and ce <= e):
                    return s, e, phrase
                i += 1
        return None

    def findings(self, points: list[Point]) -> list[Finding]:
        return [Finding(f"{KIND}.{p.id}", KIND, 1.0, self.citation, Span(p.start, p.end),
                        {"point": p.id, "phrase": p.phrase, "category": p.category}, p.name_zh) for p in points]


def name_en(extractor: PointExtractor, point_id: str, name_zh: str) -> str:
    """A point's English name: the rule's, else (a fee name found in the text, or a point no rule
    names any more) the Chinese name as it was stored."""
    rule = extractor.rules.get(point_id)
    if rule is not None and rule.name_en:
        return rule.name_en
    return f"Fee: {name_zh}" if point_id.startswith("fee:") else name_zh


def load_points(directory: str | Path | None = None) -> PointExtractor:
    data = read_yaml(directory, "classify_points.yaml")
    rules = []
    for i, r in enumerate(data.get("points") or ()):
        try:
            rules.append(PointRule(str(r["id"]), r["name_zh"], r.get("category", "other"),
                                   tuple(str(p) for p in r["any"]), tuple(str(p) for p in r.get("with") or ()),
                                   str(r.get("name_en") or "")))
        except (KeyError, TypeError) as e:
            raise RulesError(f"classify_points.yaml: 第{i + 1}个诉点不完整：{e!r}") from e
    return PointExtractor(rules, window=int(data.get("window", 30)), fee_pattern=data.get("fee_pattern"),
                          fee_stop=frozenset(data.get("fee_stop") or ()),
                          fee_prefix_stop=str(data.get("fee_prefix_stop") or ""), citation=citation(data.get("citation")))
