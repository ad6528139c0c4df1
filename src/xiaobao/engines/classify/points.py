"""Complaint points (诉点): the concrete things complained about — a fee name, a collection
behaviour, an app function — as stable ids a report can count across complaints.

Points come from `rules/classify_points.yaml`: a point fires when one of its `any` phrases occurs and
(if it has `with` phrases) one of those occurs within `window` normalised characters — and not inside the
anchor itself (联系人 does not supply its own context 联系, nor 每天打 its own 打). Fee names the
file does not list are reported as `fee:<name>`, so a new charge shows up in the trend before anyone
writes a rule for it: a name is a fee word (`fee_heads`: 服务费, 手续费…) with the words that qualify it
just before (`fee_modifiers`: 分期, 客户, 信息, 咨询…), so 账单分期手续费 and 信息咨询服务费 are names
while 要求退还什么服务费 and 现在利息违约金 are not (consumers write fees inside requests; a list of
what may start a name is what keeps the trend free of one-off fragments). Cost: one Aho-Corasick pass
plus one regex pass.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from xiaobao.domain.finding import Citation, Finding, Span
from xiaobao.rules import RulesError, citation, read_yaml
from xiaobao.engines.classify.text import PhraseMatcher, original_span

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
    def __init__(self, rules: list[PointRule], *, window: int = 30, fee_heads: tuple[str, ...] = (),
                 fee_modifiers: frozenset[str] = frozenset(), fee_stop: frozenset[str] = frozenset(),
                 max_fee_name: int = 12, fee_not_after: dict[str, str] | None = None,
                 citation: Citation | None = None):
        ids = [r.id for r in rules]
        if len(ids) != len(set(ids)):
            raise RulesError("classify_points.yaml: 诉点 id 重复")
        self.rules = {r.id: r for r in rules}
        self.window = window
        self.citation = citation
        self._any = PhraseMatcher((p, r.id) for r in rules for p in r.any)
        self._with = PhraseMatcher((p, r.id) for r in rules for p in r.with_)
        heads = sorted({h for h in fee_heads if h}, key=len, reverse=True)  # 担保费 before 保费
        self._fee = re.compile("|".join(map(re.escape, heads))) if heads else None
        self._modifiers = fee_modifiers
        self._modifier_len = max(map(len, fee_modifiers), default=0)
        self._fee_stop = fee_stop
        self._max_fee_name = max_fee_name
        self._not_after = {h: frozenset(chars) for h, chars in (fee_not_after or {}).items()}

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
                bad = self._not_after.get(m.group())
                if bad and m.start() > 0 and normalized[m.start() - 1] in bad:
                    continue  # 2021年费用, 一年费用: a year, not an annual fee
                start = self._name_start(normalized, m.start(), m.end())
                name = normalized[start:m.end()]
                if name in self._fee_stop or name in seen:
                    continue
                seen.add(name)
                s, e = original_span(where, start, m.end())
                out.append(Point(f"fee:{name}", name, "pricing_fees", name, s, e))
        out.sort(key=lambda p: (p.start, p.id))
        return out

    def _name_start(self, text: str, head: int, end: int) -> int:
        """Where the fee name ending at `end` starts: back from its fee word over qualifying words, the
        longest first, while the name stays within `max_fee_name` characters."""
        i = head
        while i > 0:
            for k in range(min(self._modifier_len, i), 0, -1):
                if text[i - k:i] in self._modifiers and end - (i - k) <= self._max_fee_name:
                    i -= k
                    break
            else:
                return i
        return i

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
    data = read_yaml("classify_points.yaml", directory)
    rules = []
    for i, r in enumerate(data.get("points") or ()):
        try:
            rules.append(PointRule(str(r["id"]), r["name_zh"], r.get("category", "other"),
                                   tuple(str(p) for p in r["any"]), tuple(str(p) for p in r.get("with") or ()),
                                   str(r.get("name_en") or "")))
        except (KeyError, TypeError) as e:
            raise RulesError(f"classify_points.yaml: 第{i + 1}个诉点不完整：{e!r}") from e
    for old in ("fee_pattern", "fee_prefix_stop"):
        if old in data:
            raise RulesError(f"classify_points.yaml: {old} 已由 fee_heads（费用词）与 fee_modifiers（可作费用名前缀的词）取代")
    return PointExtractor(rules, window=int(data.get("window", 30)),
                          fee_heads=tuple(str(h) for h in data.get("fee_heads") or ()),
                          fee_modifiers=frozenset(str(m) for m in data.get("fee_modifiers") or ()),
                          fee_stop=frozenset(data.get("fee_stop") or ()), max_fee_name=int(data.get("max_fee_name", 12)),
                          fee_not_after={str(h): str(c) for h, c in (data.get("fee_not_after") or {}).items()},
                          citation=citation(data.get("citation")))
