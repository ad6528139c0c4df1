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
catches up. `affected_many` does it for an import batch (the members of one big family and gang
are listed once, not once per new complaint).

Cost. `add_many` signs a whole batch's texts and runs its LSH queries together
(`TemplateFamilies.prepare`, `LSHIndex.query_insert_many`). A verdict's score, flag and kind can be
had without its findings (`brief`, and the votes of a gang's members on its kind): the same
`scoring.decide` on the signals' scores, and a complaint's decision is kept until a new complaint
changes what it rests on (see `_decided`). So re-scoring the affected complaints, and settling a
gang's kind after each arrival, cost little per member; findings are built only for verdicts that
are stored. A gang's kind vote is counted per family by class of own inputs (`_gang_votes`), and
`briefs_changed` names, of the affected complaints, only those whose verdict may differ from what the
caller last stored (`published`): a complaint joining a family of thousands costs the same as one
joining a family of ten. Equality with the batch scan, and of these shortcuts with the findings, is tested
(`tests/unit/test_blackgray_engine.py`, `tests/unit/test_blackgray_incremental.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from datetime import date, datetime
from typing import Any

from xiaobao.domain.finding import Finding
from xiaobao.engines.blackgray.contacts import Artefact, extract_artefacts
from xiaobao.engines.blackgray.engine import (
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
from xiaobao.engines.blackgray.families import KIND as FAMILY_KIND
from xiaobao.engines.blackgray.families import Prepared
from xiaobao.engines.blackgray.gangs import FAMILY
from xiaobao.engines.blackgray.gangs import RULE_ID as SHARED_KIND
from xiaobao.engines.blackgray.intel import IntelIndex
from xiaobao.engines.blackgray.lexicon import Lexicon
from xiaobao.engines.blackgray.repeat import RULE_ID as REPEAT_KIND
from xiaobao.engines.blackgray.scoring import ScoringRules, decide, is_lexicon, lexicon_summary


class _One:
    """A family's class count (`Detector._classes`) while one member has been counted: `local`, once
    (a Counter for every complaint not in a family would cost it ≈ 250 bytes as long as indexed)."""

    __slots__ = ("local",)

    def __init__(self, local):
        self.local = local


def _counts(classes) -> Iterable[tuple[Any, int]]:
    """(class, members) of a family's count: a Counter, a `_One`, or none."""
    if classes is None:
        return ()
    return ((classes.local, 1),) if isinstance(classes, _One) else classes.items()


class _Memo:
    """What `Detector._decided` reuses within one state of the detector (see there)."""

    __slots__ = ("decided", "family", "gang", "shared")

    def __init__(self):
        self.family: dict = {}      # family root → (template score, burst finding)
        self.gang: dict = {}        # gang id → whether it shares a contact
        self.shared: dict = {}      # (own shared keys' (kind, customers), other customers) → score
        self.decided: dict = {}     # (structural signals, lexicon summary) → (score, flagged, kind)


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
        # per complaint, what its lexicon findings (which never change) add to a verdict: see _decided
        self._lexicon_summary: dict[Hashable, tuple[tuple[float, str], tuple[tuple[str, float], ...]]] = {}
        self._summarised_with: ScoringRules | None = None
        # one copy of each distinct summary and class of own inputs: thousands of complaints have the
        # same (a tuple of tuples each would cost them ≈ 150 bytes as long as they are indexed)
        self._shared_values: dict[tuple, tuple] = {}
        # per complaint, its last decision and what it rested on (see `_decided`)
        self._decisions: dict[Hashable, tuple] = {}
        self._decided_with: ScoringRules | None = None
        self._intel: dict[Hashable, list[Finding]] = {}
        self._artefacts: dict[Hashable, list[Artefact]] = {}
        self._received: dict[Hashable, datetime | None] = {}
        self._version = 0                                    # bumped by every change of a verdict's inputs
        # gang votes counted by class (see `_gang_votes`): per template family (its key in the gang
        # linker, str of its id; a complaint in no family is a family of its own), how many members
        # have each set of own inputs; members whose intelligence decides alone are listed apart
        self._classes: dict[str, Counter] = {}
        self._special: dict[str, set[Hashable]] = {}
        self._class_of: dict[Hashable, Any] = {}
        self._reclass: set[Hashable] = set()                 # complaints whose own inputs changed since
        self._classed_with: ScoringRules | None = None
        self._doc_of_key: dict[str, Hashable] = {}
        # what the caller stored for a complaint (`published`), with its family's and gang's values
        # then, and complaints whose own inputs changed since: see `briefs_changed`
        self._published: dict[Hashable, tuple[tuple, tuple]] = {}
        # complaint → the mark (`epoch`) at which its own inputs last changed, while unpublished since
        self._unpublished: dict[Hashable, int] = {}
        self._epoch = 0
        self._published_with: ScoringRules | None = None
        self._votes: dict[tuple[str, date], tuple[int, Counter[str]]] = {}
        self._heads: dict[tuple[Hashable | None, str | None], list[Hashable]] = {}   # see _group_head

    def __contains__(self, doc_id: Hashable) -> bool:
        return doc_id in self._external

    def __len__(self) -> int:
        return len(self._external)

    def add(self, doc_id: Hashable, record: dict[str, Any], customer: str, *, today: date | None = None,
            prepared: Prepared | None = None) -> None:
        """Index one complaint (import fields: external_id, channel, received_at, text, agent…).
        Adding a document twice is a no-op, so catching up on stored complaints is idempotent.
        `prepared`: `self.families.prepare([text])[0]`, when `add_many` prepared a batch."""
        if doc_id in self._external:
            return
        text = str(record.get("text") or "")
        at = _time(record.get("received_at"))
        self._external[doc_id] = str(record.get("external_id") or doc_id)
        self._received[doc_id] = at
        self._doc_of_key[str(doc_id)] = doc_id
        self._reclass.add(doc_id)
        self._epoch += 1
        self._unpublished[doc_id] = self._epoch
        artefacts = extract_artefacts(text, record)
        self._artefacts[doc_id] = artefacts or ()   # (most complaints have none: one shared empty tuple)
        gangs = self.gangs
        hubs = len(gangs._hot)
        # a family of its own until the families say otherwise (see the module docstring)
        gangs.add(doc_id, customer, artefacts, family_id=doc_id)
        self._forget_key_holders(gangs._keys[doc_id])
        if at is not None:
            self.repeats.add(doc_id, customer, at, str(record.get("channel") or ""), text)
            self.bursts.add(doc_id, at)
            self._forget(e.doc_id for e in self.repeats._by_customer.get(customer, ()))
        self.families.add(doc_id, text, customer=customer, prepared=prepared)
        for kept, absorbed in self.families.drain_unions():
            self._forget(list(gangs._docs_by_key.get((FAMILY, str(absorbed)), ())))   # they take kept's key
            key = (FAMILY, str(kept))
            before = len(gangs._customers_by_key.get(key, ()))
            gangs.merge_family(absorbed, kept)
            self._merge_classes(str(kept), str(absorbed))
            if min(before, 3) != min(len(gangs._customers_by_key.get(key, ())), 3):
                self._forget(gangs._docs_by_key.get(key, ()))    # its customer count, as scores read it
            self.bursts.merge(absorbed, kept)
        if gangs._dirty or len(gangs._hot) != hubs:
            self._decisions.clear()     # a hub appeared: shared keys and gangs are recounted
            self._classed_with = None
            self._published.clear()
        self._lexical[doc_id] = self.lexicon.analyze(text) or ()
        if self.intel is not None:
            self._intel[doc_id] = self.intel.analyze(text, artefacts, today or (at or datetime.now()).date()) or ()
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self._votes.clear()
        self._heads.clear()

    def rematch_intel(self, doc_id: Hashable, text: str, today: date) -> None:
        """Re-run intelligence for an indexed complaint (after new intelligence is imported)."""
        if self.intel is not None and doc_id in self._external:
            self._intel[doc_id] = self.intel.analyze(text, self._artefacts.get(doc_id, ()), today)
            self._forget([doc_id])
            self._changed()

    def artefacts(self, doc_id: Hashable) -> list[Artefact]:
        return list(self._artefacts.get(doc_id, ()))

    def received_at(self, doc_id: Hashable) -> datetime | None:
        return self._received.get(doc_id)

    def _own(self, doc_id: Hashable, today: date) -> ScanResult:
        """The complaint's own verdict, before its gang's kind is settled."""
        intel = self._intel.get(doc_id, ())
        signals = signals_of(doc_id, self.families.family_of(doc_id), self.families, self.gangs, self.repeats,
                             self.bursts, today, [*self._lexical.get(doc_id, ()), *intel])
        # the lexicon's part, summarised once per complaint (unless intelligence spoke a lexicon kind)
        lexicon = None if any(is_lexicon(f.kind) for f in intel) else self._lexicon_of(doc_id)[0]
        return result_of(self._external[doc_id], doc_id, signals, self.families, self.gangs, self.scoring, lexicon)

    def _lexicon_of(self, doc_id: Hashable) -> tuple[tuple[float, str], tuple[tuple[str, float], ...]]:
        """The complaint's lexical findings (which never change) as a verdict takes them: the
        `lexicon_summary` of the lexicon kinds, and (kind, score) of any other kind among them."""
        if self._summarised_with is not self.scoring:
            self._lexicon_summary.clear()
            self._shared_values.clear()
            self._summarised_with = self.scoring
        summary = self._lexicon_summary.get(doc_id)
        if summary is None:
            lexical = [f for f in self._lexical.get(doc_id, ()) if f.kind.startswith("blackgray.")]
            summary = (lexicon_summary([f for f in lexical if is_lexicon(f.kind)], self.scoring),
                       tuple((f.kind, f.score) for f in lexical if not is_lexicon(f.kind)))
            summary = self._lexicon_summary[doc_id] = self._shared_values.setdefault(summary, summary)
        return summary

    def _decided(self, doc_id: Hashable, today: date, memo: _Memo | None = None,
                 gang: str | None | bool = False) -> tuple[float, bool, str]:
        """(score, flagged, kind) of the complaint's own verdict — what `_own` decides — from the
        signals' scores alone, without building their findings (`scoring.decide` decides both).
        `memo` keeps, across calls for one state of the detector, what members of one family or
        gang share and the decisions already taken (pure functions of their keys); `gang`: the
        complaint's `gangs.gang_of`, when the caller knows it.

        A complaint's decision is kept between states (`_decisions`) with what it rests on: its own
        inputs (its shared keys' kinds and customer counts as the score reads them — fewer than 3 or
        not —, its repeat score, its lexicon and intelligence findings), which `add` forgets whenever
        a complaint changes them, and its family's and gang's values (template and burst findings,
        sharing, other customers as the score reads them), compared on each call. So a gang's votes
        after a new complaint re-decide only the complaints the new one changed."""
        fams, gangs = self.families, self.gangs
        if memo is None:
            memo = _Memo()
        if self._decided_with is not self.scoring:
            self._decisions.clear()
            self._decided_with = self.scoring
        root = fams._root(doc_id)
        per_family = memo.family.get(root)
        if per_family is None:
            per_family = memo.family[root] = self._family_values(doc_id, today)
        t, burst = per_family
        if gang is False:
            gang = gangs.gang_of(doc_id)
        shares, others = None, None
        if gang is not None:
            shares = memo.gang.get(gang)
            if shares is None:
                shares = memo.gang[gang] = gangs.gang_shares(gang)
            if shares:
                # other customers in the gang, as the score reads them: min(max(others - 1, 0), 5)
                others = min(max(gangs._others(doc_id) - 1, 0), 5)
        group = (root, t, burst, shares, others)
        cached = self._decisions.get(doc_id)
        if cached is not None and cached[1] == group:
            return cached[2]
        local = cached[0] if cached is not None else self._local_inputs(doc_id)
        if local is None:      # intelligence spoke a lexicon kind: the findings decide (never cached)
            v = self._own(doc_id, today).verdict
            return v.score, v.flagged, v.kind
        decided = self._decide_local(local, t, burst, others, memo)
        self._decisions[doc_id] = (local, group, decided)
        return decided

    def _family_values(self, doc_id: Hashable, today: date) -> tuple[float | None, tuple[str, float] | None]:
        """What a decision reads from the complaint's family: the template score and the burst (kind, score)."""
        family = self.families.family_of(doc_id)
        burst = None if family is None else self.bursts.finding_for_family(family, today)
        return self.families.score_for(doc_id), None if burst is None else (burst.kind, burst.score)

    def _decide_local(self, local: tuple, t: float | None, burst: tuple[str, float] | None, others: int | None,
                      memo: _Memo) -> tuple[float, bool, str]:
        """`_decided` from a complaint's own inputs (`_local_inputs`) and its family's and gang's
        values: the template score, the burst (kind, score), other customers as the score reads them."""
        own, r, lexicon, lexical_others, intel = local
        structural: list[tuple[str, float]] = []
        if t is not None:
            structural.append((FAMILY_KIND, t))
        if others is not None:
            key = (own, others)
            sc = memo.shared.get(key)
            if sc is None:
                sc = memo.shared[key] = self.gangs._score(own, others + 1)   # (others + 1: see `_decided`)
            structural.append((SHARED_KIND, sc))
        if r is not None:
            structural.append((REPEAT_KIND, r))
        if burst is not None:
            structural.append(burst)
        structural.extend(lexical_others)
        structural.extend(intel)
        key = (tuple(structural), lexicon)
        decided = memo.decided.get(key)
        if decided is None:
            decided = memo.decided[key] = decide(structural, lexicon, self.scoring)
        return decided

    def _local_inputs(self, doc_id: Hashable):
        """What a complaint's decision rests on that is its own (see `_decided`); None when its
        intelligence findings include a lexicon kind (then only the findings can decide)."""
        intel = []
        for f in self._intel.get(doc_id, ()):
            if f.kind.startswith("blackgray."):
                if is_lexicon(f.kind):
                    return None
                intel.append((f.kind, f.score))
        # customer counts as `GangLinker._score` reads them (below 3 or not): min(n, 3)
        own = tuple((kind, min(n, 3)) for kind, n in self.gangs._own_counts(doc_id))
        lexicon, lexical_others = self._lexicon_of(doc_id)
        return own, self.repeats.score_for(doc_id), lexicon, lexical_others, tuple(intel)

    def _forget(self, docs: Iterable[Hashable]) -> None:
        """These complaints' own inputs may have changed: decide them afresh next time."""
        pop, reclass, unpublished = self._decisions.pop, self._reclass.add, self._unpublished
        self._epoch += 1
        mark = self._epoch
        for d in docs:
            pop(d, None)
            reclass(d)
            unpublished[d] = mark

    def _forget_key_holders(self, keys: Iterable[tuple[str, str]]) -> None:
        """Complaints carrying these keys, when a key's customer count may have changed as their
        scores read it (it can only while it is at most 3)."""
        by_key, docs_by_key = self.gangs._customers_by_key, self.gangs._docs_by_key
        for key in keys:
            custs = by_key.get(key)
            if custs is not None and len(custs) <= 3:
                self._forget(docs_by_key[key])

    def memo(self) -> _Memo:
        """Working space for many `brief`s on one state of the detector (nothing may be added meanwhile)."""
        return _Memo()

    def brief(self, doc_id: Hashable, today: date,
              memo: _Memo | None = None) -> tuple[float, bool, str | None, str | None]:
        """(score, flagged, family id, gang id) of `result(doc_id, today)`, without building its
        findings: what the caller compares with a stored verdict before asking for the whole result.
        `memo` (from `memo()`): shared by the calls of one loop over one state of the detector."""
        score, flagged, _ = self._decided(doc_id, today, memo)
        family = self.families.family_of(doc_id)
        signal = family is not None and self.families.is_signal(family)
        return score, flagged, str(family) if signal else None, self.gangs.gang_of(doc_id)

    def group_values(self, doc_id: Hashable, today: date, memo: dict | None = None) -> tuple:
        """What a complaint's `brief` reads from its family and gang: family root and signal id,
        template score, burst, gang id, sharing and other customers as the score reads them.
        `memo`: shared by calls on one state of the detector (one entry per family and gang)."""
        fams, gangs = self.families, self.gangs
        root = fams._root(doc_id)
        key = (root, gangs._root(doc_id))    # (roots, not ids: no gang id string made per complaint)
        values = None if memo is None else memo.get(key)
        if values is None:
            gang = gangs.gang_of(doc_id)
            family = fams.family_of(doc_id)
            shares = gang is not None and gangs.gang_shares(gang)
            others = min(max(gangs._n_customers(gangs._gang_root(gang)) - 2, 0), 5) if shares else None
            values = (root, family if family is not None and fams.is_signal(family) else None,
                      *self._family_values(doc_id, today), gang, shares, others)
            if memo is not None:
                memo[key] = values
        return values

    @property
    def epoch(self) -> int:
        """A mark of the detector's state, for `published`: take it when the brief is computed."""
        return self._epoch

    def published(self, doc_id: Hashable, brief: tuple, values: tuple, epoch: int | None = None) -> None:
        """The caller stored `brief` for the complaint, computed when its `group_values` were `values`
        and the detector's `epoch` was `epoch` (default: now). If the complaint's own inputs changed
        after that, it stays due for a new look (a publication may arrive after other additions, e.g.
        once the transaction that stored it has committed)."""
        self._published[doc_id] = (values, brief)
        mark = self._unpublished.get(doc_id)
        if mark is not None and (epoch is None or mark <= epoch):
            del self._unpublished[doc_id]

    def briefs_changed(self, doc_ids: Iterable[Hashable], today: date) -> list[tuple[Hashable, tuple, tuple]]:
        """(doc, brief, group values) for each of `doc_ids` whose `brief` may differ from the one last
        `published` for it: never published, or its own inputs or its family's or gang's values changed
        since. A complaint joining a family of thousands whose values it does not move (the template
        score is at its cap, the burst unchanged) changes none of the others' verdicts, and they are
        not decided again."""
        if self._published_with is not self.scoring:
            self._published.clear()
            self._published_with = self.scoring
        groups: dict = {}
        memo = _Memo()
        pub, stale = self._published, self._unpublished
        out = []
        for d in doc_ids:
            values = self.group_values(d, today, groups)
            last = pub.get(d)
            if last is not None and last[0] == values and d not in stale:
                continue
            brief = self.brief(d, today, memo)
            if last is not None and last[1] == brief:
                self.published(d, brief, values)
                continue
            out.append((d, brief, values))
        return out

    def _gang_votes(self, gang_id: str, today: date) -> Counter[str]:
        """What the gang's flagged members are (`engine.gang_kind_votes`), once per gang and state.

        Counted by class, not member by member: a member's decision is `_decide_local` of its own
        inputs and of its family's values (template score, burst) and its gang's (sharing, other
        customers), so each family of the gang is decided once per distinct set of own inputs among
        its members (`_classes`, kept current as inputs change). A new complaint in a family of
        thousands costs a few decisions, not thousands."""
        cached = self._votes.get((gang_id, today))
        if cached is not None and cached[0] == self._version:
            return cached[1]
        votes: Counter[str] = Counter()
        gangs = self.gangs
        root = gangs._gang_root(gang_id)
        if root is not None:
            self._refresh_classes()
            shares = gangs.gang_shares(gang_id)
            # other customers, as `_decided` reads them: the same for every member of the gang
            others = min(max(gangs._n_customers(root) - 2, 0), 5) if shares else None
            memo = _Memo()
            for key in gangs._fams(root):
                classes, special = self._classes.get(key), self._special.get(key)
                if not classes and not special:
                    continue
                t, burst = self._family_values(self._doc_of_key[key], today)
                for local, n in _counts(classes):
                    _, flagged, kind = self._decide_local(local, t, burst, others, memo)
                    if flagged and kind not in ("genuine", "repeat_harass"):
                        votes[kind] += n
                for d in special or ():
                    v = self._own(d, today).verdict
                    if v.flagged and v.kind not in ("genuine", "repeat_harass"):
                        votes[v.kind] += 1
        self._votes[(gang_id, today)] = (self._version, votes)
        return votes

    def _family_key(self, doc_id: Hashable) -> str:
        fams = self.families
        return str(fams._docs[fams._root(doc_id)])

    def _merge_classes(self, kept: str, absorbed: str) -> None:
        classes = self._classes.pop(absorbed, None)
        if classes:
            into = self._classes.get(kept)
            if not isinstance(into, Counter):
                into = self._classes[kept] = Counter(dict(_counts(into)))
            into.update(dict(_counts(classes)))
        special = self._special.pop(absorbed, None)
        if special:
            self._special.setdefault(kept, set()).update(special)

    def _refresh_classes(self) -> None:
        """Count again the complaints whose own inputs changed (all of them after a hub appeared or
        the scoring changed)."""
        if self._classed_with is not self.scoring:
            self._classes, self._special, self._class_of = {}, {}, {}
            self._reclass = set(self._external)
            self._classed_with = self.scoring
        if not self._reclass:
            return
        classes, special, class_of = self._classes, self._special, self._class_of
        for d in self._reclass:
            if d not in self._external:
                continue
            key = self._family_key(d)
            if d in class_of:
                old = class_of[d]
                if old is None:
                    special[key].discard(d)
                else:
                    counter = classes[key]
                    if isinstance(counter, _One):
                        del classes[key]       # (its one member: as an emptied Counter, it counts none)
                    else:
                        counter[old] -= 1
                        if not counter[old]:
                            del counter[old]
            cached = self._decisions.get(d)
            local = cached[0] if cached is not None else self._local_inputs(d)
            if local is not None:
                local = self._shared_values.setdefault(local, local)
            class_of[d] = local
            if local is None:
                special.setdefault(key, set()).add(d)
            else:
                counter = classes.get(key)
                if counter is None:
                    classes[key] = _One(local)     # most families are one complaint's own
                else:
                    if isinstance(counter, _One):
                        counter = classes[key] = Counter({counter.local: 1})
                    counter[local] += 1
        self._reclass = set()

    def result(self, doc_id: Hashable, today: date) -> ScanResult:
        """The complaint's verdict as the batch scan would give it on the complaints indexed so far."""
        own = self._own(doc_id, today)
        if not _votes_count(own):
            return own
        return settle_gang_kind(own, self._gang_votes(own.gang_id, today))

    def results(self, doc_ids: Iterable[Hashable], today: date) -> list[ScanResult]:
        return [self.result(d, today) for d in doc_ids]

    def _group_head(self, family: Hashable | None, gang: str | None) -> list[Hashable]:
        """The first `affected_limit + 1` complaints of the family's members (insertion order) followed
        by the gang's members not among them (the order `affected` lists them in); all of them when
        there are fewer. Computed once per family and gang until the next change."""
        key = (family, gang)
        head = self._heads.get(key)
        if head is None:
            cap = self.affected_limit + 1
            out = dict.fromkeys(self.families.members(family, limit=cap)) if family is not None else {}
            if len(out) < cap and gang is not None:
                for d in self.gangs.members(gang):
                    if d not in out:
                        out[d] = None
                        if len(out) == cap:
                            break
            head = self._heads[key] = list(out)
        return head

    def affected(self, doc_id: Hashable) -> list[Hashable]:
        """Other complaints whose verdict `doc_id` may have changed: its family, gang and repeat window
        (in that order; the first `affected_limit` of them)."""
        limit = self.affected_limit
        head = self._group_head(self.families.family_of(doc_id), self.gangs.gang_of(doc_id))
        if len(head) > limit:          # family and gang alone fill the list: the window comes after
            return [d for d in head if d != doc_id][:limit]
        out = dict.fromkeys(head)
        out.update(dict.fromkeys(self.repeats.window_of(doc_id)))
        out.pop(doc_id, None)
        return list(out)[:limit]

    def affected_many(self, doc_ids: Iterable[Hashable]) -> set[Hashable]:
        """Every complaint `affected` names for any of `doc_ids`, except those: what a batch of new
        complaints asks to re-score. Complaints of one big family and gang share one list."""
        docs = list(doc_ids)
        limit = self.affected_limit
        out: set[Hashable] = set()
        full: dict[tuple[Hashable | None, str | None], list] = {}   # [head[:limit] as a set, topped up]
        for d in docs:
            key = (self.families.family_of(d), self.gangs.gang_of(d))
            head = self._group_head(*key)
            if len(head) > limit:
                # affected(d) is head[:limit] without d, topped up with head[limit] when d is among them
                group = full.get(key)
                if group is None:
                    group = full[key] = [set(head[:limit]), False]
                if d in group[0]:
                    group[1] = True
            else:
                out.update(self.affected(d))
        for key, (first, topped) in full.items():
            out |= first
            if topped:
                out.add(self._group_head(*key)[limit])
        out.difference_update(docs)
        return out

    def add_many(self, items: Iterable[tuple[Hashable, dict[str, Any], str]], *, today: date | None = None) -> None:
        """`add` each (doc id, record, customer) in order, with the texts' signatures computed for
        the whole batch at once (`TemplateFamilies.prepare`): the same index as one `add` at a time."""
        todo, seen = [], set()
        for item in items:
            if item[0] not in self._external and item[0] not in seen:   # (a repeat is a no-op)
                seen.add(item[0])
                todo.append(item)
        if not todo:
            return
        prepared = self.families.prepare([str(record.get("text") or "") for _, record, _ in todo],
                                         [doc_id for doc_id, _, _ in todo])
        for (doc_id, record, customer), p in zip(todo, prepared):
            self.add(doc_id, record, customer, today=today, prepared=p)
