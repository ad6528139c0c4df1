"""CFPB product5: learning curve of the shipped setting (char 2-5, src normalize, LR C=5 balanced) by 5-fold CV
on the 80 % (holdout not read), plus per-class errors of the out-of-fold predictions: is 0.88 within reach
of "more of the same data"? Research script, not a test."""
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import StratifiedKFold, train_test_split

sys.path.insert(0, str(Path(__file__).parent))
from cfpb_extra import SEED, fit_predict, load_processed  # noqa: E402

x, y = load_processed()
xtr, _, ytr, _ = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
xtr, ytr = np.array(xtr, dtype=object), np.array(ytr)
rng = np.random.default_rng(0)
for frac in (0.25, 0.5, 1.0):
    accs, oof = [], np.empty(len(ytr), dtype=object)
    for a, b in StratifiedKFold(5, shuffle=True, random_state=0).split(xtr, ytr):
        a = rng.permutation(a)[: int(len(a) * frac)]
        got = np.array(fit_predict(list(xtr[a]), list(ytr[a]), list(xtr[b]), "ours25"))
        oof[b] = got
        accs.append(np.mean(got == ytr[b]))
    print(f"train size {int(len(ytr) * 0.8 * frac):5d}: CV accuracy {np.mean(accs):.4f}", flush=True)
labels = sorted(set(ytr))
print("OOF confusion at full size (rows = truth):", labels)
for l, row in zip(labels, confusion_matrix(ytr, oof, labels=labels)):
    print(f"  {l:20s} {row}")
