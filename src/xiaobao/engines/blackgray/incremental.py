"""The black/gray engine kept alive between complaints: triage at intake adds one complaint (or one
import batch) at a time and reads its verdict, with no rebuild of what is already indexed.

Same verdicts as the batch scan. A batch scan (`engine.scan`) settles every template family before
it links gangs and counts bursts; here a complaint arrives before the complaints that may later grow
or merge its family. So every complaint enters the gang linker and the burst counter under a family
of its own (its id), and each union the families make (`TemplateFamilies.drain_unions`) is replayed
on both (`GangLinker.merge_family`, `BurstDetector.merge`): at any moment gangs are linked by the
families as they are then, which is what the batch scan links them by. The kind a gang's flagged
members share (`engine.settle_gang_kinds`) is settled here too, from the gang's members' current
verdicts. After the same complaints in the same order, `result()` equals the batch scan's verdict
(`tests/unit/test_blackgray_engine.py`), so triage at intake and `xiaobao blackgray scan` agree.

`affected(doc)` names the complaints whose verdict a new one may have changed (the rest of its family
and gang and its repeat window), so the caller re-scores those and no others; beyond
`affected_limit` (rules/blackgray.yaml) the platform's periodic rescan (`services.blackgray.rescan`)
catches up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from datetime import date, datetime
from typing import Any

from ...domain.finding import Finding
from .contacts import Artefact, extract_artefacts
from .engine import (
    DetectorRules,
    ScanResult,
    _time,
    _votes_count,
    load_detector_rules,
    load_scoring,
    result_of,
    settle_gang_kind,
    signals_of,
)
from .intel import IntelIndex
from .lexicon import Lexicon
from .scoring import ScoringRules


class Detector:
    def __init__(self, *, scoring: ScoringRules | None = None, lexicon: Lexicon | None = None,
                 intel: IntelIndex | None = None, rules: DetectorRules | None = None):
        self.scoring = scoring or load_scoring()
        self.lexicon = lexicon or Lexicon.load()
        self.intel = intel
        self.rules = rules or load_detector_rules()
        self.affected_limit = self.rules.affected_limit
        self.families = self.rules.template_families(track_unions=True)
        self.gangs = self.rules.gang_linker()
        self.repeats = self.rules.repeat_detector()
        self.bursts = self.rules.burst_detector()
        self._external: dict[Hashable, str] = {}
        self._lexical: dict[Hashable, list[Finding]] = {}
        self._intel: dict[Hashable, list[Finding]] = {}
        self._artefacts: dict[Hashable, list[Artefact]] = {}
        self._received: dict[Hashable, datetime | None] = {}
        self._version = 0                                    # bumped by every change of a verdict's inputs
        self._votes: dict[tuple[str, date], tuple[int, Counter[str]]] = {}

    def __contains__(self, doc_id: Hashable) -> bool:
        return doc_id in self._external

    def __len__(self) -> int:
        return len(self._external)

    def add(self, doc_id: Hashable, record: dict[str, Any], customer: str, *, today: date | None = None) -> None:
        """Index one complaint (import fields: external_id, channel, received_at, text, agent…).
        Adding a document twice is a no-op, so catching up on stored complaints is idempotent."""
        if doc_id in self._external:
            return
        text = str(record.get("text") or "")
        at = _time(record.get("received_at"))
        self._external[doc_id] = str(record.get("external_id") or doc_id)
        self._received[doc_id] = at
        artefacts = extract_artefacts(text, record)
        self._artefacts[doc_id] = artefacts
        # a family of its own until the families say otherwise (see the module docstring)
        self.gangs.add(doc_id, customer, artefacts, family_id=doc_id)
        if at is not None:
            self.repeats.add(doc_id, customer, at, str(record.get("channel") or ""), text)
            self.bursts.add(doc_id, at)
        self.families.add(doc_id, text, customer=customer)
        for kept, absorbed in self.families.drain_unions():
            self.gangs.merge_family(absorbed, kept)
            self.bursts.merge(absorbed, kept)
        self._lexical[doc_id] = self.lexicon.analyze(text)
        if self.intel is not None:
            self._intel[doc_id] = self.intel.analyze(text, artefacts, today or (at or datetime.now()).date())
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self._votes.clear()

    def rematch_intel(self, doc_id: Hashable, text: str, today: date) -> None:
        """Re-run intelligence for an indexed complaint (after new intelligence is imported)."""
        if self.intel is not None and doc_id in self._external:
            self._intel[doc_id] = self.intel.analyze(text, self._artefacts.get(doc_id, ()), today)
            self._changed()

    def artefacts(self, doc_id: Hashable) -> list[Artefact]:
        return list(self._artefacts.get(doc_id, ()))

    def received_at(self, doc_id: Hashable) -> datetime | None:
        return self._received.get(doc_id)

    def _own(self, doc_id: Hashable, today: date) -> ScanResult:
        """The complaint's own verdict, before its gang's kind is settled."""
        signals = signals_of(doc_id, self.families.family_of(doc_id), self.families, self.gangs, self.repeats,
                             self.bursts, today, [*self._lexical.get(doc_id, ()), *self._intel.get(doc_id, ())])
        return result_of(self._external[doc_id], doc_id, signals, self.families, self.gangs, self.scoring)

    def _gang_votes(self, gang_id: str, today: date) -> Counter[str]:
        """What the gang's flagged members are (`engine.gang_kind_votes`), once per gang and state."""
        cached = self._votes.get((gang_id, today))
        if cached is not None and cached[0] == self._version:
            return cached[1]
        votes: Counter[str] = Counter()
        for d in self.gangs.members(gang_id):
            r = self._own(d, today)
            if _votes_count(r):
                votes[r.verdict.kind] += 1
        self._votes[(gang_id, today)] = (self._version, votes)
        return votes

    def result(self, doc_id: Hashable, today: date) -> ScanResult:
        """The complaint's verdict as the batch scan would give it on the complaints indexed so far."""
        own = self._own(doc_id, today)
        if not _votes_count(own):
            return own
        return settle_gang_kind(own, self._gang_votes(own.gang_id, today))

    def results(self, doc_ids: Iterable[Hashable], today: date) -> list[ScanResult]:
        return [self.result(d, today) for d in doc_ids]

    def affected(self, doc_id: Hashable) -> list[Hashable]:
        """Other complaints whose verdict `doc_id` may have changed: its family, gang and repeat window."""
        out: dict[Hashable, None] = {}
        family = self.families.family_of(doc_id)
        if family is not None:
            out.update(dict.fromkeys(self.families.members(family)))
        gang = self.gangs.gang_of(doc_id)
        if gang is not None:
            out.update(dict.fromkeys(self.gangs.members(gang)))
        out.update(dict.fromkeys(self.repeats.window_of(doc_id)))
        out.pop(doc_id, None)
        return list(out)[:self.affected_limit]

    def add_many(self, items: Iterable[tuple[Hashable, dict[str, Any], str]], *, today: date | None = None) -> None:
        for doc_id, record, customer in items:
            self.add(doc_id, record, customer, today=today)
