"""Marketing pre-review throughput: materials per second on ~1 KB Chinese texts, one core, against
peers measured in the same run on the same texts.

    .venv/bin/python bench/marketing.py [--n 3000] [--runs 3] [--kb 1.0]

Not a test: it prints figures and ratios, and says whether the goal (>= 1,000 materials/s) was met.

  ours        MarketingEngine.analyze: evasion normalisation, one Aho-Corasick pass over every phrase of
              the rule pack (with pinyin spellings), regex facts, rate parsing with IRR, prominence,
              structural and numeric rules — the full check the CLI runs.
  peer re     the straightforward checker: NFKC, then one compiled `re.search` per phrase of the same
              rule pack (no evasion handling, no rates, no exemptions): flattered, it does far less.
  peer flashtext  flashtext 2.7 KeywordProcessor over the NFKC text with the same phrases (the popular
              keyword-extraction library; again phrases only).
  IRR         our Newton/bisection `periodic_irr` vs numpy_financial.rate, per call, same cash flows.
Medians of --runs runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import time
import unicodedata
from pathlib import Path

from xiaobao.engines.marketing import MarketingEngine
from xiaobao.engines.marketing.apr import periodic_irr
from xiaobao.rules import read_yaml

FILLER = ("本产品为个人消费贷款，借款用途不得用于购房、投资及其他法律法规禁止的用途。按时还款有助于维护良好的信用记录，"
          "如有疑问请致电官方客服热线，或在App内联系在线客服。请根据自身还款能力合理借款，量入为出。")


def materials(n: int, kb: float, seed: int = 7) -> list[str]:
    path = Path(__file__).resolve().parents[1] / "eval" / "marketing" / "materials.jsonl"
    base = [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    r = random.Random(seed)
    target = int(kb * 1024)
    out = []
    for _ in range(n):
        t = r.choice(base)
        while len(t.encode("utf-8")) < target:
            t = t + FILLER[r.randrange(len(FILLER) // 2):]
        out.append(t.encode("utf-8")[:target].decode("utf-8", "ignore"))
    return out


def phrases() -> list[str]:
    data = read_yaml("marketing_rules.yaml")
    out = []
    for r in data["rules"]:
        out += [str(p) for p in (r.get("match") or {}).get("phrases") or ()]
    for f in (data.get("facts") or {}).values():
        out += [str(p) for p in f.get("phrases") or ()]
    return sorted(set(out))


def timed(fn, texts, runs) -> float:
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        rates.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kb", type=float, default=1.0)
    args = ap.parse_args()
    texts = materials(args.n, args.kb)
    avg = statistics.mean(len(t.encode("utf-8")) for t in texts)
    print(f"python {platform.python_version()} on {platform.machine()}; {len(texts)} materials, "
          f"mean {avg:.0f} bytes ({statistics.mean(map(len, texts)):.0f} characters)")

    t0 = time.perf_counter()
    engine = MarketingEngine()
    print(f"rule pack load (phrases, pinyin spellings, automaton): {time.perf_counter() - t0:.2f} s")
    ours = timed(engine.analyze, texts, args.runs)

    words = phrases()
    regexes = [re.compile(re.escape(unicodedata.normalize("NFKC", w))) for w in words]

    def peer_re(text):
        s = unicodedata.normalize("NFKC", text)
        return [p.pattern for p in regexes if p.search(s)]

    peer_re_rate = timed(peer_re, texts, args.runs)
    try:
        from flashtext import KeywordProcessor

        kp = KeywordProcessor()
        for w in words:
            kp.add_keyword(unicodedata.normalize("NFKC", w))
        peer_ft = timed(lambda t: kp.extract_keywords(unicodedata.normalize("NFKC", t)), texts, args.runs)
    except ImportError:
        peer_ft = None

    print(f"{'':16s} {'materials/s':>12s} {'ours ÷ peer':>12s}")
    print(f"{'ours (full)':16s} {ours:12,.0f} {'':>12s}")
    print(f"{'peer re':16s} {peer_re_rate:12,.0f} {ours / peer_re_rate:12.2f}")
    if peer_ft:
        print(f"{'peer flashtext':16s} {peer_ft:12,.0f} {ours / peer_ft:12.2f}")
    print(f"goal >= 1,000 materials/s of {args.kb:g} KB on one core: {'met' if ours >= 1000 else 'NOT met'}")

    cases = [(1.0, 1 / n + f, n) for f in (0.003, 0.006, 0.009) for n in (3, 6, 12, 24, 36)] * 200
    t0 = time.perf_counter()
    mine = [periodic_irr(p, a, n) for p, a, n in cases]
    t_mine = (time.perf_counter() - t0) / len(cases)
    try:
        import numpy_financial as npf

        t0 = time.perf_counter()
        theirs = [float(npf.rate(n, -a, p, 0)) for p, a, n in cases]
        t_npf = (time.perf_counter() - t0) / len(cases)
        worst = max(abs(x - y) * 1200 for x, y in zip(mine, theirs))
        print(f"IRR per call: ours {t_mine * 1e6:.1f} µs, numpy_financial.rate {t_npf * 1e6:.1f} µs "
              f"({t_npf / t_mine:.1f}× ours); largest APR difference {worst:.2e} pp")
    except ImportError:
        print(f"IRR per call: ours {t_mine * 1e6:.1f} µs (numpy_financial not installed)")


if __name__ == "__main__":
    main()
