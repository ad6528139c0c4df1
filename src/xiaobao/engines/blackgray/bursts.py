"""Bursts: a template family whose arrival rate jumps — an agency launching a campaign.

For a family and a day `today`, compare the mean daily count over the last `recent_days` (today
included) with the mean daily count over the `baseline_days` before them. The family bursts when the
recent window holds at least `min_recent` complaints and its daily rate is at least `factor` times
the baseline rate. The baseline window is assumed to hold at least `baseline_floor` complaints, so
a family with (almost) no history has a small but non-zero rate and a brand-new family bursts once
`min_recent` complaints arrive together. A burst is supporting evidence: weighted low by the combiner, it
never flags a complaint alone.

Cost: `add` O(1); `finding_for_family` O(recent_days + baseline_days).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from xiaobao.domain.finding import Citation, Finding

RULE_ID = "blackgray.burst"
CITATION = Citation(
    "消保法实施条例", "第二十七条第二款",
    note="投诉、举报不得用于谋取不正当利益；同一模板投诉集中到达提示有组织的代理维权（投诉办法 第十八条第四款）",
)


def _day(v: date | datetime) -> date:
    return v.date() if isinstance(v, datetime) else v


class BurstDetector:
    def __init__(self, recent_days: int = 3, baseline_days: int = 28, factor: float = 3.0, min_recent: int = 5,
                 baseline_floor: float = 1.0):
        if recent_days < 1 or baseline_days < 1 or factor <= 1 or min_recent < 1 or baseline_floor <= 0:
            raise ValueError("recent_days, baseline_days, min_recent ≥ 1; factor > 1; baseline_floor > 0")
        self.recent_days, self.baseline_days = recent_days, baseline_days
        self.factor, self.min_recent, self.baseline_floor = factor, min_recent, baseline_floor
        # family → arrivals per day; a family of one arrival holds its day alone (a Counter for each
        # complaint not — yet — in a family would cost ≈ 250 bytes a complaint as long as indexed)
        self._daily: dict[str, Counter[date] | date] = {}
        self._found: dict[tuple[str, date], Finding | None] = {}   # until the next add or merge

    def add(self, family_id: str, received_at: date | datetime) -> None:
        if family_id:
            day, daily = _day(received_at), self._daily.get(family_id)
            if daily is None:
                self._daily[family_id] = day
            else:
                self._counts(family_id)[day] += 1
            self._found.clear()

    def _counts(self, family_id: str) -> Counter[date]:
        """The family's Counter, made from its lone day when it has one arrival."""
        daily = self._daily[family_id]
        if not isinstance(daily, Counter):
            daily = self._daily[family_id] = Counter({daily: 1})
        return daily

    def merge(self, absorbed: str, kept: str) -> None:
        """Family `absorbed` has become part of family `kept`: its arrivals count for `kept`."""
        self._found.clear()
        daily = self._daily.pop(absorbed, None)
        if daily and absorbed != kept:
            if kept not in self._daily:
                self._daily[kept] = Counter()
            self._counts(kept).update(daily if isinstance(daily, Counter) else {daily: 1})
        elif daily:
            self._daily[kept] = daily

    def families(self) -> Iterator[str]:
        return iter(self._daily)

    def finding_for_family(self, family_id: str, today: date | datetime) -> Finding | None:
        """The family's burst finding on `today` (computed once per family and day until the next
        arrival: every member of a family asks for the same one)."""
        daily = self._daily.get(family_id)
        if not daily:
            return None
        if not isinstance(daily, Counter):
            daily = Counter({daily: 1})
        today = _day(today)
        key = (family_id, today)
        if key in self._found:
            return self._found[key]
        found = self._found[key] = self._finding(family_id, daily, today)
        return found

    def _finding(self, family_id: str, daily: Counter[date], today: date) -> Finding | None:
        recent = [daily.get(today - timedelta(days=k), 0) for k in range(self.recent_days - 1, -1, -1)]
        start = today - timedelta(days=self.recent_days)
        baseline = sum(daily.get(start - timedelta(days=k), 0) for k in range(self.baseline_days))
        recent_rate = sum(recent) / self.recent_days
        baseline_rate = baseline / self.baseline_days
        ratio = recent_rate / (max(baseline, self.baseline_floor) / self.baseline_days)
        if sum(recent) < self.min_recent or ratio < self.factor:
            return None
        score = round(min(0.9, 0.5 + 0.1 * math.log2(ratio / self.factor) + 0.02 * (sum(recent) - self.min_recent)), 4)
        return Finding(
            rule_id=RULE_ID, kind=RULE_ID, score=score, citation=CITATION,
            evidence={
                "family_id": family_id,
                "today": today.isoformat(),
                "recent_days": self.recent_days,
                "recent_daily": recent,
                "recent_count": sum(recent),
                "baseline_days": self.baseline_days,
                "baseline_count": baseline,
                "baseline_daily_rate": round(baseline_rate, 4),
                "ratio": round(ratio, 2),
            },
            message=f"模板族 {family_id} 近 {self.recent_days} 天到达 {sum(recent)} 件，为基线日均的 {ratio:.1f} 倍",
        )

    def bursting(self, today: date | datetime) -> list[Finding]:
        return [f for fid in self._daily if (f := self.finding_for_family(fid, today))]
