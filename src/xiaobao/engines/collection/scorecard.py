"""Scorecards: violation rates per collector or per outsourced agency, by code and over time.

GB/T 45251—2025 asks the lender to evaluate each outsourced agency at least yearly and before
renewal; these figures are that evaluation's compliance part. A call counts as violating once, however
many findings it has; a code's rate is the share of calls with at least one finding of that code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from xiaobao.engines.collection import CODES


def period_of(day: date, period: str) -> str:
    if period == "week":
        y, w, _ = day.isocalendar()
        return f"{y}-W{w:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def build(calls: Iterable[tuple[str, str, date, str]], findings: Iterable[tuple[str, str]], *, by: str = "agency",
          period: str = "month") -> list[dict[str, Any]]:
    """calls: (agency, collector_id, local_date, call_id); findings: (call_id, code) still counted."""
    if by not in ("agency", "collector"):
        raise ValueError(f"by must be agency or collector, got {by!r}")
    codes_of: dict[str, set[str]] = defaultdict(set)
    for call_id, code in findings:
        codes_of[call_id].add(code)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for agency, collector, day, call_id in calls:
        key = (agency,) if by == "agency" else (agency, collector)
        g = groups.setdefault(key, {"calls": 0, "violating": 0, "codes": defaultdict(int),
                                    "trend": defaultdict(lambda: [0, 0])})
        codes = codes_of.get(call_id, ())
        g["calls"] += 1
        t = g["trend"][period_of(day, period)]
        t[0] += 1
        if codes:
            g["violating"] += 1
            t[1] += 1
            for code in codes:
                g["codes"][code] += 1
    out = []
    for key, g in sorted(groups.items()):
        n = g["calls"]
        out.append({
            "agency": key[0], **({"collector_id": key[1]} if by == "collector" else {}),
            "calls": n, "violating_calls": g["violating"], "violation_rate": round(g["violating"] / n, 4),
            "by_code": {c: {"calls": g["codes"][c], "rate": round(g["codes"][c] / n, 4)} for c in CODES if g["codes"][c]},
            "trend": [{"period": p, "calls": a, "violating_calls": v, "violation_rate": round(v / a, 4)}
                      for p, (a, v) in sorted(g["trend"].items())],
        })
    out.sort(key=lambda r: (-r["violation_rate"], r["agency"], r.get("collector_id", "")))
    return out
