"""Per-code precision/recall/F1 of the collection inspector on the labelled set, next to a keyword
spotter (flashtext over the same phrase lists, no negation/quotation/audience/callee context) run
in the same process — what a context-free keyword QA would score on the same calls.

    .venv/bin/python bench/collection_eval.py [eval/collection/calls.jsonl]

Call-level: a call is positive for a code when a person recorded that code on it.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from flashtext import KeywordProcessor

from xiaobao.engines.collection import CODES
from xiaobao.engines.collection.inspector import Inspector
from xiaobao.engines.collection.records import parse_call
from xiaobao.engines.collection.text import normalize

ROOT = Path(__file__).resolve().parents[1]


def keyword_peer(inspector: Inspector):
    kp = KeywordProcessor()
    for r in inspector.matcher.rules:
        for p in r.phrases:
            kp.add_keyword(p, r.code)
    return kp


def score(rows, predicted):
    out = {}
    for code in CODES:
        tp = sum(code in p and code in set(r["expected"]) for r, p in zip(rows, predicted))
        fp = sum(code in p and code not in set(r["expected"]) for r, p in zip(rows, predicted))
        fn = sum(code not in p and code in set(r["expected"]) for r, p in zip(rows, predicted))
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[code] = (tp + fn, tp, fp, fn, prec, rec, f1)
    return out


def table(title, s):
    print(f"\n{title}")
    print(f"{'code':32} {'pos':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for code, (pos, tp, fp, fn, p, r, f) in s.items():
        print(f"{code:32} {pos:4d} {tp:4d} {fp:4d} {fn:4d} {p:6.3f} {r:6.3f} {f:6.3f}")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "eval" / "collection" / "calls.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ins = Inspector.load()
    calls = [parse_call(r, ins.policy)[0] for r in rows]
    results = ins.inspect_batch(calls)
    predicted = [r.codes() for r in results]
    kp = keyword_peer(ins)
    peer = [{code for t in r["transcript"] if t["speaker"] == "collector"
             for code in kp.extract_keywords(normalize(t["text"])[0])} for r in rows]
    compliant = sum(not r["expected"] for r in rows)
    print(f"{len(rows)} calls, {compliant} compliant ({compliant / len(rows):.0%}), "
          f"{sum(len(r['transcript']) for r in rows) / len(rows):.1f} turns/call")
    for split in ("dev", "test"):
        idx = [i for i, r in enumerate(rows) if r["split"] == split]
        table(f"xiaobao inspector — {split} ({len(idx)} calls)",
              score([rows[i] for i in idx], [predicted[i] for i in idx]))
    table("xiaobao inspector — all", score(rows, predicted))
    table("peer: flashtext keyword spotting, same phrases, no context — all", score(rows, peer))
    if "-v" in sys.argv:
        errs = defaultdict(list)
        for r, p in zip(rows, predicted):
            for code in p ^ set(r["expected"]):
                errs[code].append(("FP" if code in p else "FN", r["split"], r["scenario"], r["call_id"]))
        for code, es in errs.items():
            print(code, es[:12])


if __name__ == "__main__":
    main()
