"""Quality of the marketing engine on the labelled set eval/marketing/materials.jsonl (built by
eval/marketing/build.py): precision/recall/F1 per violation code, micro-F1, and APR error against the
true APR (IRR by numpy roots for instalment-fee quotes; simple annualisation for daily rates).

    .venv/bin/python bench/marketing_eval.py [--set eval/marketing/materials.jsonl] [--errors]

Goals (issue 4): micro-F1 >= 0.9; APR within 0.1 percentage point of the true IRR.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from xiaobao.engines.marketing import MarketingEngine
from xiaobao.engines.marketing.rulepack import CODES


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default=str(Path(__file__).resolve().parents[1] / "eval" / "marketing" / "materials.jsonl"))
    ap.add_argument("--errors", action="store_true", help="list every misjudged material")
    args = ap.parse_args()
    rows = [json.loads(x) for x in Path(args.set).read_text(encoding="utf-8").splitlines() if x.strip()]
    engine = MarketingEngine()
    tp, fp, fn = Counter(), Counter(), Counter()
    apr_err, apr_n, apr_missed = [], 0, 0
    exact = 0
    for row in rows:
        r = engine.analyze(row["text"], title=row.get("title", ""))
        got, want = r.codes(), set(row["labels"])
        exact += got == want
        for c in got & want:
            tp[c] += 1
        for c in got - want:
            fp[c] += 1
        for c in want - got:
            fn[c] += 1
        if args.errors and got != want:
            print(f"{row['material_id']}: +{sorted(got - want)} -{sorted(want - got)} | {row['text'][:80]}")
        if row.get("true_apr_max") is not None:
            apr_n += 1
            if r.apr_max is None:
                apr_missed += 1
            else:
                apr_err.append(max(abs(r.apr_max - row["true_apr_max"]), abs(r.apr_min - row["true_apr_min"])))
    print(f"materials: {len(rows)}; exactly right: {exact} ({exact / len(rows):.1%})")
    print(f"{'code':28s} {'support':>7s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for c in CODES:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else float("nan")
        rc = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else float("nan")
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        print(f"{c:28s} {tp[c] + fn[c]:7d} {p:6.3f} {rc:6.3f} {f1:6.3f}")
    T, F_P, F_N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    mp, mr = T / (T + F_P), T / (T + F_N)
    micro = 2 * mp * mr / (mp + mr)
    print(f"micro: P {mp:.3f} R {mr:.3f} F1 {micro:.3f}  (goal >= 0.9: {'met' if micro >= 0.9 else 'NOT met'})")
    if apr_err:
        within = sum(e <= 0.1 for e in apr_err)
        print(f"APR: {apr_n} materials with a true APR; read {len(apr_err)}, missed {apr_missed}; "
              f"max error {max(apr_err):.4f} pp, mean {sum(apr_err) / len(apr_err):.4f} pp; "
              f"within 0.1 pp: {within}/{len(apr_err)} (goal: all)")


if __name__ == "__main__":
    main()
