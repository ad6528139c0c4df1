"""How many of the demo's complaints the black/gray engine flags, by what the demo generated them as.

    .venv/bin/python bench/blackgray_demo.py [--n 2400] [--seed 20261121] [--end 2026-11-21T12:00]
                                             [--examples 5] [--json]

Generates the demo's complaint rows exactly as `xiaobao demo` does (`demo.complaints._generate`, same
seed and count, the six months to `--end`, default now: the demo is deterministic for a given seed
and end) and runs the real `scan()` on them — no database; triage at intake reaches the same
verdicts on the same rows (`tests/unit/test_blackgray_engine.py`). The demo knows what it made, so the flagged complaints are split into:
  agency     filed by a proxy "rights-defence" agency (the demo's three scripts): should be flagged;
  repeater   a genuine customer who filed more than once (follow-ups, some escalating): flagged only
             when the filings look like 缠访 (≥ 4 in 30 days, across channels or escalating);
  genuine    a customer's only complaint: every flag here is a false positive.
Prints counts and shares, the signals behind the flags, the template families found (size, agency
members) and, with --examples, the texts of a few flagged genuine complaints.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

# the measuring is product code (xiaobao.demo.evaluation); this script prints it
from xiaobao.demo.evaluation import generate_complaints, measure_blackgray  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2400)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--end", type=datetime.fromisoformat, default=None, help="end of the six months (ISO)")
    ap.add_argument("--examples", type=int, default=0, help="print this many flagged genuine/repeater texts")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    m = measure_blackgray(generate_complaints(a.n, a.seed, a.end))
    public = {k: v for k, v in m.items() if not k.startswith("_")}
    if a.json:
        print(json.dumps(public, ensure_ascii=False, indent=1))
        return 0
    print(f"demo: {m['complaints']} complaints {m['by_origin']}")
    print(f"flagged {m['flagged']}: " + ", ".join(
        f"{k} {m['flagged_by_origin'][k]}/{m['by_origin'].get(k, 0)} ({m['share_flagged_by_origin'][k]:.1%})"
        for k in ("agency", "repeater", "genuine")))
    for k, v in m["signals_by_origin"].items():
        print(f"  signals behind flagged {k}: {v}")
    print(f"  kinds: {m['kinds']}")
    fams = m["families"]
    print(f"template families (signal): {len(fams)}; flagged gangs: {m['gangs']}")
    for f in fams[:12]:
        print(f"  {f}")
    if a.examples:
        shown = 0
        for x in m["_results"]:
            o = m["_origins"][x.external_id]
            if x.verdict.flagged and o != "agency" and shown < a.examples:
                shown += 1
                sig = ", ".join(f"{f.kind.removeprefix('blackgray.')}={f.score}" for f in x.verdict.signals)
                print(f"\n[{o}] {x.external_id} score={x.verdict.score} fam={x.family_id} [{sig}]\n"
                      f"  {m['_rows'][x.external_id]['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
