"""Repeat harassment (缠访): the same customer filing again and again, across channels, within a
window, with demands that grow (赔偿 → 曝光 → 起诉/监管/媒体).

A complaint is a repeat when some window of `window_days` that contains it holds at least
`min_count` complaints of the same customer, counted across channels (hotline, app, 12378 transfer
…). The score grows with the count beyond `min_count`, with the number of channels and with
escalation; repeating alone is weak evidence (a customer whose problem is not solved files again,
and 投诉办法 Art.18 ¶3 asks us to merge such repeats, not to reject them), so the score for exactly
`min_count` plain repeats stays below the usual 0.5 flag threshold after weighting.

Cost: `add` O(1) amortised; `finding_for` O(m log m) in the customer's complaint count m.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

import ahocorasick

from xiaobao.domain.finding import Citation, Finding
from xiaobao.engines.blackgray.normalize import nfkc

RULE_ID = "blackgray.repeat_harass"
CITATION = Citation(
    "投诉办法", "第十八条第三款",
    note="处理期内就同一事项重复投诉的合并处理，仅有新事实、新理由的重新计算时限；5号令 第四十二条；"
         "消保法实施条例 第二十七条第二款：投诉不得用于谋取不正当利益",
)
DEMAND_WORDS = (
    "赔偿", "补偿", "精神损失", "退还全部", "全额退还", "全部退还", "减免", "免除", "双倍", "三倍",
    "曝光", "媒体", "记者", "抖音", "微博", "起诉", "诉讼", "法院", "律师", "报警", "公安",
    "监管", "银保监", "金融监管", "人民银行", "12378", "信访",
)


@dataclass(frozen=True, slots=True)
class _Entry:
    doc_id: str
    received_at: datetime
    channel: str
    demands: frozenset[str]


_DEMANDS = ahocorasick.Automaton()
for _w in DEMAND_WORDS:
    _DEMANDS.add_word(_w, _w)
_DEMANDS.make_automaton()


_NO_DEMANDS: frozenset[str] = frozenset()


def demands_in(text: str) -> frozenset[str]:
    """The demand words in the text (NFKC, whitespace removed), found in one Aho-Corasick pass.
    Most texts have none: they share one empty set (an empty frozenset is 216 bytes, kept for every
    indexed complaint)."""
    t = "".join(nfkc(text or "").split())
    return frozenset(w for _, w in _DEMANDS.iter(t)) or _NO_DEMANDS


class RepeatDetector:
    def __init__(self, window_days: int = 30, min_count: int = 4, base: float = 0.55, per_extra: float = 0.08,
                 multi_channel: float = 0.03, escalation: float = 0.15):
        if window_days < 1 or min_count < 2:
            raise ValueError("window_days must be ≥ 1 and min_count ≥ 2")
        self.window = timedelta(days=window_days)
        self.min_count = min_count
        self.base, self.per_extra, self.multi_channel, self.escalation = base, per_extra, multi_channel, escalation
        self._by_customer: dict[str, list[_Entry]] = {}
        self._sorted: set[str] = set()
        self._doc: dict[str, tuple[str, _Entry]] = {}

    def add(self, doc_id: str, customer: str, received_at: datetime, channel: str, text: str = "") -> None:
        if not customer:
            return  # an anonymous complaint cannot be a repeat of anyone
        if doc_id in self._doc:
            old_customer, old = self._doc[doc_id]
            self._by_customer[old_customer].remove(old)
        entry = _Entry(doc_id, received_at, channel or "", demands_in(text))
        self._by_customer.setdefault(customer, []).append(entry)
        self._sorted.discard(customer)
        self._doc[doc_id] = (customer, entry)

    def _entries(self, customer: str) -> list[_Entry]:
        entries = self._by_customer[customer]
        if customer not in self._sorted:
            entries.sort(key=lambda e: (e.received_at, e.doc_id))
            self._sorted.add(customer)
        return entries

    def window_of(self, doc_id: str) -> list[str]:
        """The complaint ids of the fullest window of `window_days` containing this complaint."""
        if doc_id not in self._doc:
            return []
        customer, entry = self._doc[doc_id]
        entries = self._entries(customer)
        times = [e.received_at for e in entries]
        t = entry.received_at
        best: tuple[int, int] = (0, 0)
        # Windows [times[i], times[i] + window] that contain t start no earlier than t - window.
        for i in range(bisect_left(times, t - self.window), bisect_right(times, t)):
            j = bisect_right(times, times[i] + self.window)
            if j - i > best[1] - best[0]:
                best = (i, j)
        return [e.doc_id for e in entries[best[0]:best[1]]]

    def _assess(self, doc_id: str):
        """(window ids, their entries, demand counts, escalating, channels, score), or None."""
        found = self._doc.get(doc_id)
        if found is None or len(self._by_customer[found[0]]) < self.min_count:
            return None      # the window holds at most the customer's complaints
        ids = self.window_of(doc_id)
        if len(ids) < self.min_count:
            return None
        entries = [self._doc[d][1] for d in ids]
        counts = [len(e.demands) for e in entries]
        ups = sum(b > a for a, b in itertools.pairwise(counts))
        downs = sum(b < a for a, b in itertools.pairwise(counts))
        escalating = counts[-1] > counts[0] and ups > downs
        channels = sorted({e.channel for e in entries if e.channel})
        score = (self.base + self.per_extra * (len(ids) - self.min_count)
                 + self.multi_channel * (len(channels) > 1) + self.escalation * escalating)
        return ids, entries, counts, escalating, channels, round(min(score, 0.95), 4)

    def score_for(self, doc_id: str) -> float | None:
        """The score of `finding_for(doc_id)` (None when there is none), without building it."""
        got = self._assess(doc_id)
        return None if got is None else got[-1]

    def finding_for(self, doc_id: str) -> Finding | None:
        got = self._assess(doc_id)
        if got is None:
            return None
        ids, entries, counts, escalating, channels, score = got
        first_demands = entries[0].demands
        new_demands = sorted({w for e in entries[1:] for w in e.demands} - first_demands)
        return Finding(
            rule_id=RULE_ID, kind=RULE_ID, score=score, citation=CITATION,
            evidence={
                "count": len(ids),
                "window_days": self.window.days,
                "channels": channels,
                "first": entries[0].received_at.date().isoformat(),
                "last": entries[-1].received_at.date().isoformat(),
                "complaints": ids,
                "demand_counts": counts,
                "escalating": escalating,
                "new_demands": new_demands,
            },
            message=f"同一客户 {self.window.days} 天内投诉 {len(ids)} 次（{len(channels)} 个渠道）"
                    + ("，诉求逐步升级" if escalating else ""),
        )
