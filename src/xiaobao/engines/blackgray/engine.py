"""The black/gray engine over a batch of complaint records: every signal, one verdict per complaint.

Records are dicts with the import fields (external_id, channel, received_at, customer_name,
customer_phone, customer_id_number, text, agent_* …). Families are settled before gangs are linked
(a later complaint can merge two families), so a batch scan runs in passes; the platform's
incremental triage will keep the same detectors alive between complaints.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ...domain.identity import normalize as normalize_id
from .bursts import BurstDetector
from .contacts import extract_artefacts
from .families import TemplateFamilies
from .gangs import GangLinker
from .lexicon import Lexicon
from .repeat import RepeatDetector
from .scoring import ScoringRules, Verdict, combine

_RULES = Path(__file__).resolve().parents[2] / "rules"


def load_scoring(directory: str | Path | None = None) -> ScoringRules:
    path = Path(directory or _RULES) / "blackgray.yaml"
    if not path.exists():
        path = _RULES / "blackgray.yaml"
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ScoringRules(float(d["flag_threshold"]), float(d["lexicon_cap"]),
                        {k: float(v) for k, v in (d.get("weights") or {}).items()})


def _time(v: Any) -> datetime | None:
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    try:
        return datetime.fromisoformat(unicodedata.normalize("NFKC", str(v)).strip().replace("/", "-")).replace(tzinfo=None)
    except ValueError:
        return None


def customer_of(rec: dict[str, Any]) -> str:
    """Who filed it, as a comparable key: the ID number, else the phone, else name + channel id."""
    for field in ("customer_id_number", "customer_phone"):
        if rec.get(field):
            return f"{field}:{normalize_id(str(rec[field]))}"
    return f"anon:{rec.get('customer_name') or ''}:{rec.get('channel')}:{rec.get('external_id')}"


@dataclass(frozen=True)
class ScanResult:
    external_id: str
    verdict: Verdict
    family_id: str | None
    gang_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"external_id": self.external_id, "score": self.verdict.score, "flagged": self.verdict.flagged,
                "kind": self.verdict.kind, "family_id": self.family_id, "gang_id": self.gang_id,
                "signals": [{"kind": f.kind, "score": round(f.score, 4), "rule_id": f.rule_id,
                             "evidence": f.evidence, "citation": str(f.citation) if f.citation else None}
                            for f in self.verdict.signals]}


def scan(records: Iterable[dict[str, Any]], *, scoring: ScoringRules | None = None,
         lexicon: Lexicon | None = None, today: date | None = None) -> list[ScanResult]:
    scoring = scoring or load_scoring()
    lexicon = lexicon or Lexicon.load()
    records = [r for r in records if r.get("external_id") and r.get("text")]
    ids = [f"{r.get('channel', '')}:{r['external_id']}" for r in records]
    customers = [customer_of(r) for r in records]
    families = TemplateFamilies()
    for doc, rec, cust in zip(ids, records, customers):
        families.add(doc, str(rec["text"]), customer=cust)
    gangs, repeats, bursts = GangLinker(), RepeatDetector(), BurstDetector()
    times = [_time(r.get("received_at")) for r in records]
    for doc, rec, cust, at in zip(ids, records, customers, times):
        family = families.family_of(doc)
        gangs.add(doc, cust, extract_artefacts(str(rec["text"]), rec), family_id=family)
        if at is not None:
            repeats.add(doc, cust, at, str(rec.get("channel") or ""), str(rec["text"]))
            if family is not None:
                bursts.add(family, at)
    today = today or max((t for t in times if t), default=datetime.now()).date()
    results = []
    for doc, rec in zip(ids, records):
        family = families.family_of(doc)
        signals = [f for f in (families.finding_for(doc), gangs.finding_for(doc), repeats.finding_for(doc),
                               bursts.finding_for_family(family, today) if family is not None else None) if f]
        signals += lexicon.analyze(str(rec["text"]))
        fam_signal = family if family is not None and families.is_signal(family) else None
        results.append(ScanResult(str(rec["external_id"]), combine(signals, scoring),
                                  None if fam_signal is None else str(fam_signal), gangs.gang_of(doc)))
    return settle_gang_kinds(results)


def settle_gang_kinds(results: list[ScanResult]) -> list[ScanResult]:
    """One agency sells one thing: the flagged members of a gang (repeat harassers aside) take the
    kind most of them have, so a member whose own text happens to lack the tell-tale words (征信修复,
    停息挂账) is still named for what the gang does. Ties keep each member's own kind."""
    votes: dict[str, Counter[str]] = {}
    for r in results:
        if r.gang_id and r.verdict.flagged and r.verdict.kind not in ("genuine", "repeat_harass"):
            votes.setdefault(r.gang_id, Counter())[r.verdict.kind] += 1
    out = []
    for r in results:
        c = votes.get(r.gang_id) if r.gang_id else None
        if c and r.verdict.flagged and r.verdict.kind not in ("genuine", "repeat_harass"):
            (top, n), *rest = c.most_common(2) + [("", 0)]
            if n > rest[0][1] and top != r.verdict.kind:
                r = ScanResult(r.external_id, replace(r.verdict, kind=top), r.family_id, r.gang_id)
        out.append(r)
    return out
