"""黑猫: what the data itself says about a label-noise ceiling for category6. Research script, not a test.

1. Is mechanism3 an independent second labelling? (cross-tab of the 4,511 shared texts)
2. Label agreement of near-duplicate texts inside category6 (train+dev+test): two complaints that are the
   same story, lightly edited, should carry the same label; how often they don't estimates labelling noise.
3. Split leakage between the two folders (category6 test texts that sit in mechanism3 train).
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

H = Path(__file__).resolve().parents[3] / "shared" / "data" / "heimao_fin_complaints_zh"
NAMES = {"0": "催收行为", "1": "其他", "2": "合同条款", "3": "定价收费", "4": "客户服务", "5": "营销宣传"}


def read(folder):
    out = []
    for split in ("train", "dev", "test"):
        for r in csv.reader((H / folder / f"{split}.csv").open(encoding="utf-8")):
            out.append((r[0], r[1], split))
    return out


def main():
    c6, m3 = read("category6"), read("mechanism3")
    c6d = {t: (y, s) for t, y, s in c6}
    m3d = {t: (y, s) for t, y, s in m3}
    both = set(c6d) & set(m3d)
    print(f"category6 {len(c6d)} texts, mechanism3 {len(m3d)}, shared {len(both)}")
    ct = Counter((c6d[t][0], m3d[t][0]) for t in both)
    print("cross-tab (category6 label, mechanism3 label):")
    for (a, b), n in sorted(ct.items()):
        print(f"  {NAMES[a]:4s} -> mechanism {b}: {n}")
    det = all(len({b for (a2, b) in ct if a2 == a}) == 1 for a in NAMES)
    print(f"  mechanism3 is a deterministic function of category6 on shared texts: {det}")
    print("  split pairs (category6 split, mechanism3 split):", dict(Counter((c6d[t][1], m3d[t][1]) for t in both)))

    texts = [t for t, _, _ in c6]
    ys = np.array([y for _, y, _ in c6])
    vec = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), sublinear_tf=True, min_df=1)
    x = vec.fit_transform(texts)
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    lens = np.array([len(t) for t in texts])
    for th in (0.95, 0.9, 0.8, 0.7):
        i, j = np.where(np.triu(sim >= th))
        agree = (ys[i] == ys[j])
        print(f"near-duplicate pairs cos >= {th}: {len(i)} pairs; same label {agree.mean():.3f} "
              f"({int((~agree).sum())} disagree)")
        if th == 0.8:
            mix = Counter(tuple(sorted((NAMES[ys[a]], NAMES[ys[b]]))) for a, b in zip(i[~agree], j[~agree]))
            print("   disagreeing pairs by label pair:", dict(mix.most_common()))
            long = lens[i] >= 50
            print(f"   only pairs whose text is >= 50 chars: {int(long.sum())} pairs, same label "
                  f"{agree[long].mean():.3f}")
            shown = 0
            for a, b in zip(i[~agree], j[~agree]):
                if lens[a] >= 60 and shown < 4:
                    shown += 1
                    print(f"   [{NAMES[ys[a]]}] {texts[a][:90]!r}\n   [{NAMES[ys[b]]}] {texts[b][:90]!r}")
    # mechanism3-only texts near-duplicating category6 texts: do their coarse labels agree with the mapping?
    mapping = {a: b for (a, b) in ct}
    extra = [t for t in m3d if t not in c6d]
    xe = vec.transform(extra)
    s2 = (xe @ x.T).toarray()
    best, arg = s2.max(1), s2.argmax(1)
    for th in (0.9, 0.8):
        k = np.flatnonzero(best >= th)
        ok = np.mean([m3d[extra[e]][0] == mapping[ys[arg[e]]] for e in k]) if len(k) else float("nan")
        print(f"mechanism3-only texts with a category6 near-duplicate (cos >= {th}): {len(k)}; coarse label "
              f"consistent with the category6 label's group: {ok:.3f}")


if __name__ == "__main__":
    main()
