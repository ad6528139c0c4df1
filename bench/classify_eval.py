"""Classification benchmark on real complaints nobody here wrote (../shared/data, see its READMEs),
with peers measured in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classify_eval.py [--data ../shared/data] [--seed 20261120] [--explore]

Not a test: it prints figures and says whether the stated goals were met. Skips, with a message,
when the data folder is absent. Nothing here is copied into the package (the 黑猫 set has no
redistribution licence).

1. 黑猫 category6 (6 causes, LLM-assisted labels). Settings were chosen on dev.csv (train → dev,
   printed first); the issue's figure is train → test.csv, printed once: macro-F1 (goal >= 0.80),
   per-class figures, the confusion matrix, calibration (ECE) and the share the needs-a-person
   threshold holds back. Then, for reference only, the same settings trained on train + dev → test
   (what a deployment would ship). Ours: `engines.classify.model.train` (char 1-3-gram TF-IDF +
   balanced LR, temperature fitted out of fold). Peer: scikit-learn TfidfVectorizer(char 1-3) + LinearSVC.
   Also the same test predictions mapped to JR/T 0169 axis C through our taxonomy (合同条款 and 定价收费
   are one axis-C reason there; a second view, not the issue's figure), the source's own 3-class
   relabelling of the same texts (mechanism3) as evidence of which causes blur, and the day-one
   lexicon on the causes it has categories for.
1b. --explore: the alternatives (LinearSVC, Ridge, ComplementNB, NB-weighted LR, chi2 selection,
   n-gram ranges, lexicon scores as features, an LR x SVC ensemble, per-class thresholds) on train
   only — 5-fold CV inside train.csv and train -> dev.csv; test.csv is not read.
2. CFPB 5 products (Kaggle-processed text): stratified 20 % holdout by --seed; accuracy. Ours (char
   2-5 and char 1-3 settings of the same trainer; settings compared by 5-fold CV inside the 80 %, not
   on the holdout) next to the TF-IDF(word) + LogisticRegression baseline and
   the zero-shot LLM figures from the saved evaluation file (0.69–0.78; different 1,000-row sample).
3. Speed (goal: train <= 60 s, >= 2,000 predictions/s on one core): training time on 黑猫 train, and
   throughput of the model alone and of the whole pipeline (model + points + escalation + findings).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HEIMAO_NAMES = {"0": "催收行为", "1": "其他", "2": "合同条款", "3": "定价收费", "4": "客户服务", "5": "营销宣传"}
# Our categories for the 黑猫 causes. 合同条款 (2) joins 定价收费 (3) under pricing_fees: our taxonomy
# files 定价收费/利息 under JR/T 0169 axis C "合同条款" (rules/classify_axes.yaml), the lexicon has no
# separate contract-terms category, and the two are the pair the labels confuse most (see --explore).
# 其他 (1) is left out of the lexicon check: its texts are credit-report, fraud and account complaints
# that our finer categories split, so "other" is not their counterpart.
HEIMAO_TO_OURS = {"0": "debt_collection", "2": "pricing_fees", "3": "pricing_fees", "4": "service_attitude",
                  "5": "marketing"}


def read_heimao(folder: Path, name: str):
    rows = list(csv.reader((folder / name).open(encoding="utf-8")))
    return [r[0] for r in rows], [r[1] for r in rows]


def show_eval(title: str, ev, names=None) -> None:
    names = names or {}
    print(f"  {title}: n={ev.n} accuracy {ev.accuracy:.4f} macro-F1 {ev.macro_f1:.4f}"
          + (f" ECE {ev.ece}" if ev.ece is not None else ""))
    for lab, v in ev.per_class.items():
        print(f"    {lab:>3} {names.get(lab, ''):<6} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f}"
              f" n={v['support']}")


def heimao(folder: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    from xiaobao.engines.classify.engine import ComplaintClassifier
    from xiaobao.engines.classify.metrics import evaluate
    from xiaobao.engines.classify.model import train

    xtr, ytr = read_heimao(folder, "train.csv")
    xdv, ydv = read_heimao(folder, "dev.csv")
    xte, yte = read_heimao(folder, "test.csv")
    print(f"\n1. 黑猫 category6: train {len(xtr)}, dev {len(xdv)}, test {len(xte)}")
    t = time.perf_counter()
    model = train(xtr, ytr)
    train_s = time.perf_counter() - t
    print(f"  fitted temperature T = {model.temperature:.3f} (out-of-fold, {model.meta['cv']} folds)")
    got = model.predict(xdv)
    dev = evaluate(ydv, [g for g, _ in got], [c for _, c in got], 0.55)
    show_eval("DEV (train -> dev; settings were chosen here)", dev, HEIMAO_NAMES)
    got = model.predict(xte)
    ev = evaluate(yte, [g for g, _ in got], [c for _, c in got], 0.55)
    show_eval("TEST (train -> test; the issue's figure)", ev, HEIMAO_NAMES)
    print(f"    needs-a-person at 0.55: {ev.needs_person_rate:.1%} held back; accuracy on the rest "
          f"{ev.accuracy_when_confident}")
    print("    confusion (rows truth, cols predicted):", " ".join(ev.labels))
    for lab, row in zip(ev.labels, ev.confusion):
        print(f"      {lab} {HEIMAO_NAMES[lab]:<6}", " ".join(f"{n:4d}" for n in row))
    axis_c_view(model, xte, yte)
    mechanism_check(folder.parent / "mechanism3", xtr + xdv + xte, ytr + ydv + yte)
    both = train(xtr + xdv, ytr + ydv)
    got = both.predict(xte)
    ev2 = evaluate(yte, [g for g, _ in got], [c for _, c in got], 0.55)
    print(f"  reference, same settings trained on train + dev -> test: accuracy {ev2.accuracy:.4f} "
          f"macro-F1 {ev2.macro_f1:.4f} ECE {ev2.ece}")
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    svc = LinearSVC(C=0.5).fit(vec.fit_transform(xtr), ytr)
    peer = f1_score(yte, svc.predict(vec.transform(xte)), average="macro")
    print(f"  peer TF-IDF(char 1-3) + LinearSVC: macro-F1 {peer:.4f}  (ours/peer {ev.macro_f1 / peer:.3f})")
    goal = "met" if ev.macro_f1 >= 0.80 else "NOT met"
    print(f"  goal macro-F1 >= 0.80: {goal} ({ev.macro_f1:.4f})")

    rules = ComplaintClassifier.from_rules()
    keep = [(x, HEIMAO_TO_OURS[y]) for x, y in zip(xte, yte) if y in HEIMAO_TO_OURS]
    preds = rules.predict_many([x for x, _ in keep])
    rev = evaluate([y for _, y in keep], [p.suggestion for p in preds])
    held = sum(p.needs_person for p in preds) / len(preds)
    print(f"  day-one lexicon on the causes it has categories for ({', '.join(sorted(set(HEIMAO_TO_OURS.values())))}; "
          f"{len(keep)} texts): accuracy {rev.accuracy:.4f} macro-F1 {rev.macro_f1:.4f}; needs-a-person {held:.1%}")
    speed(model, rules, xte, train_s)


def axis_c_view(model, xte, yte) -> None:
    """What the product reports: JR/T 0169 axis C. Via our taxonomy the six causes fall into five
    reasons (合同条款 and 定价收费 are both axis C 合同条款); the 6-class probabilities are summed per
    reason. Same model, same test texts: a second view, not the issue's 6-class figure."""
    from xiaobao.engines.classify.metrics import evaluate
    from xiaobao.engines.classify.taxonomy import load_taxonomy

    tax = load_taxonomy()
    to_c = {lab: tax.axis_c_for(cat).code for lab, cat in {**HEIMAO_TO_OURS, "1": "other"}.items()}
    proba = model.predict_proba(xte)
    codes = sorted(set(to_c.values()))
    summed = [{c: 0.0 for c in codes} for _ in xte]
    for j, lab in enumerate(model.classes):
        for i in range(len(xte)):
            summed[i][to_c[lab]] += float(proba[i, j])
    got = [max(row, key=row.get) for row in summed]
    ev = evaluate([to_c[y] for y in yte], got)
    names = {c: tax.axis_c[c].name_zh for c in codes}
    show_eval("TEST mapped to JR/T axis C via our taxonomy (5 reasons; not the issue's 6-class figure)", ev, names)
    print("    confusion (rows truth, cols predicted):", " ".join(ev.labels))
    for lab, row in zip(ev.labels, ev.confusion):
        print(f"      {lab} {names[lab]:<10}", " ".join(f"{n:4d}" for n in row))


def mechanism_check(folder: Path, texts, labels) -> None:
    """The source's other labelling of the same texts (mechanism3, 3 classes) is a coarsening of
    category6; its groups are exactly the pairs the 6-class model confuses."""
    if not folder.exists():
        return
    from collections import Counter

    from xiaobao.engines.classify.text import normalize

    mech = {}
    for name in ("train.csv", "dev.csv", "test.csv"):
        for row in csv.reader((folder / name).open(encoding="utf-8")):
            mech[normalize(row[0])] = row[1]
    pairs = Counter((y, mech[normalize(x)]) for x, y in zip(texts, labels) if normalize(x) in mech)
    groups: dict[str, list[str]] = {}
    for (y, m), _n in sorted(pairs.items()):
        groups.setdefault(m, []).append(HEIMAO_NAMES[y])
    split = sum(1 for y in HEIMAO_NAMES if len({m for (yy, m) in pairs if yy == y}) > 1)
    print(f"  the source's mechanism3 labels on the same {sum(pairs.values())} texts group the causes as "
          + "; ".join("{" + ", ".join(v) + "}" for _m, v in sorted(groups.items()))
          + f" ({split} cause(s) split across groups)")


def explore(xtr, ytr, xdv, ydv) -> None:
    """--explore: the alternatives compared when choosing the model, on training data only — 5-fold
    stratified cross-validation inside train.csv, then train -> dev.csv. test.csv is not read. (Each
    feature set's vocabulary and idf are fitted once on all of train: unsupervised, the same for every
    candidate, so comparisons are fair, though the CV figures are a shade optimistic.)"""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.feature_selection import SelectKBest, chi2
    from sklearn.linear_model import LogisticRegression, RidgeClassifier
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    from xiaobao.engines.classify.engine import ComplaintClassifier
    from xiaobao.engines.classify.text import normalize

    y, yd = np.array(ytr), np.array(ydv)
    classes = sorted(set(ytr))
    print(f"\n1b. Choosing the model on training data only: train {len(xtr)} (5-fold CV), dev {len(xdv)}; "
          "test.csv not read")

    def feats(lo, hi, **kw):
        vec = TfidfVectorizer(analyzer="char", ngram_range=(lo, hi), sublinear_tf=True, lowercase=False,
                              preprocessor=normalize, min_df=2, max_features=300_000, dtype=np.float32, **kw)
        return vec.fit_transform(xtr), vec.transform(xdv)

    def soft(d):
        e = np.exp(3 * (d - d.max(axis=1, keepdims=True)))
        return e / e.sum(axis=1, keepdims=True)

    def lr(c=5.0, cw="balanced"):
        return lambda a, ya, b: LogisticRegression(C=c, max_iter=1000, tol=1e-3, class_weight=cw).fit(a, ya) \
            .predict_proba(b)

    def svc(c=0.3):
        return lambda a, ya, b: soft(LinearSVC(C=c, class_weight="balanced").fit(a, ya).decision_function(b))

    def ridge(alpha=3.0):
        return lambda a, ya, b: soft(RidgeClassifier(alpha=alpha, class_weight="balanced").fit(a, ya)
                                     .decision_function(b))

    def cnb(a_=0.3):
        return lambda a, ya, b: ComplementNB(alpha=a_).fit(a, ya).predict_proba(b)

    def chi_lr(k=20_000):
        def fit(a, ya, b):
            sel = SelectKBest(chi2, k=min(k, a.shape[1])).fit(a, ya)
            return lr()(sel.transform(a), ya, sel.transform(b))
        return fit

    def nb_lr(a, ya, b):  # NB-weighted LR (Wang & Manning 2012), one-vs-rest
        cols = []
        for c in classes:
            pos = ya == c
            p, q = 1 + a[pos].sum(0), 1 + a[~pos].sum(0)
            r = sp.diags(np.asarray(np.log((p / p.sum()) / (q / q.sum()))).ravel())
            m = LogisticRegression(C=5, max_iter=1000, tol=1e-3, class_weight="balanced").fit(a @ r, pos)
            cols.append(m.decision_function(b @ r))
        return soft(np.array(cols).T / 3)

    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(xtr, y))

    def run(name, fit, x, xd):
        t = time.perf_counter()
        oof = np.zeros((len(y), len(classes)))
        for a, b in folds:
            oof[b] = fit(x[a], y[a], x[b])
        dev = fit(x, y, xd)
        cv_f1 = f1_score(y, np.array(classes)[oof.argmax(1)], average="macro")
        dev_f1 = f1_score(yd, np.array(classes)[dev.argmax(1)], average="macro")
        print(f"  {name:<52} CV macro-F1 {cv_f1:.4f}  dev {dev_f1:.4f}  ({time.perf_counter() - t:.0f} s)")
        return oof, dev

    x13, d13 = feats(1, 3)
    x12, d12 = feats(1, 2)
    ours = run("ours: char 1-3 TF-IDF + LR(C=5, balanced)", lr(), x13, d13)
    run("LR without class weights", lr(cw=None), x13, d13)
    run("char 1-4 + LR", lr(), *feats(1, 4))
    run("char 1-2 + LR", lr(), x12, d12)
    run("binary tf char 1-3 + LR", lr(), *feats(1, 3, binary=True))
    sv = run("char 1-2 + LinearSVC(C=0.3)", svc(), x12, d12)
    run("char 1-3 + Ridge(alpha=3)", ridge(), x13, d13)
    run("char 1-3 + ComplementNB", cnb(), x13, d13)
    run("chi2 top 20k + LR", chi_lr(), x13, d13)
    run("NB-weighted LR (one-vs-rest)", nb_lr, x13, d13)
    rules = ComplaintClassifier.from_rules()
    labs = rules.lexicon.labels

    def lex(texts):
        out = np.zeros((len(texts), len(labs)), dtype=np.float32)
        for i, t in enumerate(texts):
            r = rules.lexicon.classify(normalize(t))
            for k, p in r.probabilities.items():
                out[i, labs.index(k)] = p if r.confidence > 0 else 0.0
        return sp.csr_matrix(out)

    run("ours + day-one lexicon scores as features (w 0.3)", lr(), sp.hstack([x13, 0.3 * lex(xtr)]).tocsr(),
        sp.hstack([d13, 0.3 * lex(xdv)]).tocsr())
    ens_oof, ens_dev = np.sqrt(ours[0] * sv[0]), np.sqrt(ours[1] * sv[1])
    print(f"  {'ensemble ours x LinearSVC (geometric mean)':<52} CV macro-F1 "
          f"{f1_score(y, np.array(classes)[ens_oof.argmax(1)], average='macro'):.4f}  dev "
          f"{f1_score(yd, np.array(classes)[ens_dev.argmax(1)], average='macro'):.4f}")
    bias = np.zeros(len(classes))  # per-class thresholds: a bias per class, tuned on the CV scores
    logp, logd = np.log(ours[0] + 1e-12), np.log(ours[1] + 1e-12)
    for _ in range(2):
        for k in range(len(classes)):
            best = (-1.0, 0.0)
            for g in np.linspace(-1, 1, 21):
                trial = bias.copy()
                trial[k] = g
                f = f1_score(y, np.array(classes)[(logp + trial).argmax(1)], average="macro")
                if f > best[0] + 1e-9:
                    best = (f, g)
            bias[k] = best[1]
    print(f"  {'ours + per-class bias tuned on the CV scores':<52} CV (tuned there) "
          f"{f1_score(y, np.array(classes)[(logp + bias).argmax(1)], average='macro'):.4f}  dev "
          f"{f1_score(yd, np.array(classes)[(logd + bias).argmax(1)], average='macro'):.4f}  "
          f"bias {np.round(bias, 2).tolist()}")
    cm = np.zeros((len(classes), len(classes)), dtype=int)
    for t, p in zip(y, np.array(classes)[ours[0].argmax(1)]):
        cm[classes.index(t), classes.index(p)] += 1
    print("  ours, CV confusion on train (rows truth, cols predicted):", " ".join(classes))
    for lab, row in zip(classes, cm):
        print(f"    {lab} {HEIMAO_NAMES[lab]:<6}", " ".join(f"{n:4d}" for n in row))


def _rate(fn, n: int) -> tuple[float, float]:
    """(per wall-clock second, per CPU second of this process). On a shared machine the wall figure
    falls with the others' load; the CPU figure is what one core gives us when it is ours."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return n / (time.perf_counter() - w), n / max(1e-9, time.process_time() - c)


def speed(model, rules, texts, train_s: float) -> None:
    print(f"\n3. Speed (one thread; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  train on 黑猫 train (4,081 texts, includes 3 out-of-fold fits for the temperature): {train_s:.1f} s  "
          f"(goal <= 60 s: {'met' if train_s <= 60 else 'NOT met'})")
    batch = (texts * 8)[:4000]
    m_wall, m_cpu = _rate(lambda: model.predict_proba(batch), len(batch))
    clf = rules.with_models(model, None, "model:bench")
    p_wall, p_cpu = _rate(lambda: clf.predict_many(batch), len(batch))
    o_wall, o_cpu = _rate(lambda: [clf.predict(x) for x in batch[:1000]], 1000)
    print(f"  model alone, batched: {m_wall:,.0f} predictions/s wall, {m_cpu:,.0f} per CPU-second")
    print(f"  whole pipeline (model + points + escalation + findings), batched: {p_wall:,.0f}/s wall, "
          f"{p_cpu:,.0f} per CPU-second; one complaint per call (intake): {o_wall:,.0f}/s wall, "
          f"{o_cpu:,.0f} per CPU-second = {1000 / o_cpu:.2f} CPU-ms each  "
          f"(goal >= 2,000/s on one core: {'met' if p_cpu >= 2000 else 'NOT met'} by CPU time)")


def cfpb(folder: Path, seed: int) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from xiaobao.engines.classify.model import TrainSettings, train

    rows = [r for r in csv.DictReader((folder / "cfpb_product5_processed_merged.csv").open(encoding="utf-8"))
            if (r.get("narrative") or "").strip()]
    x = [r["narrative"] for r in rows]
    y = [r["product"] for r in rows]
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)
    print(f"\n2. CFPB 5 products: {len(rows)} texts, holdout {len(xte)} (seed {seed})")
    for name, settings in (("ours, char 2-5 (chosen by 5-fold CV on the 80 %: 0.803 vs word 1-2 LR 0.799)",
                             TrainSettings(ngram_min=2, ngram_max=5)),
                           ("ours, char 1-3 (the Chinese setting)", TrainSettings())):
        t = time.perf_counter()
        m = train(xtr, ytr, settings)
        got = [g for g, _ in m.predict(xte)]
        print(f"  {name}: accuracy {accuracy_score(yte, got):.4f} macro-F1 "
              f"{f1_score(yte, got, average='macro'):.4f} (train {time.perf_counter() - t:.1f} s)")
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    lr = LogisticRegression(C=10, max_iter=2000).fit(vec.fit_transform(xtr), ytr)
    got = lr.predict(vec.transform(xte))
    print(f"  peer TF-IDF(word 1-2) + LogisticRegression: accuracy {accuracy_score(yte, got):.4f} "
          f"macro-F1 {f1_score(yte, got, average='macro'):.4f}")
    llm = folder / "sources" / "AppliedAIResearchLab__zero_shot_llm_eval_results.csv"
    if llm.exists():
        res = sorted(((float(r["Accuracy"]), r["Model"]) for r in csv.DictReader(llm.open(encoding="utf-8"))),
                     reverse=True)
        print("  zero-shot LLM peers (their 1,000-row sample of the same Kaggle set): "
              + ", ".join(f"{m} {a:.3f}" for a, m in res[:6]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--seed", type=int, default=20261120)
    ap.add_argument("--explore", action="store_true",
                    help="also compare the alternative models on train (5-fold CV) and dev; test.csv is not read")
    a = ap.parse_args()
    data = Path(a.data)
    random.seed(a.seed)
    h = data / "heimao_fin_complaints_zh" / "category6"
    c = data / "cfpb_narratives"
    if not h.exists() and not c.exists():
        print(f"数据目录不存在：{data}（需要 ../shared/data）；跳过 / data folder absent, skipping")
        return 0
    if h.exists():
        if a.explore:
            xtr, ytr = read_heimao(h, "train.csv")
            xdv, ydv = read_heimao(h, "dev.csv")
            explore(xtr, ytr, xdv, ydv)
        heimao(h)
    else:
        print(f"skip 黑猫: {h} absent")
    if c.exists():
        cfpb(c, a.seed)
    else:
        print(f"skip CFPB: {c} absent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
