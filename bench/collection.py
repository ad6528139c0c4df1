"""Collection QA throughput: calls per second of 20-turn calls on one core, next to keyword peers
run in the same process on the same calls.

    .venv/bin/python bench/collection.py [--calls 5000]

* xiaobao: the full inspector — parsing excluded, every call-level, utterance (negation, quotation,
  audience, callee context, amounts) and cross-call rule included;
* peer flashtext: `KeywordProcessor.extract_keywords` over every turn with the same phrase lists —
  keyword spotting only, no context, no call or cross-call rules;
* peer re: one compiled alternation of the same phrases, `findall` over every turn.
Median of 3 runs each.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
import unicodedata
from pathlib import Path

from flashtext import KeywordProcessor

from xiaobao.engines.collection.inspector import Inspector
from xiaobao.engines.collection.records import parse_call

ROOT = Path(__file__).resolve().parents[1]


def twenty_turn_calls(n: int) -> list[dict]:
    rows = [json.loads(x) for x in (ROOT / "eval/collection/calls.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["transcript"]]
    out = []
    for i in range(n):
        r = dict(rows[i % len(rows)])
        t = r["transcript"]
        r["transcript"] = [t[k % len(t)] for k in range(20)]
        r["call_id"] = f"B{i:07d}"
        r["debtor_id"] = f"{r['debtor_id']}-{i // len(rows)}"
        out.append(r)
    return out


def timed(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=5000)
    n = ap.parse_args().calls
    ins = Inspector.load()
    raw = twenty_turn_calls(n)
    calls = [parse_call(r, ins.policy)[0] for r in raw]
    phrases = sorted({p for r in ins.matcher.rules for p in r.phrases}, key=len, reverse=True)
    kp = KeywordProcessor()
    for p in phrases:
        kp.add_keyword(p)
    alternation = re.compile("|".join(map(re.escape, phrases)))
    texts = [[t.text for t in c.transcript] for c in calls]

    def ours():
        ins.inspect_batch(calls)

    def flash():
        for turns in texts:
            for t in turns:
                kp.extract_keywords(unicodedata.normalize("NFKC", t).lower())

    def regex():
        for turns in texts:
            for t in turns:
                alternation.findall(unicodedata.normalize("NFKC", t).lower())

    chars = sum(len(t) for ts in texts for t in ts)
    print(f"{n} calls × 20 turns, {chars / n / 20:.1f} chars/turn, one process, one core; median of 3")
    base = None
    for name, fn in (("xiaobao inspector (all rules)", ours), ("peer: flashtext 2.7 keywords only", flash),
                     ("peer: re alternation keywords only", regex)):
        s = timed(fn)
        rate = n / s
        base = base or rate
        print(f"  {name:38} {rate:10,.0f} calls/s  {s / n * 1e6:8.1f} µs/call  xiaobao ×{base / rate:.2f}")


if __name__ == "__main__":
    main()
