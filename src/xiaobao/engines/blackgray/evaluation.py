"""Scoring the black/gray engine against a labelled set (the rows of `eval/blackgray/labelled.jsonl`:
the import fields plus `split`, `label_flagged`, `label_kind`, `label_gang`, `label_hard_negative`,
`label_source`).

`run_scan` gives the real `scan()` (the code behind `xiaobao blackgray scan`) only the import fields —
the labels are stripped first. `evaluate` measures, for one self-contained corpus (a split, as a month
of complaints would be):
  * precision, recall, F1 of `flagged`; false-positive rate on all genuine complaints and on the hard
    negatives (genuine complaints that use an agency's words or patterns), per hard-negative type;
  * per labelled kind: recall, and how often the predicted `kind` is the labelled one;
  * gang clustering: adjusted Rand index (sklearn) of `gang_id` against `label_gang`. Singletons: a
    complaint without a gang (true or predicted) is a cluster of its own, so two unrelated genuine
    complaints are never "together". ARI(all) is over every complaint; ARI(gang members) only over
    complaints that truly belong to a gang (a missed member counts as a singleton);
  * a reliability table: complaints binned by score, with the share truly black/gray in each bin, and
    the Brier score.

`bench/blackgray_eval.py` prints these figures; `tests/unit/blackgray/test_blackgray_eval.py` holds the
frozen test split to its goals.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

IMPORT_FIELDS = ("external_id", "channel", "received_at", "customer_name", "customer_phone",
                 "customer_id_number", "text")
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def load(path: Path, split: str | None = None) -> list[dict]:
    """The labelled rows of a JSON-lines file, all or those of one split ("dev", "test")."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def import_records(rows: list[dict]) -> list[dict]:
    """The rows as the engine receives them: the import fields only, no label."""
    return [{k: r[k] for k in IMPORT_FIELDS} for r in rows]


def run_scan(rows: list[dict]) -> tuple[list[dict], float]:
    """`scan()` on the rows' import fields: the results as dicts, and the scan's wall-clock seconds."""
    from xiaobao.engines.blackgray.engine import scan  # looked up per call: a test may wrap engine.scan

    records = import_records(rows)
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
    """One line per misclassified complaint (FP or FN), with its score and signals."""
    by_id = {r["external_id"]: r for r in results}
    out = []
    for r in rows:
        x = by_id[r["external_id"]]
        if x["flagged"] != r["label_flagged"]:
            sig = ", ".join(f"{s['kind'].removeprefix('blackgray.')}={s['score']}" for s in x["signals"])
            out.append(f"{'FP' if x['flagged'] else 'FN'} {r['external_id']} {r['label_source']:<16} "
                       f"{r['label_hard_negative'] or '':<12} score={x['score']:.3f} [{sig}] {r['text'][:70]}")
    return out
