"""How the engines see the demo's data: the demo knows what it generated, so their verdicts can be
counted against it — here the black/gray engine's on the demo's complaints.

`measure_blackgray` runs the real `scan()` (no database; triage at intake reaches the same verdicts on
the same rows) and splits the flagged complaints by origin:
  agency     filed by a proxy "rights-defence" agency (the demo's three scripts): should be flagged;
  repeater   a genuine customer who filed more than once (follow-ups, some escalating): flagged only
             when the filings look like 缠访 (≥ 4 in 30 days, across channels or escalating);
  genuine    a customer's only complaint: every flag here is a false positive.
`bench/blackgray_demo.py` prints the figures; `tests/unit/blackgray/test_blackgray_demo.py` holds them.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from xiaobao.demo.complaints import _generate
from xiaobao.engines.blackgray.engine import scan


def generate_complaints(n: int, seed: int, end: datetime | None = None):
    """The complaint records `xiaobao demo` generates for `n` and `seed`, over the six months to `end`
    (default now; the demo is deterministic for a given seed and end)."""
    end = (end or datetime.now()).replace(microsecond=0)
    return _generate(n, random.Random(seed), end - timedelta(days=182), end)


def measure_blackgray(records) -> dict:
    """`scan()` on the records' rows, its flags counted by what the demo made each complaint as."""
    rows = [r.raw for r in records]
    filings = Counter(r["customer_id_number"] for r in rows)

    def origin(rec) -> str:
        if rec.plan.agency:
            return "agency"
        return "repeater" if filings[rec.raw["customer_id_number"]] > 1 else "genuine"

    origins = {r.raw["external_id"]: origin(r) for r in records}
    results = scan(rows)
    total = Counter(origins.values())
    flagged = Counter(origins[x.external_id] for x in results if x.verdict.flagged)
    signals: dict[str, Counter] = {}
    for x in results:
        if x.verdict.flagged:
            c = signals.setdefault(origins[x.external_id], Counter())
            for f in x.verdict.signals:
                if not f.kind.startswith("blackgray.lexicon"):
                    c[f.kind.removeprefix("blackgray.")] += 1
    families: dict[str, Counter] = {}
    for x in results:
        if x.family_id:
            families.setdefault(x.family_id, Counter())[origins[x.external_id]] += 1
    kinds = Counter((origins[x.external_id], x.verdict.kind) for x in results if x.verdict.flagged)
    return {
        "complaints": len(rows), "by_origin": dict(total), "flagged": sum(flagged.values()),
        "flagged_by_origin": {k: flagged.get(k, 0) for k in ("agency", "repeater", "genuine")},
        "share_flagged_by_origin": {k: round(flagged.get(k, 0) / total[k], 4) if total[k] else 0.0
                                    for k in ("agency", "repeater", "genuine")},
        "signals_by_origin": {k: dict(v.most_common()) for k, v in signals.items()},
        "kinds": {f"{o}/{k}": n for (o, k), n in sorted(kinds.items())},
        "families": [{"id": f, **dict(c)} for f, c in sorted(families.items(), key=lambda kv: -sum(kv[1].values()))],
        "gangs": len({x.gang_id for x in results if x.gang_id and x.verdict.flagged}),
        "_results": results, "_origins": origins, "_rows": {r["external_id"]: r for r in rows},
    }
