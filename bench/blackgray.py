"""Template-family index benchmark: 1,000,000 complaint-like texts on this machine, against datasketch's
MinHashLSH and rensa's RMinHashLSH built in the same run.

    .venv/bin/python bench/blackgray.py                 # 1,000,000 texts (the figure the docs report)
    .venv/bin/python bench/blackgray.py --n 100000      # quick run
    options: --queries 1000 --recall-sample 300 --jobs 2 --skip-datasketch --skip-rensa --skip-one-core --seed N

Not a test: it prints figures and ratios, and says whether the goals were met
(build ≤ 120 s, query p99 ≤ 5 ms, not slower than datasketch at equal recall).

Corpus. `--n` texts of ≈ 160 characters drawn from a vocabulary of common complaint characters, with
slots a real complaint has (lender names, amounts, dates, ID and phone numbers, a name after 本人). 30 %
of them belong to template families of 3 to 2,000 members (heavy-tailed sizes): a family member is its
family's template with the slots filled anew, 15 % of its segments replaced, and two segments swapped in
a third of the members — the edits the engine must survive. Deterministic for a given --seed.

Each side runs in its own subprocess (so peak memory, read from /proc/self/status VmHWM, is its own)
and does the whole pipeline from raw text:
  ours        xiaobao's `Normalizer` (slot masking) → `MinHasher.signatures` (numpy over UTF-32 code
              points, rolling 4-gram hashes) → `LSHIndex.insert_many` (sorted band keys), the engine's
              configuration from rules/blackgray.yaml `families` (128 permutations, 42 bands × 3 rows,
              ≤ 2,048 ids per band per query).
              With --jobs 2 the normaliser runs in 2 processes and the hashing in 2 threads; the
              1-core figure is measured too (--skip-one-core to skip).
  datasketch  the same normaliser (same --jobs), Python char-4-gram shingle sets, `MinHash.bulk`
              (128 permutations), `MinHashLSH(params=(42, 3))` filled in an insertion session.
  rensa       the same normaliser and shingle sets, `RMinHash.digest_matrix_from_token_sets`
              (126 permutations: its bands must divide them), `RMinHashLSH(num_bands=42)`.insert_matrix.
Query: a new complaint (half of them new members of existing families), timed from raw text to the
candidate list: normalisation, sketching and the index look-up (ours also confirms candidates by
estimated Jaccard, which the peers leave to the caller). Before the queries every side runs
`gc.collect(); gc.freeze()` (what a service does after loading its index): without it a gen-2
collection over the build's objects lands in some query and the p99 measures the collector.

Recall, measured the same way for every side: a sample of indexed family members; for each, up to 100
other members of its family; a pair is a true near-duplicate when the exact Jaccard of the normalised
texts' 4-gram sets is ≥ τ; recall = share of true pairs the index returns as candidates when queried
with the member's own signature. Reported at τ = 0.5 and at the engine's family threshold (0.38). All
three sides use the same banding (42 × 3), so they are compared at (nearly) equal recall; the ratio
line says so only when the recalls are within 2 points.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _engine_families() -> dict:
    """The template-family configuration the engine runs with (rules/blackgray.yaml, `families`)."""
    from xiaobao.engines.blackgray.engine import load_detector_rules

    return dict(load_detector_rules().families)


# every side bands like the engine does, so the sides are compared at (nearly) equal recall
_FAMILIES = _engine_families()
BANDS, ROWS, NUM_PERM = _FAMILIES["bands"], _FAMILIES["rows"], _FAMILIES["num_perm"]
ENGINE_THRESHOLD = _FAMILIES["threshold"]
GOAL_BUILD_S, GOAL_P99_MS = 120.0, 5.0
COMMON = ("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学"
          "么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名"
          "法间斯知世什两次使身者被高已亲其进此话常与活正感见明问力理尔点文几定本公特做外孩相西果走将月十实向声车全信重三机工物气每并"
          "别真打太新比才便夫再书部水像眼等体却加电主界门利海受听表德少克代员许稜先口由死安写性马光白或住难望教命花结乐色更拉东神记处"
          "让母父应直字场平报友关放至张认接告入笑内英军候民岁往何度山觉路带万男边风解叫任金快原吃妈变通师立象数四失满战远格士音轻目条"
          "呢病始达深完今提求清王化空业思切怎非找片罗钱紶吗语元喜曾离飞科言干流欢约各即指合反题必该论交终林请医晚制球决窢传画保读运及"
          "则房早院量苦火布品近坐产答星精视五连司巴奇管类未朋且婚台夜青北队久乎越观落尽形影红爸百令周吧识步希亚术留市半热送兴造谈容极"
          "随演收首根讲整式取照办强石古华諣拿计您装似足双妻尼转诉米称丽客南领节衣站黑刻统断福城故历惊脸选包紧争另建维绝树系伤示愿持千"
          "催款贷借息费扣征信额度投诉客服电话短信逾期还款利率合同手续会员保险退赔偿骚扰通讯录家人单位")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国志春梅海燕晓东文博"
LENDERS = ("招联消费金融", "马上消费金融", "中原消费金融", "兴业消费金融", "中银消费金融", "捷信消费金融", "平安消费金融",
           "海尔消费金融", "苏宁消费金融", "哈银消费金融", "湖北消费金融", "蚂蚁消费金融", "小米消费金融", "宁银消费金融")


# ---- corpus ---------------------------------------------------------------------------------------

class Corpus:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = ["".join(self.rng.choice(COMMON) for _ in range(self.rng.choice((1, 2, 2, 2, 3, 4))))
                      for _ in range(6000)]
        self.bases: list[list[str]] = []

    def _segment(self) -> str:
        rng = self.rng
        return "".join(rng.choices(self.words, k=rng.randrange(5, 9))) + rng.choice("，。，；！")

    def _slots(self) -> str:
        rng = self.rng
        return rng.choice((
            f"本人{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}，",
            f"{2020 + rng.randrange(6)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日在{rng.choice(LENDERS)}借款{rng.randrange(1, 99) * 500}元，",
            f"电话1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}，",
            f"身份证号{rng.randrange(10 ** 17):017d}{rng.choice('0123456789X')}，",
            f"利率{rng.randrange(18, 36)}%，已还{rng.randrange(1, 24)}期，"))

    def _fill(self, segments: list[str]) -> str:
        rng = self.rng
        out = list(segments)
        for _ in range(2):
            out.insert(rng.randrange(len(out) + 1), self._slots())
        return "".join(out)

    def genuine(self) -> str:
        return self._fill([self._segment() for _ in range(self.rng.randrange(6, 9))])

    def new_family(self) -> int:
        self.bases.append([self._segment() for _ in range(self.rng.randrange(6, 9))])
        return len(self.bases) - 1

    def member(self, family: int) -> str:
        rng = self.rng
        segs = [s if rng.random() > 0.15 else self._segment() for s in self.bases[family]]
        if rng.random() < 0.33:
            i, j = rng.sample(range(len(segs)), 2)
            segs[i], segs[j] = segs[j], segs[i]
        return self._fill(segs)

    def build(self, n: int, family_share: float = 0.3) -> tuple[list[str], list[int]]:
        """Texts and their family (-1: none), shuffled into arrival order."""
        rng = self.rng
        labels: list[int] = []
        budget = int(n * family_share)
        while budget > 0:
            size = min(budget, max(3, min(2000, int(3 * rng.paretovariate(1.1)))))
            f = self.new_family()
            labels += [f] * size
            budget -= size
        labels += [-1] * (n - len(labels))
        rng.shuffle(labels)
        texts = [self.member(f) if f >= 0 else self.genuine() for f in labels]
        return texts, labels


# ---- workers (one subprocess per side) ------------------------------------------------------------

def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


_TEXTS: list[str] = []


def settle() -> None:
    """Before timing queries: collect once and freeze what the build left (as a long-running service
    does after loading its index), so a gen-2 collection over a million objects does not land inside
    one query's time. Done for every side alike."""
    import gc

    gc.collect()
    gc.freeze()


def _normalize_range(bounds: tuple[int, int]) -> list[str]:
    from xiaobao.engines.blackgray.normalize import default_normalizer

    nz = default_normalizer()
    return [nz.normalize(t) for t in _TEXTS[bounds[0]:bounds[1]]]


def normalize_all(texts: list[str], jobs: int) -> list[str]:
    from xiaobao.engines.blackgray.normalize import default_normalizer

    if jobs <= 1:
        nz = default_normalizer()
        return [nz.normalize(t) for t in texts]
    import multiprocessing as mp

    global _TEXTS
    _TEXTS = texts                       # inherited by the forked workers, not pickled
    step = 20_000
    chunks = [(i, min(i + step, len(texts))) for i in range(0, len(texts), step)]
    with mp.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_normalize_range, chunks, chunksize=1)
    _TEXTS = []
    return [s for part in parts for s in part]


def shingle_sets(norm: list[str], k: int = 4) -> list[list[str]]:
    return [list({s[i:i + k] for i in range(len(s) - k + 1)}) for s in norm]


def worker(side: str, data: Path, out: Path, jobs: int) -> None:
    payload = json.loads(data.read_text(encoding="utf-8"))
    texts, queries, sample = payload["texts"], payload["queries"], payload["sample"]
    base_rss = _vm_rss_mb()
    t0 = time.perf_counter()
    steps: dict[str, float] = {}
    norm = normalize_all(texts, jobs)
    steps["normalise"] = time.perf_counter() - t0
    result: dict = {"side": side, "jobs": jobs, "n": len(texts), "baseline_rss_mb": base_rss}
    if side == "ours":
        from xiaobao.engines.blackgray.families import TemplateFamilies
        from xiaobao.engines.blackgray.minhash import LSHIndex, MinHasher
        from xiaobao.engines.blackgray.normalize import default_normalizer

        cfg = TemplateFamilies(**_FAMILIES)  # the engine's own configuration
        hasher = MinHasher(num_perm=cfg.hasher.num_perm, k=cfg.hasher.k, seed=cfg.hasher.seed,
                           min_shingles=cfg.hasher.min_shingles, n_jobs=jobs)
        index = LSHIndex(num_perm=cfg.index.num_perm, bands=cfg.index.bands, rows=cfg.index.rows,
                         max_per_band=cfg.index.max_per_band, seed=cfg.hasher.seed)
        t = time.perf_counter()
        sigs = hasher.signatures(norm)
        steps["sketch"] = time.perf_counter() - t
        del norm
        t = time.perf_counter()
        index.insert_many(range(len(texts)), sigs)
        steps["insert"] = time.perf_counter() - t
        del sigs
        build = time.perf_counter() - t0
        nz = default_normalizer()
        one = MinHasher(num_perm=hasher.num_perm, k=hasher.k, seed=hasher.seed, min_shingles=hasher.min_shingles)
        lat = []
        settle()
        for q in queries:
            t = time.perf_counter()
            sig = one.signature(nz.normalize(q))
            if sig is not None:
                index.query_jaccard(sig, cfg.threshold)
            lat.append(time.perf_counter() - t)
        cands = {str(i): [c for c in index.query(index.signature(i)) if c != i] for i in sample}
    elif side == "datasketch":
        from datasketch import MinHash, MinHashLSH

        from xiaobao.engines.blackgray.normalize import default_normalizer

        t = time.perf_counter()
        sets = shingle_sets(norm)
        steps["shingle"] = time.perf_counter() - t
        del norm
        t = time.perf_counter()
        mhs = MinHash.bulk([[s.encode("utf-8") for s in st] for st in sets], num_perm=NUM_PERM)
        steps["sketch"] = time.perf_counter() - t
        del sets
        t = time.perf_counter()
        lsh = MinHashLSH(threshold=ENGINE_THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
        with lsh.insertion_session() as session:
            for i, m in enumerate(mhs):
                session.insert(i, m, check_duplication=False)
        steps["insert"] = time.perf_counter() - t
        build = time.perf_counter() - t0
        nz = default_normalizer()
        lat = []
        settle()
        for q in queries:
            t = time.perf_counter()
            s = nz.normalize(q)
            m = MinHash(num_perm=NUM_PERM)
            m.update_batch([s[i:i + 4].encode("utf-8") for i in range(len(s) - 3)])
            lsh.query(m)
            lat.append(time.perf_counter() - t)
        cands = {str(i): [c for c in lsh.query(mhs[i]) if c != i] for i in sample}
    elif side == "rensa":
        from rensa import RMinHash, RMinHashLSH

        from xiaobao.engines.blackgray.normalize import default_normalizer

        perms = NUM_PERM - NUM_PERM % BANDS
        t = time.perf_counter()
        sets = shingle_sets(norm)
        steps["shingle"] = time.perf_counter() - t
        del norm
        t = time.perf_counter()
        matrix = RMinHash.digest_matrix_from_token_sets(sets, perms, 42)
        steps["sketch"] = time.perf_counter() - t
        t = time.perf_counter()
        lsh = RMinHashLSH(threshold=ENGINE_THRESHOLD, num_perm=perms, num_bands=BANDS)
        lsh.insert_matrix(matrix)
        steps["insert"] = time.perf_counter() - t
        build = time.perf_counter() - t0
        nz = default_normalizer()
        lat = []
        settle()
        for q in queries:
            t = time.perf_counter()
            s = nz.normalize(q)
            m = RMinHash(num_perm=perms, seed=42)
            m.update(list({s[i:i + 4] for i in range(len(s) - 3)}))
            lsh.query(m)
            lat.append(time.perf_counter() - t)
        cands = {}
        for i in sample:
            m = RMinHash(num_perm=perms, seed=42)
            m.update(sets[i])
            cands[str(i)] = [c for c in lsh.query(m) if c != i]
    else:
        raise SystemExit(f"unknown side {side}")
    lat.sort()
    result.update(build_s=build, steps=steps, peak_mb=_vm_hwm_mb(),
                  p50_ms=lat[len(lat) // 2] * 1e3, p99_ms=lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e3,
                  candidates=cands)
    out.write_text(json.dumps(result), encoding="utf-8")


# ---- parent -----------------------------------------------------------------------------------------

def run_side(side: str, data: Path, tmp: Path, jobs: int) -> dict | None:
    out = tmp / f"{side}-{jobs}.json"
    cmd = [sys.executable, __file__, "--worker", side, "--data", str(data), "--out", str(out), "--jobs", str(jobs)]
    print(f"  running {side} ({jobs} core{'s' if jobs > 1 else ''}) …", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"  {side} failed:\n{proc.stderr[-2000:]}")
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def true_pairs(texts: list[str], labels: list[int], sample: list[int], seed: int) -> dict[float, list[tuple[int, int]]]:
    from xiaobao.engines.blackgray.normalize import normalize

    rng = random.Random(seed)
    members: dict[int, list[int]] = {}
    for i, f in enumerate(labels):
        if f >= 0:
            members.setdefault(f, []).append(i)
    cache: dict[int, set[str]] = {}

    def grams(i: int) -> set[str]:
        if i not in cache:
            s = normalize(texts[i])
            cache[i] = {s[j:j + 4] for j in range(len(s) - 3)}
        return cache[i]

    pairs: dict[float, list[tuple[int, int]]] = {0.5: [], ENGINE_THRESHOLD: []}
    for i in sample:
        others = [j for j in members[labels[i]] if j != i]
        for j in rng.sample(others, min(100, len(others))):
            a, b = grams(i), grams(j)
            jac = len(a & b) / len(a | b) if a and b else 0.0
            for tau, found in pairs.items():
                if jac >= tau:
                    found.append((i, j))
    return pairs


def recall(res: dict, pairs: list[tuple[int, int]]) -> float:
    cands = {int(k): set(v) for k, v in res["candidates"].items()}
    return sum(j in cands[i] for i, j in pairs) / len(pairs) if pairs else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--recall-sample", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-datasketch", action="store_true")
    ap.add_argument("--skip-rensa", action="store_true")
    ap.add_argument("--skip-one-core", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.out, args.jobs)
        return 0

    print(f"black/gray template-family index benchmark — {platform.python_version()}, {os.cpu_count()} cores, n={args.n:,}")
    t = time.perf_counter()
    gen = Corpus(args.seed)
    texts, labels = gen.build(args.n)
    rng = random.Random(args.seed + 1)
    fams = sorted({f for f in labels if f >= 0})
    queries = [gen.member(rng.choice(fams)) if k % 2 == 0 else gen.genuine() for k in range(args.queries)]
    in_family = [i for i, f in enumerate(labels) if f >= 0]
    sample = sorted(rng.sample(in_family, min(args.recall_sample, len(in_family))))
    sizes = sorted((labels.count(f) for f in fams[:0]), reverse=True)
    counts: dict[int, int] = {}
    for f in labels:
        if f >= 0:
            counts[f] = counts.get(f, 0) + 1
    sizes = sorted(counts.values(), reverse=True)
    print(f"corpus: {len(texts):,} texts, mean {sum(map(len, texts)) / len(texts):.0f} chars, {len(sizes):,} families "
          f"(largest {sizes[:3]}, {sum(sizes):,} members); generated in {time.perf_counter() - t:.1f} s")
    pairs = true_pairs(texts, labels, sample, args.seed)
    print(f"recall sample: {len(sample)} members, true pairs {len(pairs[0.5])} at τ=0.5, "
          f"{len(pairs[ENGINE_THRESHOLD])} at τ={ENGINE_THRESHOLD}")
    with tempfile.TemporaryDirectory(prefix="xiaobao-bg-bench-") as d:
        tmp = Path(d)
        data = tmp / "corpus.json"
        data.write_text(json.dumps({"texts": texts, "queries": queries, "sample": sample}, ensure_ascii=False),
                        encoding="utf-8")
        del texts
        runs = []
        sides = [("ours", args.jobs)]
        if args.jobs > 1 and not args.skip_one_core:
            sides.append(("ours", 1))
        if not args.skip_rensa:
            sides.append(("rensa", args.jobs))
        if not args.skip_datasketch:
            sides.append(("datasketch", args.jobs))
        for side, jobs in sides:
            r = run_side(side, data, tmp, jobs)
            if r:
                r["recall_050"] = recall(r, pairs[0.5])
                r["recall_thr"] = recall(r, pairs[ENGINE_THRESHOLD])
                runs.append(r)
    print(f"\n{'side':<18}{'build s':>9}{'steps (s)':>44}{'peak MB':>9}{'index MB':>9}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'recall≥.5':>10}{'recall≥' + str(ENGINE_THRESHOLD):>12}")
    for r in runs:
        steps = " ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
        print(f"{r['side'] + ' (' + str(r['jobs']) + ' core' + ('s' if r['jobs'] > 1 else '') + ')':<18}"
              f"{r['build_s']:>9.1f}{steps:>44}{r['peak_mb']:>9.0f}{r['peak_mb'] - r['baseline_rss_mb']:>9.0f}"
              f"{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['recall_050']:>10.3f}{r['recall_thr']:>12.3f}")
    ours = next((r for r in runs if r["side"] == "ours" and r["jobs"] == args.jobs), None)
    if ours:
        print(f"\ngoal build ≤ {GOAL_BUILD_S:.0f} s: {'met' if ours['build_s'] <= GOAL_BUILD_S else 'NOT met'} "
              f"({ours['build_s']:.1f} s);  query p99 ≤ {GOAL_P99_MS:.0f} ms: "
              f"{'met' if ours['p99_ms'] <= GOAL_P99_MS else 'NOT met'} ({ours['p99_ms']:.2f} ms)")
        for peer in runs:
            if peer["side"] == "ours":
                continue
            equal = abs(peer["recall_050"] - ours["recall_050"]) <= 0.02
            print(f"vs {peer['side']}: build {peer['build_s'] / ours['build_s']:.1f}× faster, query p99 "
                  f"{peer['p99_ms'] / ours['p99_ms']:.1f}× faster, peak memory {peer['peak_mb'] / ours['peak_mb']:.2f}× "
                  f"less; recall {ours['recall_050']:.3f} vs {peer['recall_050']:.3f} "
                  f"({'equal within 2 points' if equal else 'NOT equal: compare with care'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
