"""Black/gray triage at intake: every new complaint is scored by a detector that stays alive between
complaints, and flagged ones are routed to the specialised queue. Flagging never closes or rejects a
complaint: it keeps its regulatory clock and is handled like any other, by the team for such cases.

One detector per store and process. Before each use it catches up on complaints stored since it last
looked — by other processes, imports or workers — so every process sees the whole corpus without a
rebuild; `rescan` rebuilds from scratch (after intelligence changes, or to settle merged families).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xiaobao.engines.blackgray.contacts import extract_artefacts
from xiaobao.engines.blackgray.engine import ScanResult, load_detector_rules, load_scoring
from xiaobao.engines.blackgray.incremental import Detector
from xiaobao.engines.blackgray.intel import IntelEntry, IntelIndex
from xiaobao.engines.blackgray.lexicon import Lexicon
from xiaobao.engines.blackgray.scoring import ScoringRules
from xiaobao.store.uow import UnitOfWork
from xiaobao.services.privacy import protected_text
from xiaobao.services.context import Context
from xiaobao.services.complaints.intake.recent import Recent

SUSPECT_FLAG = "blackgray_suspect"
_META_PII = {"phone": "customer_phone", "agent_phone": "agent_phone", "agent_name": "agent_name"}


def doc_key(channel: str, external_id: str) -> str:
    return f"{channel}:{external_id}"


def intel_key(ctx: Context, kind: str, value: str) -> str:
    return ctx.vault.blind_index(f"bg:{kind}:{value}")


@dataclass
class _State:
    detector: Detector
    threshold: float
    intel_version: Any
    last_id: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # doc key → complaint id
    lock: threading.RLock = field(default_factory=threading.RLock)


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Store → its detector
_states_lock = threading.Lock()


def scoring_for(ctx: Context, uow: UnitOfWork) -> ScoringRules:
    """The rules file's scoring, with the threshold reviews have calibrated when one was applied."""
    base = load_scoring(ctx.settings.rules_dir)
    calibrated = uow.blackgray.setting("flag_threshold")
    if calibrated and calibrated.get("applied"):
        return ScoringRules(float(calibrated["threshold"]), base.lexicon_cap, base.weights)
    return base


def intel_index(ctx: Context, uow: UnitOfWork) -> IntelIndex:
    index = IntelIndex(lambda kind, value: intel_key(ctx, kind, value))
    for r in uow.blackgray.intel():
        entry = IntelEntry(str(r.id), r.kind, r.source, r.expires_on, r.display)
        if r.kind == "template":
            index.add_template(r.template_text or "", entry)
        else:
            index.add_contact(r.value_key, entry)
    return index


def _new_state(ctx: Context) -> _State:
    with ctx.store.uow(write=False) as uow:
        scoring = scoring_for(ctx, uow)
        detector = Detector(scoring=scoring, intel=intel_index(ctx, uow), lexicon=Lexicon.load(ctx.settings.rules_dir),
                            rules=load_detector_rules(ctx.settings.rules_dir))
        state = _State(detector, scoring.flag_threshold,
                       uow.blackgray.setting("intel_version"))
    _catch_up(ctx, state)
    return state


def state(ctx: Context) -> _State:
    key = ctx.store
    with _states_lock:
        st = _states.get(key)
        if st is None:
            st = _states[key] = _new_state(ctx)
    return st


def invalidate(ctx: Context) -> None:
    """Drop this process's detector; the next use rebuilds it (after intelligence or threshold changes)."""
    with _states_lock:
        _states.pop(ctx.store, None)


def record_of_row(ctx: Context, row: Any) -> tuple[dict[str, Any], str]:
    # The stored text is masked: contacts, templates and repeats are found in the original.
    rec = {"external_id": row.external_id, "channel": row.channel, "received_at": row.received_at,
           "text": protected_text.original(ctx, row.text, getattr(row, "sealed_text", None), "text")}
    for f, meta in _META_PII.items():
        token = (row.pii or {}).get(f)
        if token:
            rec[meta] = ctx.vault.decrypt(token, f)
    return rec, row.customer_key or f"anon:{doc_key(row.channel, row.external_id)}"


def record_of_draft(draft: Any, key: str | None) -> tuple[dict[str, Any], str]:
    rec = {"external_id": draft.external_id, "channel": draft.channel, "received_at": draft.received_at,
           "text": draft.text}
    for f, meta in _META_PII.items():
        if draft.pii.get(f):
            rec[meta] = draft.pii[f]
    return rec, key or f"anon:{doc_key(draft.channel, draft.external_id)}"


_PAGE = 5000  # complaint keys read per query while catching up
_intel_version = Recent()  # store → the intelligence version another process may have changed


def _catch_up(ctx: Context, st: _State, uow: UnitOfWork | None = None) -> None:
    today = ctx.today()

    def pull(u: UnitOfWork) -> bool:
        keys = u.blackgray.complaint_keys_after(st.last_id, _PAGE)
        unknown = []
        for row in keys:
            doc = doc_key(row.channel, row.external_id)
            st.ids[doc] = row.id
            if doc not in st.detector:  # else this process indexed it at intake: nothing to read again
                unknown.append(row.id)
        if unknown:
            rows = u.blackgray.complaints_by_ids(unknown)
            st.detector.add_many([(doc_key(row.channel, row.external_id), *record_of_row(ctx, row)) for row in rows],
                                 today=today)
        if keys:
            st.last_id = keys[-1].id
        return len(keys) == _PAGE  # (a short page was the last)

    with st.lock:
        if uow is not None:
            version = _intel_version.get(ctx.store, lambda: uow.blackgray.setting("intel_version"))
            if version != st.intel_version:  # another process imported intelligence
                st.detector.intel, st.intel_version = intel_index(ctx, uow), version
            while pull(uow):
                pass
            return
        more = True
        while more:
            with ctx.store.uow(write=False) as u:
                more = pull(u)


def flag_row(cid: int, res: ScanResult, threshold: float, at: datetime) -> dict[str, Any]:
    d = res.to_dict()
    return {"complaint_id": cid, "score": d["score"], "flagged": d["flagged"], "kind": d["kind"],
            "family_key": d["family_id"], "gang_key": d["gang_id"], "signals": d["signals"],
            "threshold": threshold, "scanned_at": at}


@dataclass
class Assessment:
    """Verdicts of new complaints, before they are stored (their ids are not known yet)."""

    results: dict[str, ScanResult]
    affected: set[str]
    threshold: float
    values: dict[str, tuple] = field(default_factory=dict)   # their family's and gang's values then
    epoch: int = 0                                           # the detector's mark then
    # verdicts `record` wrote (doc, brief, values, epoch): the detector learns them once committed
    publications: list[tuple] = field(default_factory=list)

    def flagged(self, doc: str) -> bool:
        return self.results[doc].verdict.flagged


def assess(ctx: Context, uow: UnitOfWork, drafts: Sequence[tuple[Any, str | None]]) -> Assessment:
    """Score new complaints (draft, customer key) inside the intake transaction."""
    st = state(ctx)
    today = ctx.today()
    with st.lock:
        _catch_up(ctx, st, uow)
        items = [(doc_key(draft.channel, draft.external_id), *record_of_draft(draft, key)) for draft, key in drafts]
        st.detector.add_many(items, today=today)
        docs = [doc for doc, _, _ in items]
        results = {d: st.detector.result(d, today) for d in docs}
        affected = st.detector.affected_many(docs)
        groups: dict = {}
        values = {d: st.detector.group_values(d, today, groups) for d in docs}
        epoch = st.detector.epoch
    return Assessment(results, affected, st.threshold, values, epoch)


def _brief(r: ScanResult) -> tuple:
    return r.verdict.score, r.verdict.flagged, r.family_id, r.gang_id


def record(ctx: Context, uow: UnitOfWork, assessment: Assessment, ids: dict[str, int]) -> list[int]:
    """Store the verdicts of the new complaints (doc key → complaint id) and re-score the complaints
    whose family, gang or repeat window they joined — those whose verdict may have changed since this
    process last stored it (`Detector.briefs_changed`). Returns complaints newly flagged by the re-score.
    Call `committed` once the caller's transaction has committed (a rolled-back write teaches nothing)."""
    st = state(ctx)
    now, today = ctx.now(), ctx.today()
    rows = [flag_row(ids[d], r, assessment.threshold, now) for d, r in assessment.results.items()]
    publications = [(d, _brief(r), assessment.values[d], assessment.epoch)
                    for d, r in assessment.results.items() if d in assessment.values]
    with st.lock:
        st.ids.update(ids)
        others = {d: st.ids[d] for d in assessment.affected if d in st.ids}
        changed = st.detector.briefs_changed(others, today)
        epoch = st.detector.epoch
    before = uow.blackgray.flags_for([others[d] for d, _, _ in changed], brief=True)
    newly = []
    with st.lock:
        for d, (score, flagged, family_id, gang_id), values in changed:
            cid = others[d]
            old = before.get(cid)
            if old is None or old["flagged"] != flagged or abs(old["score"] - score) >= 0.005 \
                    or old["family_key"] != family_id or old["gang_key"] != gang_id:
                rows.append(flag_row(cid, st.detector.result(d, today), assessment.threshold, now))
                if flagged and not (old and old["flagged"]):
                    newly.append(cid)
            publications.append((d, (score, flagged, family_id, gang_id), values, epoch))
    uow.blackgray.upsert_flags(rows)
    if newly:
        uow.blackgray.add_flag_to_complaints(newly, SUSPECT_FLAG, now)
    assessment.publications = publications
    return newly


def committed(ctx: Context, assessment: Assessment) -> None:
    """The verdicts `record` wrote are stored: the detector stops re-checking them until something changes."""
    st = state(ctx)
    with st.lock:
        for d, brief, values, epoch in assessment.publications:
            st.detector.published(d, brief, values, epoch)
    assessment.publications = []


def rescan(ctx: Context) -> dict[str, Any]:
    """The scan task: a fresh detector over the whole corpus and the current intelligence, every
    complaint re-scored, flags rewritten (reviews kept), then swapped in for intake to use."""
    st = _new_state(ctx)
    now, today = ctx.now(), ctx.today()
    with st.lock:
        results = {cid: st.detector.result(doc, today) for doc, cid in st.ids.items()}
    flagged_now = [cid for cid, r in results.items() if r.verdict.flagged]
    items = sorted(results.items())
    intel_hits = 0
    for i in range(0, len(items), 2000):
        chunk = items[i:i + 2000]
        with ctx.store.uow() as uow:
            uow.blackgray.upsert_flags([flag_row(cid, r, st.threshold, now) for cid, r in chunk])
            uow.blackgray.add_flag_to_complaints([cid for cid, r in chunk if r.verdict.flagged], SUSPECT_FLAG, now)
            uow.commit()
        intel_hits += sum(any(f.kind == "blackgray.intelligence" for f in r.verdict.signals) for _, r in chunk)
    _catch_up(ctx, st)  # complaints stored while we scanned
    with _states_lock:
        _states[ctx.store] = st
    return {"complaints": len(results), "flagged": len(flagged_now), "intel_hits": intel_hits,
            "threshold": st.threshold, "at": now}


def artefacts_in(text: str, masked: bool = True) -> list[dict[str, Any]]:
    """Contact artefacts in one text (for evidence listings), masked unless asked otherwise."""
    from xiaobao.engines.blackgray.gangs import mask_value

    return [{"kind": a.kind, "value": mask_value(a.kind, a.value) if masked else a.value,
             "start": a.start, "end": a.end} for a in extract_artefacts(text)]

