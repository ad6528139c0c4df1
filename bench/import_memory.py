"""Import memory benchmark: peak RSS and rate of `xiaobao import` on a large, realistic file.

    .venv/bin/python bench/import_memory.py [--rows 200000] [--batch-size 2000] [--breakdown]
                                            [--src DIR] [--seed N] [--keep]
    .venv/bin/python bench/import_memory.py --verdicts 50000 [--src DIR]

Not a test: it prints figures and says whether the goal (issue 17: peak RSS ≤ 400 MB for 200,000 rows)
was met.

Data: --rows complaints written by the demo's generator (`xiaobao.demo.complaints._generate`, the one
`xiaobao demo` uses: individual retellings of each category's facts in customers' own words, repeat
customers, relatives and lawyers filing for others, and the proxy agencies' template filings that the
black/gray engine should find), in chunks of 10,000 with a seed each, their ids made unique per chunk.
Not one template family: what the detector keeps per complaint depends on how alike the texts are.

Run: a fresh migrated SQLite database; `import_file` in a subprocess of its own (`--child`), so the
peak is the import's and nothing of the generator's. The child prints its peak RSS (`ru_maxrss`), its
current RSS every 10 % of the rows (the slope is what grows per row), the rate, and with --breakdown
what the black/gray detector holds per complaint at the end (a walk over its structures; slow).
--src runs the child on another checkout's `src` (e.g. a tree from `git archive` of an older commit)
for before/after figures on the same data.

--verdicts N (no import, no database): the same N generated complaints fed to a black/gray `Detector`
in import-sized batches, as triage feeds it, printing one hash of every verdict, every batch's
affected set and re-scored briefs, and every final verdict. Run it with --src on two trees: the same
hash says a change of the detector's memory layout changed no result.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MB, GOAL_ROWS = 400, 200_000
CHUNK = 10_000


def generate(path: Path, rows: int, seed: int, end: datetime) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from xiaobao.demo.complaints import _generate

    lengths, t0 = [], time.perf_counter()
    with path.open("w", encoding="utf-8") as f:
        for c in range(0, rows, CHUNK):
            for r in _generate(min(CHUNK, rows - c), random.Random(seed + c), end - timedelta(days=182), end):
                r.raw["external_id"] = f"M{c // CHUNK:03d}-{r.raw['external_id']}"
                lengths.append(len(r.raw["text"]))
                f.write(json.dumps(r.raw, ensure_ascii=False) + "\n")
    lengths.sort()
    return {"seconds": time.perf_counter() - t0, "bytes": path.stat().st_size,
            "text_median": lengths[len(lengths) // 2], "text_max": lengths[-1]}


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def child(args) -> None:
    """The import, alone in this process; one JSON line on stdout."""
    sys.path.insert(0, args.src)
    from xiaobao.config import Settings
    from xiaobao.engines.privacy.vault import Vault
    from xiaobao.rules import load
    from xiaobao.services.complaints.intake.importing import import_file
    from xiaobao.services.context import Context
    from xiaobao.store.uow import Store

    tmp = Path(args.child[1]).parent
    url = f"sqlite:///{args.child[1]}"
    settings = Settings(database_url=url, keyfile=str(tmp / "keys.json"), argon2="1,1024,1",
                        **({"import_batch_size": args.batch_size} if args.batch_size else {}))
    ctx = Context(store=Store(url), rules=load(), vault=Vault.generate(), settings=settings,
                  now=lambda: args.now)
    total, marks, done = args.rows, [], [0]
    step = max(1, total // 10)

    def progress(n: int) -> None:
        before = done[0]
        done[0] += n
        if done[0] // step != before // step:
            marks.append((done[0], round(_rss_mb(), 1)))

    start_rss, t0 = _rss_mb(), time.perf_counter()
    report = import_file(ctx, Path(args.child[0]), actor="bench", errors_path=tmp / "errors.csv", progress=progress)
    secs = time.perf_counter() - t0
    out = {"rows": report.rows, "inserted": report.inserted, "errors": report.error_count, "seconds": secs,
           "start_rss_mb": round(start_rss, 1), "end_rss_mb": round(_rss_mb(), 1),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "marks": marks}
    if args.breakdown:
        out["detector"] = breakdown(ctx)
    print(json.dumps(out))


def verdicts(args) -> None:
    """The --verdicts child: one line, the hash and the detector's peak RSS."""
    import hashlib

    sys.path.insert(0, args.src)
    from xiaobao.engines.blackgray.incremental import Detector
    from xiaobao.services.complaints.intake.drafts import parse_time

    det, today, h = Detector(), args.now.date(), hashlib.sha256()

    def dump(x) -> bytes:
        return json.dumps(x, sort_keys=True, default=str, ensure_ascii=False).encode()

    docs_all: list[str] = []
    t0 = time.perf_counter()
    with open(args.verdicts_child, encoding="utf-8") as f:
        while True:
            batch = [json.loads(line) for _, line in zip(range(2000), f)]
            if not batch:
                break
            items = []
            for r in batch:
                r["received_at"] = parse_time(r["received_at"])
                items.append((f"{r['channel']}:{r['external_id']}", r, r.get("customer_phone") or "anon"))
            det.add_many(items, today=today)
            docs = [d for d, _, _ in items]
            docs_all += docs
            for d in docs:
                h.update(dump(det.result(d, today).to_dict()))
            affected = sorted(det.affected_many(docs))
            h.update(dump(affected))
            changed = det.briefs_changed(affected, today)
            h.update(dump(changed))
            for d, brief, values in changed:
                det.published(d, brief, values)
    for d in docs_all:
        h.update(dump(det.result(d, today).to_dict()))
    print(json.dumps({"hash": h.hexdigest(), "complaints": len(docs_all), "seconds": time.perf_counter() - t0,
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


def breakdown(ctx) -> dict:
    """Bytes per indexed complaint of each part of this process's black/gray detector (each object
    counted once, under the first part that reaches it; numpy arrays with their buffers)."""
    from xiaobao.services.blackgray import triage

    st = triage.state(ctx)
    det = st.detector
    n = max(1, len(det))
    seen: set[int] = set()

    def size(root) -> int:
        total, stack = 0, [root]
        while stack:
            x = stack.pop()
            if id(x) in seen or isinstance(x, type) or callable(x) and not hasattr(x, "__dict__"):
                continue
            seen.add(id(x))
            total += sys.getsizeof(x)
            if isinstance(x, dict):
                stack.extend(x.keys())
                stack.extend(x.values())
            elif isinstance(x, (list, tuple, set, frozenset)):
                stack.extend(x)
            elif not isinstance(x, (str, bytes, int, float, bool, type(None))) and type(x).__module__ != "numpy":
                if hasattr(x, "__dict__"):
                    stack.append(x.__dict__)
                for s in getattr(type(x), "__slots__", ()) or ():
                    if hasattr(x, s):
                        stack.append(getattr(x, s))
        return total

    parts: dict[str, int] = {}
    for name in ("scoring", "lexicon", "intel", "rules"):  # shared set-up, not per complaint
        size(getattr(det, name, None))
    parts["state.ids"] = size(st.ids)
    for sub in ("index", "families", "gangs", "repeats", "bursts"):
        obj = det.families.index if sub == "index" else getattr(det, sub)
        for k, v in vars(obj).items():
            parts[f"{sub}.{k}"] = size(v)
    for k, v in vars(det).items():
        if k not in ("families", "gangs", "repeats", "bursts", "scoring", "lexicon", "intel", "rules"):
            parts[f"detector.{k}"] = size(v)
    total = sum(parts.values())
    top = sorted(((v, k) for k, v in parts.items() if v), reverse=True)
    return {"complaints": len(det), "bytes_per_complaint": round(total / n), "total_mb": round(total / 2 ** 20, 1),
            "parts": {k: round(v / n) for v, k in top[:25]}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=GOAL_ROWS)
    ap.add_argument("--batch-size", type=int, default=0, help="rows per transaction (default: the setting's, 2000)")
    ap.add_argument("--breakdown", action="store_true", help="what the black/gray detector holds per complaint")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the source tree the import runs (default: this one)")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--verdicts", type=int, default=0, metavar="N",
                    help="hash the detector's verdicts on N generated complaints (no import); compare --src trees")
    ap.add_argument("--child", nargs=2, metavar=("JSONL", "DB"), help=argparse.SUPPRESS)
    ap.add_argument("--verdicts-child", help=argparse.SUPPRESS)
    ap.add_argument("--now", type=datetime.fromisoformat, default=datetime(2026, 11, 20, 10, 0), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return 0
    if args.verdicts_child:
        verdicts(args)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="xiaobao-importmem-"))
    try:
        jsonl, db = tmp / "complaints.jsonl", tmp / "import.db"
        if args.verdicts:
            generate(jsonl, args.verdicts, args.seed, args.now - timedelta(hours=1))
            proc = subprocess.run([sys.executable, __file__, "--verdicts-child", str(jsonl), "--src", args.src,
                                   "--now", args.now.isoformat()], env={**os.environ, "PYTHONPATH": args.src},
                                  capture_output=True, text=True, check=False)
            if proc.returncode:
                print(proc.stderr[-3000:], file=sys.stderr)
                return proc.returncode
            v = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"verdicts of {v['complaints']:,} complaints ({args.src}): {v['hash']} "
                  f"({v['seconds']:.0f} s, detector process peak RSS {v['peak_rss_mb']:.0f} MB)")
            return 0
        gen = generate(jsonl, args.rows, args.seed, args.now - timedelta(hours=1))
        print(f"data: {args.rows:,} demo-generator complaints, {gen['bytes'] / 1e6:.0f} MB JSONL, text median "
              f"{gen['text_median']} chars (max {gen['text_max']}); generated in {gen['seconds']:.0f} s", flush=True)
        env = {**os.environ, "PYTHONPATH": args.src}
        subprocess.run([sys.executable, "-c", "import sys; from xiaobao.store.migrate import upgrade; "
                        "upgrade(sys.argv[1])", f"sqlite:///{db}"], env=env, check=True)
        cmd = [sys.executable, __file__, "--child", str(jsonl), str(db), "--rows", str(args.rows),
               "--src", args.src, "--now", args.now.isoformat()]
        if args.batch_size:
            cmd += ["--batch-size", str(args.batch_size)]
        if args.breakdown:
            cmd.append("--breakdown")
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        marks = r["marks"]
        print(f"import ({'this checkout' if Path(args.src).resolve() == (ROOT / 'src').resolve() else args.src}, "
              f"SQLite, one process): {r['inserted']:,} of {r['rows']:,} rows stored, {r['errors']} error rows, "
              f"{r['rows'] / r['seconds']:,.0f} rows/s ({r['seconds']:.0f} s)")
        print(f"RSS: {r['start_rss_mb']:.0f} MB before the import, peak {r['peak_rss_mb']:.0f} MB (ru_maxrss), "
              f"{r['end_rss_mb']:.0f} MB at the end")
        print("RSS by rows done: " + ", ".join(f"{n // 1000}k {mb:.0f}" for n, mb in marks))
        if len(marks) >= 2:
            (n1, m1), (n2, m2) = marks[len(marks) // 2 - 1], marks[-1]
            if n2 > n1:
                print(f"growth: {(m2 - m1) * 2 ** 20 / (n2 - n1) / 1024:.1f} KB per row (from {n1:,} to {n2:,} rows)")
        if "detector" in r:
            d = r["detector"]
            print(f"black/gray detector: {d['complaints']:,} complaints indexed, {d['total_mb']:.0f} MB of Python "
                  f"objects and arrays, {d['bytes_per_complaint']:,} bytes per complaint; largest parts (bytes each):")
            for k, v in d["parts"].items():
                print(f"  {k:<34} {v:>6,}")
        if args.rows >= GOAL_ROWS:
            ok = r["peak_rss_mb"] <= GOAL_MB
            print(f"goal: peak RSS ≤ {GOAL_MB} MB for {GOAL_ROWS:,} rows — {'met' if ok else 'NOT met'} "
                  f"({r['peak_rss_mb']:.0f} MB)")
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
