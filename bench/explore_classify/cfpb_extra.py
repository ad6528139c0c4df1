"""CFPB product5: does more in-domain labelled text (raw CCDB narratives, mapped to the 5 Kaggle classes and
converted to the Kaggle preprocessing style) lift holdout accuracy?  Research script, not a test.

Leakage guard: every extra text is compared (word-set Jaccard and containment) with all 2,980 processed
rows; any extra text that looks like the same complaint as ANY processed row (holdout or train) is dropped.
Configs are compared by 5-fold CV on the 80 % (extra only ever added to the training folds); the holdout
is reported for each config but configs are chosen on CV.
"""
from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

D = Path(__file__).resolve().parents[3] / "shared" / "data" / "cfpb_narratives"
SEED = 20261120
csv.field_size_limit(10**9)

MAP = {  # CCDB product -> Kaggle "complaints_processed" class (assumed mapping; payday handled separately)
    "Credit reporting, credit repair services, or other personal consumer reports": "credit_reporting",
    "Credit reporting": "credit_reporting", "Credit reporting, repair, or other": "credit_reporting",
    "Credit reporting or other personal consumer reports": "credit_reporting",
    "Debt collection": "debt_collection",
    "Mortgage": "mortgages_and_loans", "Student loan": "mortgages_and_loans",
    "Vehicle loan or lease": "mortgages_and_loans", "Consumer Loan": "mortgages_and_loans",
    "Payday loan, title loan, or personal loan": "mortgages_and_loans",
    "Payday loan, title loan, personal loan, or advance loan": "mortgages_and_loans", "Payday loan": "mortgages_and_loans",
    "Credit card": "credit_card", "Credit card or prepaid card": "credit_card", "Prepaid card": "credit_card",
    "Checking or savings account": "retail_banking", "Bank account or service": "retail_banking",
    "Money transfer, virtual currency, or money service": "retail_banking",
}
PAYDAY = {"Payday loan, title loan, or personal loan", "Payday loan, title loan, personal loan, or advance loan",
          "Payday loan"}


def load_processed():
    rows = [r for r in csv.DictReader((D / "cfpb_product5_processed_merged.csv").open(encoding="utf-8"))
            if (r.get("narrative") or "").strip()]
    return [r["narrative"] for r in rows], [r["product"] for r in rows]


def load_extra():
    out = []  # (raw text, ccdb product, source)
    for r in csv.DictReader((D / "cfpb_raw_narratives_merged.csv").open(encoding="utf-8")):
        out.append((r["Consumer complaint narrative"], r["Product"], "raw"))
    for r in csv.DictReader((D / "sources" / "nagakoushik24__complaints_sample_kaiburr4.csv").open(encoding="utf-8")):
        out.append((r["Consumer complaint narrative"], r["Product"], "kaiburr4"))
    for r in csv.DictReader((D / "cfpb_eval_220_stratified_11products.csv").open(encoding="utf-8")):
        out.append((r["text"], r["product"], "eval220"))
    return out


TOK = re.compile(r"[a-z]+")


class Styler:
    """Turn a raw narrative into text that looks like the Kaggle-processed text, learning the stopword list
    and the plural folding from the processed corpus itself (no external word lists)."""

    def __init__(self, processed: list[str], raw: list[str]):
        self.vocab = Counter(w for t in processed for w in t.split())
        rawc = Counter(w for t in raw for w in self._tokens(t))
        np_, nr = sum(self.vocab.values()), sum(rawc.values())
        # one of the 600 most frequent raw words that is (nearly) absent from the processed text, in any
        # plural-folded form, is a removed stopword
        self.stop = {"xxxx", "xx"}
        for w, n in rawc.most_common(600):
            forms = [w] + [w[: -len(s)] + r for s, r in (("ies", "y"), ("es", ""), ("s", "")) if w.endswith(s)]
            if max(self.vocab[f] for f in forms) / np_ < 0.02 * n / nr:
                self.stop.add(w)

    @staticmethod
    def _tokens(t: str):
        t = t.lower().replace("'", "").replace("\u2019", "")
        return TOK.findall(t)

    def word(self, w: str) -> str | None:
        if w in self.stop or len(w) < 2 and w != "u":
            return None
        if w in self.vocab:
            return w
        for suf, rep in (("ies", "y"), ("es", ""), ("s", "")):
            if w.endswith(suf) and w[: -len(suf)] + rep in self.vocab:
                return w[: -len(suf)] + rep
        return w

    def __call__(self, t: str) -> str:
        return " ".join(x for x in map(self.word, self._tokens(t)) if x)


def word_sets(texts):
    from sklearn.feature_extraction.text import CountVectorizer
    cv = CountVectorizer(binary=True, token_pattern=r"[a-z]+")
    return cv


def near_dups(extra: list[str], proc: list[str]):
    """max Jaccard and max containment of each extra text against the processed rows (word sets)."""
    from sklearn.feature_extraction.text import CountVectorizer
    cv = CountVectorizer(binary=True, token_pattern=r"[a-z]+").fit(proc + extra)
    a, b = cv.transform(extra).astype(np.float32), cv.transform(proc).astype(np.float32)
    inter = (a @ b.T).toarray()
    na, nb = np.asarray(a.sum(1)).ravel(), np.asarray(b.sum(1)).ravel()
    union = na[:, None] + nb[None, :] - inter
    jac = inter / np.maximum(union, 1)
    cont = inter / np.maximum(np.minimum(na[:, None], nb[None, :]), 1)
    cont[np.minimum(na[:, None], nb[None, :]) < 15] = 0  # containment means nothing for tiny texts
    return jac.max(1), cont.max(1), jac.argmax(1), na


def fit_predict(xtr, ytr, xte, kind="char25", w=None, C=5.0):
    if kind == "char25":
        vecs = [TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32,
                                max_features=300_000)]
    elif kind == "ours25":  # what src's train(TrainSettings(2, 5)) builds: normalize() drops all whitespace
        from xiaobao.engines.classify.text import normalize
        vecs = [TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32,
                                max_features=300_000, lowercase=False, preprocessor=normalize)]
    elif kind == "ours+word":
        from xiaobao.engines.classify.text import normalize
        vecs = [TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32,
                                max_features=300_000, lowercase=False, preprocessor=normalize),
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32)]
    elif kind == "word12":
        vecs = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32)]
    elif kind == "union":
        vecs = [TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32,
                                max_features=300_000),
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32)]
    xa = sparse.hstack([v.fit_transform(xtr) for v in vecs]).tocsr()
    xb = sparse.hstack([v.transform(xte) for v in vecs]).tocsr()
    lr = LogisticRegression(C=C, max_iter=1000, tol=1e-3, class_weight="balanced").fit(xa, ytr, sample_weight=w)
    return lr.predict(xb)


def main():
    t0 = time.time()
    x, y = load_processed()
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
    ext = load_extra()
    sty = Styler(x, [e[0] for e in ext])
    print(f"learned stopwords: {len(sty.stop)}: {sorted(sty.stop)}")
    mapped = [(sty(t), MAP[p], p, s) for t, p, s in ext if p in MAP]
    print(f"extra: {len(ext)} rows, {len(mapped)} mappable; by class {Counter(m[1] for m in mapped)}")
    # internal exact dedupe
    seen, uniq = set(), []
    for m in mapped:
        if m[0] and m[0] not in seen:
            seen.add(m[0]); uniq.append(m)
    print(f"after exact dedupe of extra: {len(uniq)}")
    ex = [m[0] for m in uniq]
    jac_all, cont_all, _, _ = near_dups(ex, x)
    jac_te, cont_te, arg_te, _ = near_dups(ex, xte)
    for th in (0.3, 0.4, 0.5, 0.6, 0.8):
        print(f"  extra with max Jaccard >= {th}: vs holdout {int((jac_te >= th).sum())}, vs all processed "
              f"{int((jac_all >= th).sum())}")
    print(f"  extra with containment >= 0.8: vs holdout {int((cont_te >= 0.8).sum())}, vs all {int((cont_all >= 0.8).sum())}")
    print("  Jaccard histogram vs all processed:", np.histogram(jac_all, bins=[0, .1, .2, .3, .4, .5, .6, .8, 1.01])[0])
    bad = (jac_all >= 0.4) | (cont_all >= 0.8)
    # show a few borderline matches vs holdout
    for i in np.argsort(-jac_te)[:5]:
        print(f"   J={jac_te[i]:.2f} C={cont_te[i]:.2f} extra[{uniq[i][1]}]: {ex[i][:110]!r}\n"
              f"                  hold[{yte[arg_te[i]]}]: {xte[arg_te[i]][:110]!r}")
    keep = [m for m, b in zip(uniq, bad) if not b]
    print(f"EXCLUDED as near-duplicates of a processed row: {int(bad.sum())} "
          f"(of which vs holdout: {int(((jac_te >= 0.4) | (cont_te >= 0.8)).sum())}); kept {len(keep)}")
    sys.stdout.flush()

    def variants():
        yield "none", []
        yield "all extra", keep
        yield "no payday", [m for m in keep if m[2] not in PAYDAY]
        nopd = [m for m in keep if m[2] not in PAYDAY]
        pd = [m for m in keep if m[2] in PAYDAY][:150]
        yield "payday capped 150", nopd + pd

    skf = StratifiedKFold(5, shuffle=True, random_state=0)
    xtr_a, ytr_a = np.array(xtr, dtype=object), np.array(ytr)
    kinds = sys.argv[1:] or ["char25"]
    for kind in kinds:
        for vname, extra in variants():
            for wt in ([1.0] if not extra else [1.0, 0.5]):
                exx, exy = [m[0] for m in extra], [m[1] for m in extra]
                accs = []
                for a, b in skf.split(xtr, ytr):
                    trx = list(xtr_a[a]) + exx
                    tr_y = list(ytr_a[a]) + exy
                    w = np.r_[np.ones(len(a)), np.full(len(exx), wt)]
                    got = fit_predict(trx, tr_y, list(xtr_a[b]), kind, w)
                    accs.append(np.mean(got == ytr_a[b]))
                t = time.time()
                got = fit_predict(list(xtr) + exx, list(ytr) + exy, xte, kind,
                                  np.r_[np.ones(len(xtr)), np.full(len(exx), wt)])
                dt = time.time() - t
                print(f"{kind:7s} extra={vname:18s} n={len(exx):5d} w={wt:.1f}: CV {np.mean(accs):.4f} "
                      f"holdout {np.mean(np.array(got) == np.array(yte)):.4f} (fit {dt:.1f}s)")
                sys.stdout.flush()
    print(f"total {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
