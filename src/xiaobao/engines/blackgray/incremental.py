"""The black/gray engine kept alive between complaints: triage at intake adds one complaint (or one
import batch) at a time and reads its verdict, with no rebuild of what is already indexed.

A batch scan settles every family before linking gangs; here a complaint is linked with the family it
has when it arrives, so a later complaint that merges two families joins their gangs only from then
on. The platform's periodic rescan (`services.blackgray.rescan`) rebuilds from the whole corpus and
settles that. `affected(doc)` names the complaints whose verdict a new one may have changed (the rest
of its family and gang), so the caller re-scores those and no others.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date, datetime
from typing import Any

from ...domain.finding import Finding
from .bursts import BurstDetector
from .contacts import Artefact, extract_artefacts
from .engine import ScanResult, _time, load_scoring
from .families import TemplateFamilies
from .gangs import GangLinker
from .intel import IntelIndex
from .lexicon import Lexicon
from .repeat import RepeatDetector
from .scoring import ScoringRules, combine

AFFECTED_LIMIT = 500  # re-scoring a huge family on every arrival would stall intake; the rescan catches up


class Detector:
    def __init__(self, *, scoring: ScoringRules | None = None, lexicon: Lexicon | None = None,
                 intel: IntelIndex | None = None):
        self.scoring = scoring or load_scoring()
        self.lexicon = lexicon or Lexicon.load()
        self.intel = intel
        self.families = TemplateFamilies()
        self.gangs = GangLinker()
        self.repeats = RepeatDetector()
        self.bursts = BurstDetector()
        self._external: dict[Hashable, str] = {}
        self._lexical: dict[Hashable, list[Finding]] = {}
        self._intel: dict[Hashable, list[Finding]] = {}
        self._artefacts: dict[Hashable, list[Artefact]] = {}
        self._received: dict[Hashable, datetime | None] = {}

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
        family = self.families.add(doc_id, text, customer=customer)
        artefacts = extract_artefacts(text, record)
        self._artefacts[doc_id] = artefacts
        self.gangs.add(doc_id, customer, artefacts, family_id=family)
        if at is not None:
            self.repeats.add(doc_id, customer, at, str(record.get("channel") or ""), text)
            if family is not None:
                self.bursts.add(family, at)
        self._lexical[doc_id] = self.lexicon.analyze(text)
        if self.intel is not None:
            self._intel[doc_id] = self.intel.analyze(text, artefacts, today or (at or datetime.now()).date())

    def rematch_intel(self, doc_id: Hashable, text: str, today: date) -> None:
        """Re-run intelligence for an indexed complaint (after new intelligence is imported)."""
        if self.intel is not None and doc_id in self._external:
            self._intel[doc_id] = self.intel.analyze(text, self._artefacts.get(doc_id, ()), today)

    def artefacts(self, doc_id: Hashable) -> list[Artefact]:
        return list(self._artefacts.get(doc_id, ()))

    def received_at(self, doc_id: Hashable) -> datetime | None:
        return self._received.get(doc_id)

    def result(self, doc_id: Hashable, today: date) -> ScanResult:
        family = self.families.family_of(doc_id)
        signals = [f for f in (self.families.finding_for(doc_id), self.gangs.finding_for(doc_id),
                               self.repeats.finding_for(doc_id),
                               self.bursts.finding_for_family(family, today) if family is not None else None) if f]
        signals += self._lexical.get(doc_id, [])
        signals += self._intel.get(doc_id, [])
        fam = family if family is not None and self.families.is_signal(family) else None
        return ScanResult(self._external[doc_id], combine(signals, self.scoring),
                          None if fam is None else str(fam), self.gangs.gang_of(doc_id))

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
        return list(out)[:AFFECTED_LIMIT]

    def add_many(self, items: Iterable[tuple[Hashable, dict[str, Any], str]], *, today: date | None = None) -> None:
        for doc_id, record, customer in items:
            self.add(doc_id, record, customer, today=today)
