"""The black/gray engine over a batch of complaint records: every signal, one verdict per complaint.

Records are dicts with the import fields (external_id, channel, received_at, customer_name,
customer_phone, customer_id_number, text, agent_* …). Families are settled before gangs are linked
(a later complaint can merge two families), so a batch scan runs in passes. The platform's
incremental triage (`incremental.Detector`) keeps the same detectors alive between complaints and
re-keys gangs and bursts as families grow; on the same complaints in the same order it reaches the
same verdicts — scores, kinds, family and gang ids — as this batch scan (tested). Both read their
thresholds from `rules/blackgray.yaml` (`load_detector_rules`) and name a gang's members' kind with
the same `settle_gang_kinds` rule.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xiaobao.domain.finding import Finding
from xiaobao.domain.identity import normalize as normalize_id
from xiaobao.rules import RulesError, read_yaml
from xiaobao.engines.blackgray.bursts import BurstDetector
from xiaobao.engines.blackgray.contacts import extract_artefacts
from xiaobao.engines.blackgray.families import TemplateFamilies
from xiaobao.engines.blackgray.gangs import GangLinker
from xiaobao.engines.blackgray.lexicon import Lexicon
from xiaobao.engines.blackgray.normalize import Normalizer, default_normalizer
from xiaobao.engines.blackgray.repeat import RepeatDetector
from xiaobao.engines.blackgray.scoring import ScoringRules, Verdict, combine


def load_scoring(directory: str | Path | None = None) -> ScoringRules:
    d = read_yaml("blackgray.yaml", directory)
    try:
        return ScoringRules(float(d["flag_threshold"]), float(d["lexicon_cap"]),
                            {k: float(v) for k, v in (d.get("weights") or {}).items()})
    except KeyError as e:
        raise RulesError(f"blackgray.yaml: 缺少配置项 {e} (missing key)") from e
    except (TypeError, ValueError, AttributeError) as e:
        raise RulesError(f"blackgray.yaml: 评分配置无效 (invalid scoring): {e}") from e


@dataclass(frozen=True)
class DetectorRules:
    """The detectors' thresholds, from the `families`, `gangs`, `repeat`, `bursts` and `incremental`
    sections of `rules/blackgray.yaml` (an institution's copy in `directory` wins, as for every rules
    file). A section or key missing there keeps the detector's own default."""

    families: Mapping[str, Any] = field(default_factory=dict)
    gangs: Mapping[str, Any] = field(default_factory=dict)
    repeat: Mapping[str, Any] = field(default_factory=dict)
    bursts: Mapping[str, Any] = field(default_factory=dict)
    affected_limit: int = 500
    # the slot-masking normaliser on the same directory's lender list (None: the one in force)
    normalizer: Normalizer | None = None

    def template_families(self, **overrides: Any) -> TemplateFamilies:
        return TemplateFamilies(**{"normalizer": self.normalizer, **self.families, **overrides})

    def gang_linker(self) -> GangLinker:
        return GangLinker(**self.gangs)

    def repeat_detector(self) -> RepeatDetector:
        return RepeatDetector(**self.repeat)

    def burst_detector(self) -> BurstDetector:
        return BurstDetector(**self.bursts)


_NOT_RULES = {"track_unions", "normalizer"}  # how the code uses a detector, not a threshold


def load_detector_rules(directory: str | Path | None = None) -> DetectorRules:
    d = read_yaml("blackgray.yaml", directory)

    def section(name: str, cls: type | None = None) -> dict[str, Any]:
        raw = d.get(name) or {}
        if not isinstance(raw, dict):
            raise RulesError(f"blackgray.yaml: `{name}` 应为映射 (a mapping)")
        known = {"affected_limit"} if cls is None else set(inspect.signature(cls).parameters) - _NOT_RULES
        if unknown := sorted(set(raw) - known):
            raise RulesError(f"blackgray.yaml: `{name}` 中有未知的键 (unknown keys): {', '.join(unknown)}")
        return dict(raw)

    gangs = section("gangs", GangLinker)
    if "ignore_values" in gangs:
        gangs["ignore_values"] = tuple(str(v) for v in gangs["ignore_values"] or ())
    return DetectorRules(section("families", TemplateFamilies), gangs, section("repeat", RepeatDetector),
                         section("bursts", BurstDetector), int(section("incremental").get("affected_limit", 500)),
                         default_normalizer(directory))


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
    for key in ("customer_id_number", "customer_phone"):
        if rec.get(key):
            return f"{key}:{normalize_id(str(rec[key]))}"
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


def signals_of(doc: str, family: str | None, families: TemplateFamilies, gangs: GangLinker,
               repeats: RepeatDetector, bursts: BurstDetector, today: date,
               extra: Iterable[Finding] = ()) -> list[Finding]:
    """Every signal on one complaint, in the order the verdict lists them (batch and incremental)."""
    signals = [f for f in (families.finding_for(doc), gangs.finding_for(doc), repeats.finding_for(doc),
                           bursts.finding_for_family(family, today) if family is not None else None) if f]
    return signals + list(extra)


def result_of(external_id: str, doc: str, signals: list[Finding], families: TemplateFamilies,
              gangs: GangLinker, scoring: ScoringRules, lexicon: tuple[float, str] | None = None) -> ScanResult:
    """A complaint's own verdict, before its gang's kind is settled (`settle_gang_kinds`). `lexicon`:
    the `scoring.lexicon_summary` of the lexicon findings among `signals`, when the caller keeps it."""
    family = families.family_of(doc)
    fam_signal = family if family is not None and families.is_signal(family) else None
    return ScanResult(external_id, combine(signals, scoring, lexicon), None if fam_signal is None else str(fam_signal),
                      gangs.gang_of(doc))


def scan(records: Iterable[dict[str, Any]], *, scoring: ScoringRules | None = None,
         lexicon: Lexicon | None = None, rules: DetectorRules | None = None,
         today: date | None = None) -> list[ScanResult]:
    scoring = scoring or load_scoring()
    lexicon = lexicon or Lexicon.load()
    rules = rules or load_detector_rules()
    records = [r for r in records if r.get("external_id") and r.get("text")]
    ids = [f"{r.get('channel', '')}:{r['external_id']}" for r in records]
    customers = [customer_of(r) for r in records]
    families = rules.template_families()
    for doc, rec, cust in zip(ids, records, customers):
        families.add(doc, str(rec["text"]), customer=cust)
    gangs, repeats, bursts = rules.gang_linker(), rules.repeat_detector(), rules.burst_detector()
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
        signals = signals_of(doc, families.family_of(doc), families, gangs, repeats, bursts, today,
                             lexicon.analyze(str(rec["text"])))
        results.append(result_of(str(rec["external_id"]), doc, signals, families, gangs, scoring))
    return settle_gang_kinds(results)


def _votes_count(r: ScanResult) -> bool:
    return bool(r.gang_id) and r.verdict.flagged and r.verdict.kind not in ("genuine", "repeat_harass")


def gang_kind_votes(results: Iterable[ScanResult]) -> dict[str, Counter[str]]:
    """Per gang, how many of its flagged members (repeat harassers aside) have each kind."""
    votes: dict[str, Counter[str]] = {}
    for r in results:
        if _votes_count(r):
            votes.setdefault(r.gang_id, Counter())[r.verdict.kind] += 1
    return votes


def settle_gang_kind(r: ScanResult, votes: Counter[str] | None) -> ScanResult:
    """One member's kind after its gang's vote (see `settle_gang_kinds`)."""
    if votes and _votes_count(r):
        (top, n), *rest = votes.most_common(2) + [("", 0)]
        if n > rest[0][1] and top != r.verdict.kind:
            return ScanResult(r.external_id, replace(r.verdict, kind=top), r.family_id, r.gang_id)
    return r


def settle_gang_kinds(results: list[ScanResult]) -> list[ScanResult]:
    """One agency sells one thing: the flagged members of a gang (repeat harassers aside) take the
    kind most of them have, so a member whose own text happens to lack the tell-tale words (征信修复,
    停息挂账) is still named for what the gang does. Ties keep each member's own kind."""
    votes = gang_kind_votes(results)
    return [settle_gang_kind(r, votes.get(r.gang_id) if r.gang_id else None) for r in results]
