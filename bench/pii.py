"""PII benchmark: throughput and F1 of xiaobao's scanner beside Microsoft Presidio and JioNLP, in the
same process, on the same texts.

    taskset -c 0 .venv/bin/python bench/pii.py [--mb 2] [--runs 3] [--records 20000] [--data ../shared/data]

Not a test: it prints figures and ratios, and says whether the issue's goals were met.

Texts, two corpora:
  labelled - the labelled set `eval/pii/labelled.jsonl` (chat lines, complaint excerpts, collection
             notes, CSV rows, JSON lines with decoys; ≈ 150 characters, ≈ 4.7 PII values each: dense),
             repeated to --mb megabytes of UTF-8; F1 is measured on it;
  complaints - real consumer-finance complaints nobody here wrote (黑猫投诉, `heimao_fin_complaints_zh`
             under --data: its category6 train/dev/test texts, deduplicated; few PII values, as in
             real intake), cut to --mb megabytes; skipped with a message when the data is absent.
Throughput is MB/s of that text (UTF-8 bytes) and documents/s on one core: median of --runs runs,
the tools' runs interleaved (run 1 of every tool, then run 2 …) so that load from other jobs on a
shared machine falls on all of them alike; wall-clock figures, with the ratios also given on CPU
time (process_time), which such load disturbs less. xiaobao is measured with all 16 types and with the
same 7 types Presidio is set up for (like for like), each as `scan`, one document per call (as the
peers are called), and as `scan_many`, its batch API (256 documents per call; same hits, checked
here).
Peers, set up as in shared/reference/peers.md:
  presidio - presidio-analyzer with NoOpNlpEngine (no model download), the built-in Email, IP,
             CreditCard and Phone(CN) recognizers plus PatternRecognizers for CN ID (GB 11643 check in
             validate_result), CN mobile and USCC (GB 32100 check); language "zh".
  jionlp   - five extract_* calls per document: email, phone_number, id_card, ip_address, qq.
F1 is exact-span micro F1 on the labelled set, for each peer over the types it attempts (and ours
over the same types), plus ours over every type.
JSON: records/s anonymising --records generated customer records (name, phone, ID, channel, amount,
a labelled-set text, tags): ours (all types, and the same 7) `Anonymizer.document` one record per
call and `documents` (batch)
under the `export` policy (keyed tokens and format-preserving numbers for the known fields, the
free text scanned); Presidio's `BatchAnalyzerEngine.analyze_dict` + presidio-anonymizer's
`BatchAnonymizerEngine.anonymize_dict` (every string field analysed; hash for IDs, cards and
phones, replace for the rest), one record per call. Interleaved runs as for text.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xiaobao.engines.privacy import checks
from xiaobao.engines.privacy.evaluation import evaluate
from xiaobao.engines.privacy.operators import Operators
from xiaobao.engines.privacy.policy import Anonymizer, get_policy
from xiaobao.engines.privacy.scanner import Scanner, default_scanner
from xiaobao.engines.privacy.vault import Vault

LABELLED = ROOT / "eval" / "pii" / "labelled.jsonl"


def load_docs() -> list[dict]:
    return [json.loads(line) for line in LABELLED.open(encoding="utf-8") if line.strip()]


# ---- peers --------------------------------------------------------------------------------------

def heimao_texts(data: Path) -> list[str]:
    folder = data / "heimao_fin_complaints_zh" / "category6"
    seen: dict[str, None] = {}
    for name in ("train.csv", "dev.csv", "test.csv"):
        with (folder / name).open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                if row and row[0].strip():
                    seen.setdefault(row[0])
    return list(seen)


def presidio_engine():
    """Presidio's analyzer as peers.md sets it up: no NLP model, pattern recognizers for the CN types."""
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer import (
        AnalyzerEngine,
        Pattern,
        PatternRecognizer,
        RecognizerRegistry,
    )
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )

    class CnIdRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text):
            return checks.id18_ok(pattern_text.upper())

    class UsccRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text):
            return checks.uscc_ok(pattern_text)

    registry = RecognizerRegistry(supported_languages=["zh"])
    registry.add_recognizer(EmailRecognizer(supported_language="zh"))
    registry.add_recognizer(IpRecognizer(supported_language="zh"))
    registry.add_recognizer(CreditCardRecognizer(supported_language="zh"))
    registry.add_recognizer(PhoneRecognizer(supported_language="zh", supported_regions=("CN",)))
    registry.add_recognizer(CnIdRecognizer(supported_entity="CN_ID_CARD", supported_language="zh",
                                           patterns=[Pattern("cn_id", r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])", 0.5)]))
    registry.add_recognizer(PatternRecognizer(supported_entity="CN_MOBILE", supported_language="zh",
                                              patterns=[Pattern("cn_mobile", r"(?<!\d)1[3-9]\d{9}(?!\d)", 0.6)]))
    registry.add_recognizer(UsccRecognizer(supported_entity="CN_USCC", supported_language="zh",
                                           patterns=[Pattern("uscc", r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])", 0.5)]))
    # Offline: tldextract would fetch the public-suffix list on first use; use its bundled snapshot.
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer
    email_recognizer.tldextract = type("T", (), {"extract": staticmethod(tldextract.TLDExtract(suffix_list_urls=()))})
    return AnalyzerEngine(registry=registry, nlp_engine=NoOpNlpEngine(models=[{"lang_code": "zh", "model_name": "noop"}]), supported_languages=["zh"])


PRESIDIO_TYPES = ("EMAIL", "IP_ADDRESS", "BANK_CARD", "CN_MOBILE", "CN_ID_CARD", "CN_USCC", "CN_LANDLINE")


def presidio_predictor(engine=None):
    engine = engine or presidio_engine()
    type_map = {"EMAIL_ADDRESS": "EMAIL", "IP_ADDRESS": "IP_ADDRESS", "CREDIT_CARD": "BANK_CARD",
                "PHONE_NUMBER": "CN_MOBILE", "CN_ID_CARD": "CN_ID_CARD", "CN_MOBILE": "CN_MOBILE", "CN_USCC": "CN_USCC"}

    def predict(text):
        out = {}
        for r in engine.analyze(text=text, language="zh", score_threshold=0.4):
            t = type_map.get(r.entity_type)
            if t:
                out[(r.start, r.end)] = t
        return [(a, b, t) for (a, b), t in out.items()]
    return predict, set(PRESIDIO_TYPES)


def presidio_records(engine):
    """Anonymise one JSON record with Presidio: analyze_dict, then anonymize_dict."""
    from presidio_analyzer import BatchAnalyzerEngine
    from presidio_anonymizer import BatchAnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig

    analyzer, anonymizer = BatchAnalyzerEngine(analyzer_engine=engine), BatchAnonymizerEngine()
    hashed = OperatorConfig("hash", {"hash_type": "sha256"})
    operators = {"DEFAULT": OperatorConfig("replace"), "CN_ID_CARD": hashed, "CREDIT_CARD": hashed,
                 "PHONE_NUMBER": hashed, "CN_MOBILE": hashed}

    def anonymise(record: dict) -> dict:
        results = analyzer.analyze_dict(record, language="zh", score_threshold=0.4)
        return anonymizer.anonymize_dict(results, operators=operators)
    return anonymise


def jionlp_predictor():
    import jionlp as jio

    def predict(text):
        out = []
        for h in jio.extract_email(text, detail=True):
            out.append((*h["offset"], "EMAIL"))
        for h in jio.extract_phone_number(text, detail=True):
            out.append((*h["offset"], "CN_MOBILE" if h["type"] == "cell_phone" else "CN_LANDLINE"))
        for h in jio.extract_id_card(text, detail=True):
            out.append((*h["offset"], "CN_ID_CARD"))
        for h in jio.extract_ip_address(text, detail=True):
            out.append((*h["offset"], "IP_ADDRESS"))
        for h in jio.extract_qq(text, detail=True):
            out.append((*h["offset"], "QQ_NUMBER"))
        return out
    return predict, {"EMAIL", "CN_MOBILE", "CN_LANDLINE", "CN_ID_CARD", "IP_ADDRESS", "QQ_NUMBER"}


def ours_predictor(scanner=None):
    scanner = scanner or default_scanner()

    def predict(text):
        return [(h.start, h.end, h.type) for h in scanner.scan(text)]
    return predict


# ---- measurement --------------------------------------------------------------------------------

def micro_f1(scores) -> float:
    tp, fp, fn = sum(scores.tp.values()), sum(scores.fp.values()), sum(scores.fn.values())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def timed(tools: list[tuple[str, object]], items: list, runs: int) -> dict[str, tuple[float, float]]:
    """{name: (wall s, CPU s)}, medians over `runs` interleaved runs (run 1 of every tool, then run
    2 …). Each tool is a per-item function, or ("many", fn) for a function over the whole list."""
    wall: dict[str, list[float]] = {name: [] for name, _ in tools}
    cpu: dict[str, list[float]] = {name: [] for name, _ in tools}
    for _ in range(runs):
        for name, fn in tools:
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            if isinstance(fn, tuple):
                fn[1](items)
            else:
                for x in items:
                    fn(x)
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name, _ in tools}


def records(n: int) -> list[dict]:
    docs = load_docs()
    out = []
    for i in range(n):
        d = docs[i % len(docs)]
        out.append({"customer_name": "王小明", "customer_phone": f"139{i:08d}", "customer_id_number": "11010519491231002X",
                    "channel": "app", "amount": 1234.5, "text": d["text"], "tags": ["催收", "利率"]})
    return out


def sized(base: list[str], mb: float, repeat: bool) -> list[str]:
    """`base` repeated (or cut) to about `mb` megabytes of UTF-8."""
    out, size = [], 0
    while size < mb * 1e6:
        for t in base:
            out.append(t)
            size += len(t.encode())
            if size >= mb * 1e6:
                break
        if not repeat:
            break
    return out


def goal(ratio: float, target: float) -> str:
    return f" (goal ≥ {target:.0f}×: {'met' if ratio >= target else 'NOT met'})"


def text_runs(title: str, texts: list[str], tools: list, runs: int) -> dict[str, tuple[float, float, float]]:
    """Throughput of every tool on `texts`: {name: (MB/s, docs/s, CPU MB/s)}, printed."""
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"\n## {title}: {len(texts)} documents, {mb:.2f} MB UTF-8, "
          f"{statistics.mean(len(t) for t in texts):.0f} characters each on average")
    got = timed([(name, fn) for name, fn, _ in tools], texts, runs)
    return {name: (mb / w, len(texts) / w, mb / c) for name, (w, c) in got.items()}


def ratios(results: dict, peers: tuple[tuple[str, float | None], ...], mine: tuple[str, ...]) -> None:
    for m in mine:
        for peer, target in peers:
            if m in results and peer in results:
                ratio, cpu_ratio = results[m][0] / results[peer][0], results[m][2] / results[peer][2]
                print(f"{m} / {peer}: {ratio:.2f}× throughput (CPU time {cpu_ratio:.2f}×)"
                      + (goal(ratio, target) if target else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=2.0, help="megabytes of text per corpus for the throughput runs")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="folder holding heimao_fin_complaints_zh")
    a = ap.parse_args()
    docs = load_docs()
    base = [d["text"] for d in docs]
    print(f"# PII benchmark — {platform.python_implementation()} {platform.python_version()}, one core")
    if hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) > 1:
        print("warning: not pinned to one core (use `taskset -c 0`); figures are not one-core figures")

    scanner = default_scanner()
    same = Scanner(types=PRESIDIO_TYPES)

    def batch_of(sc: Scanner):
        def many(batch: list[str]) -> list[list[tuple[int, int, str]]]:
            return [[(h.start, h.end, h.type) for h in hits] for hits in sc.scan_many(batch)]
        return many
    tools = []
    for name, sc, types in (("xiaobao", scanner, None), ("xiaobao-7types", same, set(PRESIDIO_TYPES))):
        one, many = ours_predictor(sc), batch_of(sc)
        by_text = dict(zip(base, many(base)))
        assert all(by_text[t] == one(t) for t in base), "scan_many disagrees with scan"
        tools += [(name, one, types), (name + "-batch", ("many", many), (types, by_text))]
    engine = None
    for name, factory in (("presidio", presidio_engine), ("jionlp", jionlp_predictor)):
        try:
            if name == "presidio":
                engine = factory()
                predict, types = presidio_predictor(engine)
            else:
                predict, types = factory()
            tools.append((name, predict, types))
        except ImportError as e:
            print(f"{name}: not installed ({e}); pip install -e '.[bench]'")

    labelled = text_runs("labelled set (repeated)", sized(base, a.mb, repeat=True), tools, a.runs)
    for name, predict, types in tools:
        if isinstance(predict, tuple):
            types, by_text = types
            predict = by_text.__getitem__  # the batch's hits, computed above
        mbs, dps, cpu_mbs = labelled[name]
        f1_own_types = micro_f1(evaluate(docs, predict, types))
        ours_same = micro_f1(evaluate(docs, ours_predictor(scanner), types)) if types else None
        dec = evaluate(docs, predict)
        extra = f"; xiaobao on the same types {ours_same:.3f}" if ours_same is not None and not name.startswith("xiaobao") else ""
        print(f"{name:<20} {mbs:7.2f} MB/s {dps:10.0f} docs/s (CPU {cpu_mbs:5.2f} MB/s) | micro-F1 on its types "
              f"{f1_own_types:.3f}{extra}; all 16 types {micro_f1(dec):.3f}; decoys reported {dec.decoy_hits}/{dec.decoys}")
    mine = ("xiaobao", "xiaobao-batch", "xiaobao-7types", "xiaobao-7types-batch")
    ratios(labelled, (("presidio", 20.0), ("jionlp", None)), mine)

    data = Path(a.data)
    if (data / "heimao_fin_complaints_zh" / "category6").exists():
        real = sized(heimao_texts(data), a.mb, repeat=False)
        complaints = text_runs("complaints (黑猫投诉, real text)", real, tools, a.runs)
        for name, predict, _ in tools:
            found = sum(len(x) for x in (predict[1](real) if isinstance(predict, tuple) else map(predict, real)))
            mbs, dps, cpu_mbs = complaints[name]
            print(f"{name:<20} {mbs:7.2f} MB/s {dps:10.0f} docs/s (CPU {cpu_mbs:5.2f} MB/s) | values reported {found}")
        ratios(complaints, (("presidio", 20.0), ("jionlp", None)), mine)
    else:
        print(f"\ncomplaints corpus skipped: {data / 'heimao_fin_complaints_zh' / 'category6'} is absent")

    ops, pol = Operators(Vault.generate()), get_policy("export")
    recs = records(a.records)
    json_tools = []
    for name, sc in (("xiaobao", scanner), ("xiaobao-7types", same)):
        anon = Anonymizer(ops, sc)
        json_tools += [(name, lambda r, anon=anon: anon.document(r, pol)),
                       (name + "-batch", ("many", lambda rs, anon=anon: anon.documents(rs, pol)))]
    if engine is not None:
        try:
            json_tools.append(("presidio", presidio_records(engine)))
        except ImportError as e:
            print(f"presidio-anonymizer: not installed ({e}); pip install -e '.[bench]'")
    print(f"\n## JSON records: {len(recs)} customer records (3 known fields + free text + tags)")
    got = timed(json_tools, recs, a.runs)
    rec_rates = {name: (len(recs) / w, 0.0, len(recs) / c) for name, (w, c) in got.items()}
    for name, (rps, _, cpu_rps) in rec_rates.items():
        print(f"{name:<20} {rps:10,.0f} records/s (CPU {cpu_rps:,.0f} records/s)")
    ratios(rec_rates, (("presidio", 20.0),), mine)


if __name__ == "__main__":
    main()
