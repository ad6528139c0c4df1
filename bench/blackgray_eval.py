"""Black/gray engine against the labelled evaluation set (`eval/blackgray/labelled.jsonl`).

    .venv/bin/python bench/blackgray_eval.py [--split test|dev|both] [--errors] [--json]

Runs the real `scan()` (the code behind `xiaobao blackgray scan`) on each split on its own — a split is
a self-contained corpus, as a month of complaints would be — with only the import fields (labels are
stripped first). Prints, per split:
  * precision, recall, F1 of `flagged`; false-positive rate on all genuine complaints and on the hard
    negatives (genuine complaints that use an agency's words or patterns), per hard-negative type;
  * per labelled kind: recall, and how often the predicted `kind` is the labelled one;
  * gang clustering: adjusted Rand index (sklearn) of `gang_id` against `label_gang`. Singletons: a
    complaint without a gang (true or predicted) is a cluster of its own, so two unrelated genuine
    complaints are never "together". ARI(all) is over every complaint of the split; ARI(gang
    members) only over complaints that truly belong to a gang (a missed member counts as a singleton);
  * a reliability table: complaints binned by score, with the share truly black/gray in each bin.

The dev split is the one the engine's thresholds were tuned on; the test split (other agencies,
other templates, other incidents) is frozen and is what the docs report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# the scoring is product code (xiaobao.engines.blackgray.evaluation); this script reads the set and prints
from xiaobao.engines.blackgray.evaluation import errors, evaluate, load, run_scan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "blackgray" / "labelled.jsonl"


def report(name: str, m: dict, seconds: float) -> None:
    print(f"\n== {name}: {m['n']} complaints ({m['positives']} black/gray, {m['hard_negatives']} hard negatives), "
          f"scan {seconds:.2f} s ==")
    print(f"flagged   precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}   "
          f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']})   goal F1 ≥ 0.95: {'met' if m['f1'] >= 0.95 else 'NOT met'}")
    print(f"FPR       all genuine {m['fpr_genuine']:.3%}   hard negatives {m['fpr_hard']:.3%}   "
          f"goal ≤ 3%: {'met' if m['fpr_hard'] <= 0.03 else 'NOT met'}")
    print("          by type: " + ", ".join(f"{k} {v['flagged']}/{v['n']}" for k, v in m["fpr_hard_by_type"].items()))
    for kind, k in m["kinds"].items():
        if kind == "genuine":
            print(f"kind      {kind:<15} n={k['n']:<4} flagged {k['flagged']}")
        else:
            print(f"kind      {kind:<15} n={k['n']:<4} recall {k['recall']:.3f}  kind correct {k['kind_correct']:.3f}  "
                  f"{k['predicted']}")
    print(f"gangs     ARI(all, singletons apart) {m['ari_all']:.3f}   ARI(gang members) {m['ari_gang_members']:.3f}   "
          f"gangs true {m['gangs_true']}, predicted {m['gangs_pred']}")
    print(f"score     Brier {m['brier']:.4f}; reliability (bin: n, share truly black/gray, mean score)")
    for b in m["reliability"]:
        print(f"          {b['bin']}: {b['n']:>4}  {b['share_bad']:.2f}  {b['mean_score']:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("test", "dev", "both"), default="both")
    ap.add_argument("--errors", action="store_true", help="list every misclassified complaint")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    out = {}
    for split in splits:
        rows = load(DATA, split=split)
        results, seconds = run_scan(rows)
        m = evaluate(rows, results)
        out[split] = m
        if not args.json:
            report(f"{split} split" + (" (frozen, reported)" if split == "test" else " (tuned on)"), m, seconds)
            if args.errors:
                print("\n".join(errors(rows, results)) or "no errors")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
