"""The collection inspector on the blind writers' calls (docs/collection-label-guide.md): dev beside the
frozen test, per code support / P / R / F1, micro-F1, and the share of compliant calls flagged. Calls the
inspector refuses to read count as inspected with no finding (so a refusal costs recall), and are counted.

    .venv/bin/python bench/collection_blind_eval.py            # figures only; test texts are never printed
    .venv/bin/python bench/collection_blind_eval.py --errors   # also the dev errors, call by call

Excessive frequency is judged across the file, as the guide defines it: each split is inspected as one batch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from xiaobao.engines.collection import CODES
from xiaobao.services.collection.calls import inspect_rows

ROOT = Path(__file__).resolve().parents[1]


def load(split: str) -> list[dict]:
    return [json.loads(line) for f in sorted((ROOT / "eval" / "collection" / split).glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(rows: list[dict]) -> tuple[list[set[str]], int]:
    inspections, errors = inspect_rows(enumerate(({k: v for k, v in r.items() if k not in ("labels", "note")}
                                                  for r in rows), start=1))
    by_id = {i.call.call_id: {f.kind.removeprefix("collection.") for f in i.findings} for i in inspections}
    return [by_id.get(r["call_id"], set()) for r in rows], len(rows) - len(by_id)


def report(split: str, rows: list[dict], predicted: list[set[str]], refused: int) -> dict:
    print(f"\n== {split}: {len(rows)} calls, {refused} refused by the reader")
    print(f"{'code':34} {'n':>4} {'P':>6} {'R':>6} {'F1':>6}")
    tp_all = fp_all = fn_all = 0
    for code in CODES:
        tp = sum(code in p and code in r["labels"] for r, p in zip(rows, predicted))
        fp = sum(code in p and code not in r["labels"] for r, p in zip(rows, predicted))
        fn = sum(code not in p and code in r["labels"] for r, p in zip(rows, predicted))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"{code:34} {tp + fn:4d} {prec:6.2f} {rec:6.2f} {f1:6.2f}")
    prec = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    rec = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    micro = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    compliant = [p for r, p in zip(rows, predicted) if not r["labels"]]
    flagged = sum(1 for p in compliant if p) / len(compliant) if compliant else 0.0
    print(f"micro P {prec:.3f} R {rec:.3f} F1 {micro:.3f}; compliant calls flagged {flagged:.1%} of {len(compliant)}")
    return {"micro_f1": micro, "compliant_flagged": flagged}


def main() -> None:
    for split in ("dev", "test"):
        rows = load(split)
        predicted, refused = predict(rows)
        report(split, rows, predicted, refused)
        if split == "dev" and "--errors" in sys.argv:
            for r, p in zip(rows, predicted):
                if set(r["labels"]) != p:
                    print(json.dumps({"call_id": r["call_id"], "expected": r["labels"], "got": sorted(p),
                                      "note": r.get("note")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
