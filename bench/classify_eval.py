"""Classification benchmark on real complaints nobody here wrote (../shared/data, see its READMEs),
with peers measured in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classify_eval.py [--data ../shared/data] [--seed 20261120]

Not a test: it prints figures and says whether the stated goals were met. Skips, with a message,
when the data folder is absent. Nothing here is copied into the package (the 黑猫 set has no
redistribution licence).

1. 黑猫 category6 (6 causes, LLM-assisted labels). Settings were chosen on dev.csv (train → dev,
   printed first); the issue's figure is train → test.csv, printed once: macro-F1 (goal >= 0.80),
   per-class figures, the confusion matrix, calibration (ECE) and the share the needs-a-person
   threshold holds back. Then, for reference only, the same settings trained on train + dev → test
   (what a deployment would ship). Ours: `engines.classify.model.train` (char 1-3-gram TF-IDF +
   balanced LR, temperature fitted out of fold). Peer: scikit-learn TfidfVectorizer(char 1-3) + LinearSVC.
   Also the day-one lexicon on the four causes it has categories for.
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
# The day-one lexicon's categories that correspond to a 黑猫 cause.
HEIMAO_TO_OURS = {"0": "debt_collection", "3": "pricing_fees", "4": "service_attitude", "5": "marketing"}


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
    print(f"  day-one lexicon on the 4 causes it covers ({len(keep)} texts): accuracy {rev.accuracy:.4f} "
          f"macro-F1 over those causes {rev.macro_f1:.4f}; needs-a-person {held:.1%}")
    speed(model, rules, xte, train_s)


def speed(model, rules, texts, train_s: float) -> None:
    print("\n3. Speed (one thread)")
    print(f"  train on 黑猫 train (4,081 texts, includes 3 out-of-fold fits for the temperature): {train_s:.1f} s  "
          f"(goal <= 60 s: {'met' if train_s <= 60 else 'NOT met'})")
    batch = (texts * 8)[:4000]
    t = time.perf_counter()
    model.predict_proba(batch)
    m_rate = len(batch) / (time.perf_counter() - t)
    clf = rules.with_models(model, None, "model:bench")
    t = time.perf_counter()
    clf.predict_many(batch)
    p_rate = len(batch) / (time.perf_counter() - t)
    t = time.perf_counter()
    for x in batch[:1000]:
        clf.predict(x)
    one_rate = 1000 / (time.perf_counter() - t)
    print(f"  model alone, batched: {m_rate:,.0f} predictions/s")
    print(f"  whole pipeline (model + points + escalation + findings), batched: {p_rate:,.0f}/s; "
          f"one complaint per call (intake): {one_rate:,.0f}/s = {1000 / one_rate:.2f} ms each  "
          f"(goal >= 2,000/s: {'met' if p_rate >= 2000 else 'NOT met'})")


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
    a = ap.parse_args()
    data = Path(a.data)
    random.seed(a.seed)
    h = data / "heimao_fin_complaints_zh" / "category6"
    c = data / "cfpb_narratives"
    if not h.exists() and not c.exists():
        print(f"数据目录不存在：{data}（需要 ../shared/data）；跳过 / data folder absent, skipping")
        return 0
    if h.exists():
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
