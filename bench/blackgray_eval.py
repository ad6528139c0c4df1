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
import itertools
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "blackgray" / "labelled.jsonl"
IMPORT_FIELDS = ("external_id", "channel", "received_at", "customer_name", "customer_phone",
                 "customer_id_number", "text")
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def load(path: Path = DATA, split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def run_scan(rows: list[dict]) -> tuple[list[dict], float]:
    from xiaobao.engines.blackgray.engine import scan

    records = [{k: r[k] for k in IMPORT_FIELDS} for r in rows]
    t0 = time.perf_counter()
    results = [res.to_dict() for res in scan(records)]
    return results, time.perf_counter() - t0


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ari(truth: list[str | None], pred: list[str | None]) -> float:
    from sklearn.metrics import adjusted_rand_score

    # None → a cluster of one: label it by position so no two singletons share a label
    t = [x if x is not None else f"~single-{i}" for i, x in enumerate(truth)]
    p = [x if x is not None else f"~single-{i}" for i, x in enumerate(pred)]
    return float(adjusted_rand_score(t, p))


def evaluate(rows: list[dict], results: list[dict]) -> dict:
    by_id = {r["external_id"]: r for r in results}
    res = [by_id[r["external_id"]] for r in rows]
    tp = sum(r["label_flagged"] and x["flagged"] for r, x in zip(rows, res))
    fp = sum(not r["label_flagged"] and x["flagged"] for r, x in zip(rows, res))
    fn = sum(r["label_flagged"] and not x["flagged"] for r, x in zip(rows, res))
    p, rec, f1 = _prf(tp, fp, fn)
    genuine = [(r, x) for r, x in zip(rows, res) if not r["label_flagged"]]
    hard = [(r, x) for r, x in genuine if r["label_hard_negative"]]
    hard_types: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, x in hard:
        hard_types[r["label_hard_negative"]][0] += x["flagged"]
        hard_types[r["label_hard_negative"]][1] += 1
    kinds: dict[str, dict] = {}
    for kind in sorted({r["label_kind"] for r in rows}):
        part = [(r, x) for r, x in zip(rows, res) if r["label_kind"] == kind]
        if kind == "genuine":
            kinds[kind] = {"n": len(part), "flagged": sum(x["flagged"] for _, x in part)}
            continue
        caught = [(r, x) for r, x in part if x["flagged"]]
        kinds[kind] = {"n": len(part), "recall": len(caught) / len(part),
                       "kind_correct": (sum(x["kind"] == kind for _, x in caught) / len(caught)) if caught else 0.0,
                       "predicted": dict(Counter(x["kind"] for _, x in caught))}
    truth = [r["label_gang"] for r in rows]
    pred = [x["gang_id"] for x in res]
    members = [i for i, g in enumerate(truth) if g]
    reliability = []
    for lo, hi in itertools.pairwise(BINS):
        b = [r for r, x in zip(rows, res) if lo <= x["score"] < hi]
        if b:
            reliability.append({"bin": f"{lo:.1f}–{min(hi, 1.0):.1f}", "n": len(b),
                                "share_bad": sum(r["label_flagged"] for r in b) / len(b),
                                "mean_score": sum(by_id[r["external_id"]]["score"] for r in b) / len(b)})
    brier = sum((x["score"] - r["label_flagged"]) ** 2 for r, x in zip(rows, res)) / len(rows)
    return {
        "n": len(rows), "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn,
        "precision": p, "recall": rec, "f1": f1,
        "fpr_genuine": sum(x["flagged"] for _, x in genuine) / len(genuine) if genuine else 0.0,
        "hard_negatives": len(hard),
        "fpr_hard": sum(x["flagged"] for _, x in hard) / len(hard) if hard else 0.0,
        "fpr_hard_by_type": {k: {"flagged": v[0], "n": v[1]} for k, v in sorted(hard_types.items())},
        "kinds": kinds,
        "ari_all": ari(truth, pred),
        "ari_gang_members": ari([truth[i] for i in members], [pred[i] for i in members]),
        "gangs_true": len({g for g in truth if g}),
        "gangs_pred": len({g for g in pred if g}),
        "reliability": reliability, "brier": brier,
    }


def errors(rows: list[dict], results: list[dict]) -> list[str]:
    by_id = {r["external_id"]: r for r in results}
    out = []
    for r in rows:
        x = by_id[r["external_id"]]
        if x["flagged"] != r["label_flagged"]:
            sig = ", ".join(f"{s['kind'].removeprefix('blackgray.')}={s['score']}" for s in x["signals"])
            out.append(f"{'FP' if x['flagged'] else 'FN'} {r['external_id']} {r['label_source']:<16} "
                       f"{r['label_hard_negative'] or '':<12} score={x['score']:.3f} [{sig}] {r['text'][:70]}")
    return out


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
        rows = load(split=split)
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
