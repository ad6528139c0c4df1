"""Precision/recall/F1 per PII type on our labelled set and on the third-party sets in
../shared/data/cn_pii_ner (when present).

    .venv/bin/python eval/pii/evaluate.py [--shared ../shared/data/cn_pii_ner] [--json OUT.json]

Exact-span matching: a hit counts only if its start, end and type equal the gold span's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from xiaobao.engines.privacy.evaluation import Scores, evaluate
from xiaobao.engines.privacy.scanner import default_scanner

CCF_MAP = {"name": "PERSON_NAME", "address": "ADDRESS", "mobile": "CN_MOBILE", "email": "EMAIL", "QQ": "QQ_NUMBER",
           "vx": "WECHAT_ID"}
CHECKSUM_TYPES = ("CN_ID_CARD", "BANK_CARD", "CN_USCC")


def own_set(path: Path = HERE / "labelled.jsonl") -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def ccf(root: Path) -> list[dict]:
    out = []
    for line in (root / "ccf_bdci2020_privacy" / "train.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        spans = [{"start": e["start"], "end": e["end"], "type": CCF_MAP[e["category"]]}
                 for e in d["entities"] if e["category"] in CCF_MAP and e.get("offset_ok", True)]
        out.append({"text": d["text"], "spans": spans})
    return out


def cluener(root: Path) -> list[dict]:
    out = []
    for line in (root / "cluener2020" / "dev.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        spans = []
        for cat, typ in (("name", "PERSON_NAME"), ("address", "ADDRESS")):
            for positions in (d.get("label", {}).get(cat) or {}).values():
                spans += [{"start": a, "end": b + 1, "type": typ} for a, b in positions]
        out.append({"text": d["text"], "spans": spans})
    return out


def multipriv(root: Path, checksum_valid_only: bool = False) -> list[dict]:
    from xiaobao.engines.privacy.checks import id18_ok

    out = []
    for rec in json.loads((root / "multipriv_zh" / "data_person_1000_zh.json").read_text(encoding="utf-8")):
        text = rec["naturalParagraph"]
        spans = []
        for key, typ in (("name", "PERSON_NAME"), ("location", "ADDRESS"), ("idCardNumbers", "CN_ID_CARD"),
                         ("emailAddress", "EMAIL"), ("phoneNumbers", "CN_MOBILE")):
            v = str(rec.get(key) or "")
            if typ == "CN_ID_CARD" and checksum_valid_only and not id18_ok(v):
                continue
            i = text.find(v) if v else -1
            if i >= 0:
                spans.append({"start": i, "end": i + len(v), "type": typ})
        out.append({"text": text, "spans": spans})
    return out


def ours(text: str):
    return [(h.start, h.end, h.type) for h in default_scanner().scan(text)]


def report(title: str, s: Scores) -> dict:
    print(f"\n## {title}")
    print(f"{'type':<20}{'support':>8}{'P':>8}{'R':>8}{'F1':>8}")
    for row in s.table():
        print(f"{row['type']:<20}{row['support']:>8}{row['precision']:>8.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}")
    if s.decoys:
        print(f"decoys: {s.decoys}, wrongly reported: {s.decoy_hits} ({s.decoy_fp_rate:.2%})")
    return {"title": title, "rows": s.table(), "decoys": s.decoys, "decoy_hits": s.decoy_hits}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=HERE.parents[2] / "shared" / "data" / "cn_pii_ner")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    results = [report("own labelled set (eval/pii/labelled.jsonl)", evaluate(own_set(), ours))]
    if a.shared.exists():
        results.append(report("CCF BDCI 2020 privacy (train, exact span)", evaluate(ccf(a.shared), ours, set(CCF_MAP.values()))))
        results.append(report("CLUENER2020 dev: name, address", evaluate(cluener(a.shared), ours, {"PERSON_NAME", "ADDRESS"})))
        types = {"PERSON_NAME", "ADDRESS", "CN_ID_CARD", "EMAIL", "CN_MOBILE"}
        results.append(report("MultiPriv zh (all gold IDs)", evaluate(multipriv(a.shared), ours, types)))
        results.append(report("MultiPriv zh (gold IDs that pass GB 11643 only)",
                              evaluate(multipriv(a.shared, True), ours, types)))
    else:
        print(f"\n(no third-party sets at {a.shared})")
    if a.json:
        a.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
