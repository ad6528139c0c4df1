"""How much of real complaint text the complaint points (诉点) describe, and how clean the discovered fee
names are: the 5,102 黑猫 category6 texts (train + dev + test; no labels are learned from) run through
`rules/classify_points.yaml`. Research notes, not a test; see RESULTS.md.

    PYTHONPATH=src .venv/bin/python bench/explore_classify/points_coverage.py [--samples N]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "heimao_fin_complaints_zh" / "category6"
CLASSES = ("催收行为", "其他", "合同条款", "定价收费", "客户服务", "营销宣传")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=0, help="print N texts per class that no point describes")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the 黑猫 data is read from ../shared/data when present)")
        return 0
    from xiaobao.engines.classify.points import load_points
    from xiaobao.engines.classify.text import normalize_with_offsets

    ex = load_points()
    rows = []
    for split in ("train", "dev", "test"):
        with (DATA / f"{split}.csv").open(encoding="utf-8") as f:
            rows += [(t, int(label)) for t, label in csv.reader(f)]
    total, covered, points, bare = Counter(), Counter(), Counter(), defaultdict(list)
    for text, label in rows:
        found = {p.id for p in ex.extract(*normalize_with_offsets(text))}
        total[label] += 1
        covered[label] += bool(found)
        points.update(found)
        if not found:
            bare[label].append(text)
    n, hit = sum(total.values()), sum(covered.values())
    print(f"texts {n:,}; with at least one point {hit:,} ({hit / n:.1%})")
    for label in sorted(total):
        print(f"  {CLASSES[label]}: {covered[label] / total[label]:.1%} of {total[label]:,}")
    fees = Counter({p: k for p, k in points.items() if p.startswith("fee:")})
    print(f"distinct points {len(points)}; discovered fee names {len(fees)} "
          f"(seen once: {sum(1 for k in fees.values() if k == 1)})")
    print("top points:", ", ".join(f"{p} {k}" for p, k in points.most_common(25)))
    print("fee names:", ", ".join(f"{p[4:]} {k}" for p, k in fees.most_common(40)))
    rng = random.Random(7)
    for label in sorted(bare) if args.samples else ():
        print(f"== no point, {CLASSES[label]}")
        for text in rng.sample(bare[label], min(args.samples, len(bare[label]))):
            print("   ", text[:140].replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
