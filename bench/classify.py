"""Classifier speed benchmark (issue 7): training time and predictions/s of xiaobao's complaint
classifier next to a plain scikit-learn TF-IDF + logistic-regression baseline, trained and timed in the
same process on the same texts, with macro-F1 on the test split so speed is compared at known quality.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/classify.py
    options: --data ../shared/data  --runs 5  --one 1000  --batch 4000  --chunk 500  --seed 20261120
             --synthetic (use the generated corpus even when the data is present)  --skip-cfpb  --skip-cli-train

Not a test: it prints figures and ratios (ours/peer), and says whether the goals were met
(train <= 60 s, >= 2,000 predictions/s on one core). Run it pinned to one core (taskset, OMP_NUM_THREADS=1):
the script prints its CPU affinity and the load average before and after each corpus.

Corpora (read from --data, default ../shared/data; nothing is copied into the package):
  黑猫 category6   train.csv (4,081) → test.csv (510), 6 causes; Chinese, median 93 characters.
  CFPB product5    cfpb_product5_processed_merged.csv, stratified 20 % holdout by --seed (as
                   bench/classify_eval.py); English, preprocessed, mean ≈ 600 characters. Half the
                   --one/--batch counts, since texts are ~5× longer.
  synthetic        only when neither is present (or with --synthetic): a deterministic corpus built by this
                   script from the day-one lexicon's phrases (rules/classify_lexicon.yaml) with neutral
                   filler clauses, 11 categories, 4,000 train / 500 test. It measures speed only: its
                   quality figures are NOT meaningful (the labels are the phrases' own categories).

Systems:
  ours        `engines.classify.model.train` with its default TrainSettings — the function `xiaobao classify
              train` (services.classify.classification.train) fits: normalised char 1-3-gram TF-IDF (min_df 2,
              ≤ 300k features) + class-balanced LogisticRegression(C=5), temperature fitted on 3 out-of-fold
              fits, so one training = 4 LR fits. The command itself fits twice (an 80 % holdout model for the
              metrics it stores, then all labels); that is timed on the first corpus as a second row
              ("as `classify train` runs it", database excluded; --skip-cli-train to skip).
  pipeline    ours inside `ComplaintClassifier.predict_many` (what intake and import run): model, day-one
              lexicon evidence, axis-B lexicon, complaint points, escalation risk, findings.
  peer char   TfidfVectorizer(analyzer="char", ngram_range=(1, 3)) + LogisticRegression(), scikit-learn
              defaults otherwise (lbfgs, max_iter 100; convergence warnings are counted, not hidden).
  peer word   TfidfVectorizer() + LogisticRegression(), defaults (CFPB only: Chinese has no word spaces).

Measured:
  train       wall-clock and CPU seconds (process_time) of one fit from raw texts (--train-runs for more).
  one         predictions/s, one complaint per call (a complaint arriving at intake): `model.predict([t])`,
              the peer's `lr.predict_proba(vec.transform([t]))` + argmax (same output: label and probability),
              `clf.predict(t)` for the pipeline. --one calls, cycling through the test texts.
  batched     predictions/s, --batch texts in calls of --chunk (500 = `classify_stored`'s batch; an import).
  quality     accuracy and macro-F1 on the test split (from the batched predictions).
  size        bytes on disk: ours `LinearTextModel.to_bytes()` (the compressed npz the database stores);
              the peer pickled (vectorizer, model) as joblib/pickle would write it, and gzipped.
Prediction timings are the median of --runs runs, interleaved (run 1 of every system, then run 2 …) so load
from other jobs falls on all alike; each rate is given per wall-clock second and per CPU-second of this
process (the CPU figure is what a core gives when it is ours; on a loaded shared core wall falls further).
Ratios are ours/peer of the quantity in that row: for rates > 1 means ours is faster, for seconds and bytes
< 1 means ours is faster/smaller. Pipeline rows are divided by the peer's *model alone* (marked *): the peer
does no rules, points or escalation.
"""

from __future__ import annotations

import argparse
import csv
import gc
import gzip
import os
import pickle
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GOAL_TRAIN_S = 60.0
GOAL_RATE = 2000.0
CLI_SEED, CLI_HOLDOUT = 20261120, 0.2  # services.classify.classification.train defaults


# ---- corpora --------------------------------------------------------------------------------------

@dataclass
class Corpus:
    name: str
    xtr: list[str]
    ytr: list[str]
    xte: list[str]
    yte: list[str]
    lang: str  # "zh" or "en"
    synthetic: bool = False
    scale: float = 1.0  # share of --one/--batch to use (long texts)


def read_heimao(folder: Path) -> Corpus:
    def rd(name):
        rows = list(csv.reader((folder / name).open(encoding="utf-8")))
        return [r[0] for r in rows], [r[1] for r in rows]

    xtr, ytr = rd("train.csv")
    xte, yte = rd("test.csv")
    return Corpus("黑猫 category6 (train → test)", xtr, ytr, xte, yte, "zh")


def read_cfpb(folder: Path, seed: int) -> Corpus:
    from sklearn.model_selection import train_test_split

    rows = [r for r in csv.DictReader((folder / "cfpb_product5_processed_merged.csv").open(encoding="utf-8"))
            if (r.get("narrative") or "").strip()]
    x, y = [r["narrative"] for r in rows], [r["product"] for r in rows]
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)
    return Corpus(f"CFPB product5 (80/20 holdout, seed {seed})", xtr, ytr, xte, yte, "en", scale=0.5)


_FILLERS = (
    "本人于{y}年在{lender}借款{amount}元", "我一直按时还款从未逾期", "多次联系平台都没有结果", "希望尽快给个说法",
    "请监管部门核实处理", "到现在也没有任何答复", "合同是在手机上签的", "当时说得很清楚", "已经拖了{n}个月",
    "家里老人身体不好", "我现在收入不稳定", "截图和录音都保留了", "请求依法处理", "这样的做法太不合理了",
    "之前也反映过类似问题", "对方说会在{n}个工作日内回复", "app上查不到明细", "我要求对方书面说明",
    "现在每天都很焦虑", "希望平台给出合理解决方案", "借款期限{n}期", "我只想正常解决问题",
)
_LENDERS = ("甲消费金融", "乙普惠平台", "丙小贷公司", "丁银行信用卡中心", "戊分期商城", "己助贷平台")


def synthetic(seed: int, n_train: int = 4000, n_test: int = 500) -> Corpus:
    """Deterministic for a given seed: each text is 2-4 phrases of its category from the day-one lexicon,
    sometimes one of another category, and 6-10 neutral filler clauses in shuffled order (mean ≈ 100
    characters; 黑猫: mean 138, median 93). `other` texts have no phrase of their own."""
    from xiaobao.rules import read_yaml

    lex = {c: sorted((p or {}).keys()) for c, p in read_yaml("classify_lexicon.yaml")["categories"].items()}
    cats = sorted(lex)
    rng = random.Random(seed)

    def fill(s: str) -> str:
        return s.format(y=rng.randint(2019, 2025), lender=rng.choice(_LENDERS), amount=rng.randint(5, 500) * 100,
                        n=rng.randint(2, 24))

    def one(cat: str) -> str:
        own = lex[cat]
        parts = rng.sample(own, min(len(own), rng.randint(2, 4))) if own else []
        if not own or rng.random() < 0.3:
            other = rng.choice([c for c in cats if c != cat and lex[c]])
            parts.append(rng.choice(lex[other]))
        parts += [fill(rng.choice(_FILLERS)) for _ in range(rng.randint(6, 10))]
        rng.shuffle(parts)
        return "，".join(parts) + "。"

    ys = [cats[i % len(cats)] for i in range(n_train + n_test)]
    rng.shuffle(ys)
    xs = [one(c) for c in ys]
    return Corpus(f"SYNTHETIC from rules/classify_lexicon.yaml (seed {seed})", xs[:n_train], ys[:n_train],
                  xs[n_train:], ys[n_train:], "zh", synthetic=True)


# ---- systems --------------------------------------------------------------------------------------

@dataclass
class System:
    name: str
    fit: Callable[[list[str], list[str]], Any]
    predict: Callable[[Any, Sequence[str]], list[tuple[str, float]]]
    size: Callable[[Any], tuple[int, int | None]]  # (bytes, gzipped bytes or None)
    model: Any = None
    notes: list[str] = field(default_factory=list)


def ours_system() -> System:
    from xiaobao.engines.classify.model import train

    def size(m):
        return len(m.to_bytes()), None  # already a compressed npz

    return System("ours", lambda x, y: train(x, y), lambda m, xs: m.predict(xs), size)


def peer_system(name: str, **vec_kw) -> System:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    s = System(name, None, None, None)

    def fit(x, y):
        vec = TfidfVectorizer(**vec_kw)
        xm = vec.fit_transform(x)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            lr = LogisticRegression().fit(xm, y)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            s.notes.append(f"{name}: lbfgs did not converge in max_iter=100 (default kept)")
        return vec, lr

    def predict(m, xs):
        vec, lr = m
        p = lr.predict_proba(vec.transform(xs))
        idx = p.argmax(axis=1)
        return [(lr.classes_[i], float(p[r, i])) for r, i in enumerate(idx)]

    def size(m):
        blob = pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL)
        return len(blob), len(gzip.compress(blob, 6))

    s.fit, s.predict, s.size = fit, predict, size
    return s


# ---- measuring ------------------------------------------------------------------------------------

def clock(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    gc.collect()
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def cycle(texts: Sequence[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


def load_note() -> str:
    la = os.getloadavg()
    aff = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return (f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}; CPUs allowed {aff} of {os.cpu_count()}; "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")


def fmt_rate(r: float) -> str:
    return f"{r:,.0f}"


def fmt_bytes(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def run_corpus(corpus: Corpus, a, cli_train: bool) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    from xiaobao.engines.classify.engine import ComplaintClassifier
    from xiaobao.engines.classify.model import train as fit_ours

    print(f"\n== {corpus.name}: train {len(corpus.xtr):,}, test {len(corpus.xte):,}, "
          f"{len(set(corpus.ytr))} classes, mean {statistics.mean(map(len, corpus.xte)):.0f} characters")
    if corpus.synthetic:
        print("   SYNTHETIC corpus: speed figures only; accuracy and macro-F1 below are NOT meaningful.")
    print(f"   before: {load_note()}")
    systems = [ours_system(), peer_system("peer char 1-3", analyzer="char", ngram_range=(1, 3))]
    if corpus.lang == "en":
        systems.append(peer_system("peer word"))
    train_wall: dict[str, list[float]] = {s.name: [] for s in systems}
    train_cpu: dict[str, list[float]] = {s.name: [] for s in systems}
    for _ in range(a.train_runs):
        for s in systems:
            w, c, s.model = clock(lambda s=s: s.fit(corpus.xtr, corpus.ytr))
            train_wall[s.name].append(w)
            train_cpu[s.name].append(c)
    cli = None
    if cli_train:  # services.classify.classification.train: fit on the 80 % holdout split, then on everything
        order = list(range(len(corpus.xtr)))
        random.Random(CLI_SEED).shuffle(order)
        keep = order[int(len(order) * CLI_HOLDOUT):]

        def as_cli():
            fit_ours([corpus.xtr[i] for i in keep], [corpus.ytr[i] for i in keep])
            return fit_ours(corpus.xtr, corpus.ytr)

        cli = clock(as_cli)[:2]

    ours = systems[0]
    clf = ComplaintClassifier.from_rules().with_models(ours.model, None, "model:bench")
    n_one, n_batch = max(1, int(a.one * corpus.scale)), max(1, int(a.batch * corpus.scale))
    one_texts, batch_texts = cycle(corpus.xte, n_one), cycle(corpus.xte, n_batch)
    chunks = [batch_texts[i:i + a.chunk] for i in range(0, n_batch, a.chunk)]

    def one_model(s):
        return lambda: [s.predict(s.model, [t]) for t in one_texts]

    def batch_model(s):
        return lambda: [s.predict(s.model, c) for c in chunks]

    tasks: dict[tuple[str, str], Callable[[], Any]] = {}
    for s in systems:
        tasks[(s.name, "one")] = one_model(s)
        tasks[(s.name, "batch")] = batch_model(s)
    tasks[("pipeline", "one")] = lambda: [clf.predict(t) for t in one_texts]
    tasks[("pipeline", "batch")] = lambda: [clf.predict_many(c) for c in chunks]
    for s in systems:  # warm-up: lazy vectorizers, rules automata
        s.predict(s.model, corpus.xte[:2])
    clf.predict_many(corpus.xte[:2])
    times: dict[tuple[str, str], list[tuple[float, float]]] = {k: [] for k in tasks}
    for _ in range(a.runs):
        for k, fn in tasks.items():
            times[k].append(clock(fn)[:2])

    def rates(k):
        n = n_one if k[1] == "one" else n_batch
        w = statistics.median(t[0] for t in times[k])
        c = statistics.median(t[1] for t in times[k])
        return n / w, n / max(c, 1e-9)

    quality = {}
    for s in systems:
        got = [g for g, _ in s.predict(s.model, corpus.xte)]
        quality[s.name] = (accuracy_score(corpus.yte, got), f1_score(corpus.yte, got, average="macro"))
    sizes = {s.name: s.size(s.model) for s in systems}

    # ---- table ----
    peers = systems[1:]
    head = f"   {'measure':<44} {'ours':>12}" + "".join(f" {p.name:>14}" for p in peers) \
        + "".join(f" {'ours/' + p.name.replace('peer ', ''):>11}" for p in peers)
    print(head)
    print("   " + "-" * (len(head) - 3))

    def row(label, ov, pvs, fmt, star=False):
        cells = f"   {label:<44} {fmt(ov):>12}" + "".join(f" {fmt(v) if v is not None else '—':>14}" for v in pvs)
        cells += "".join(f" {ratio(ov, v) + ('*' if star else ''):>11}" for v in pvs)
        print(cells)

    med = statistics.median
    row("train, wall s", med(train_wall["ours"]), [med(train_wall[p.name]) for p in peers], lambda v: f"{v:.1f}")
    row("train, CPU s", med(train_cpu["ours"]), [med(train_cpu[p.name]) for p in peers], lambda v: f"{v:.1f}")
    if cli:
        row("train as `classify train` does (2 fits), wall s", cli[0], [None] * len(peers), lambda v: f"{v:.1f}")
        row("train as `classify train` does (2 fits), CPU s", cli[1], [None] * len(peers), lambda v: f"{v:.1f}")
    row("accuracy (test)", quality["ours"][0], [quality[p.name][0] for p in peers], lambda v: f"{v:.4f}")
    row("macro-F1 (test)", quality["ours"][1], [quality[p.name][1] for p in peers], lambda v: f"{v:.4f}")
    for mode, label in (("one", f"one per call ({n_one:,} calls)"), ("batch", f"batched ({n_batch:,} in {a.chunk}s)")):
        ow, oc = rates(("ours", mode))
        row(f"model, {label}, /s wall", ow, [rates((p.name, mode))[0] for p in peers], fmt_rate)
        row(f"model, {label}, /CPU-s", oc, [rates((p.name, mode))[1] for p in peers], fmt_rate)
    for mode, label in (("one", "one per call (intake)"), ("batch", "batched (import)")):
        pw, pc = rates(("pipeline", mode))
        row(f"pipeline, {label}, /s wall", pw, [rates((p.name, mode))[0] for p in peers], fmt_rate, star=True)
        row(f"pipeline, {label}, /CPU-s", pc, [rates((p.name, mode))[1] for p in peers], fmt_rate, star=True)
    row("model size on disk", sizes["ours"][0], [sizes[p.name][0] for p in peers], fmt_bytes)
    row("  peer gzipped (ours is a compressed npz)", sizes["ours"][0], [sizes[p.name][1] for p in peers], fmt_bytes)
    print(f"   ours: {ours.model.meta['features']:,} features, temperature {ours.model.temperature:.3f}; "
          + "; ".join(f"{p.name}: {len(p.model[0].vocabulary_):,} features" for p in peers))
    for s in systems:
        for n in dict.fromkeys(s.notes):
            print(f"   note: {n}")
    print("   * pipeline rate divided by the peer's model alone (the peer has no rules, points or escalation)")
    print(f"   after:  {load_note()}")
    return {"train": med(train_wall["ours"]), "train_cpu": med(train_cpu["ours"]), "cli": cli,
            "one": rates(("ours", "one")), "pipe_one": rates(("pipeline", "one")),
            "pipe_batch": rates(("pipeline", "batch")), "name": corpus.name}


def goals(res: dict[str, Any]) -> None:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(f"\n   goals on {res['name']}:")
    tr = res["cli"][0] if res["cli"] else res["train"]
    print(f"     train <= {GOAL_TRAIN_S:.0f} s: {met(tr <= GOAL_TRAIN_S)} (model.train {res['train']:.1f} s wall"
          + (f"; as `classify train` runs it {res['cli'][0]:.1f} s" if res["cli"] else "") + ")")
    for key, label in (("one", "model alone, one per call"), ("pipe_one", "pipeline, one per call (intake)"),
                       ("pipe_batch", "pipeline, batched (import)")):
        w, c = res[key]
        print(f"     >= {GOAL_RATE:,.0f} predictions/s on one core, {label}: {met(c >= GOAL_RATE)} by CPU time "
              f"({fmt_rate(c)}/CPU-s), {met(w >= GOAL_RATE)} by wall ({fmt_rate(w)}/s)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--seed", type=int, default=20261120)
    ap.add_argument("--runs", type=int, default=5, help="prediction timing runs (median)")
    ap.add_argument("--train-runs", type=int, default=1, help="training runs per system (median)")
    ap.add_argument("--one", type=int, default=1000, help="one-per-call predictions per run")
    ap.add_argument("--batch", type=int, default=4000, help="batched predictions per run")
    ap.add_argument("--chunk", type=int, default=500, help="texts per call when batched")
    ap.add_argument("--synthetic", action="store_true", help="use the generated corpus even if the data is present")
    ap.add_argument("--n-train", type=int, default=4000, help="synthetic corpus: training texts")
    ap.add_argument("--n-test", type=int, default=500, help="synthetic corpus: test texts")
    ap.add_argument("--skip-cfpb", action="store_true")
    ap.add_argument("--skip-cli-train", action="store_true")
    a = ap.parse_args(argv)

    import numpy
    import sklearn
    print(f"bench/classify.py — Python {sys.version.split()[0]}, scikit-learn {sklearn.__version__}, "
          f"numpy {numpy.__version__}; runs {a.runs}, one {a.one}, batch {a.batch} in calls of {a.chunk}")
    print(f"start: {load_note()}")
    if hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) > 1:
        print("warning: not pinned to one core (use `taskset -c 0`); figures are not one-core figures")
    data = Path(a.data)
    h = data / "heimao_fin_complaints_zh" / "category6"
    c = data / "cfpb_narratives" / "cfpb_product5_processed_merged.csv"
    corpora: list[Corpus] = []
    if not a.synthetic:
        if h.exists():
            corpora.append(read_heimao(h))
        else:
            print(f"skip 黑猫: {h} absent")
        if a.skip_cfpb:
            pass
        elif c.exists():
            corpora.append(read_cfpb(c.parent, a.seed))
        else:
            print(f"skip CFPB: {c} absent")
    if not corpora:
        print(f"数据不可用（{data}）或指定 --synthetic：改用合成语料 / real data not used: falling back to a SYNTHETIC "
              "corpus generated from the lexicon — speed figures only, quality figures NOT meaningful")
        corpora.append(synthetic(a.seed, a.n_train, a.n_test))
    first = None
    for i, corpus in enumerate(corpora):
        res = run_corpus(corpus, a, cli_train=(i == 0 and not a.skip_cli_train))
        first = first or res
    goals(first)
    print(f"end: {load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
