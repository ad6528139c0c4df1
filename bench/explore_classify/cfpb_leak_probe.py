"""Print extra/holdout pairs in the Jaccard band just below the exclusion threshold, to judge by eye whether
the threshold (Jaccard >= 0.4 or containment >= 0.8) misses same-complaint pairs. Research script."""
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).parent))
from cfpb_extra import MAP, SEED, Styler, load_extra, load_processed, near_dups  # noqa: E402

x, y = load_processed()
xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
ext = load_extra()
sty = Styler(x, [e[0] for e in ext])
ex = sorted({sty(t) for t, p, s in ext if p in MAP} - {""})
jac, cont, arg, na = near_dups(ex, xte)
band = np.flatnonzero((jac >= 0.2) & (jac < 0.4) & (cont < 0.8))
print(f"{len(band)} extra texts with holdout Jaccard in [0.2, 0.4) and containment < 0.8")
for i in band[np.argsort(-jac[band])][:12]:
    print(f"J={jac[i]:.2f} C={cont[i]:.2f} n={na[i]}\n  extra: {ex[i][:160]!r}\n  hold : {xte[arg[i]][:160]!r}")
