"""Intake: a validated draft becomes a protected, routed complaint on its regulatory clock."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xiaobao.domain.clocks import ClockState
from xiaobao.domain.complaint import Complaint, Status
from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.identity import MASKERS
from xiaobao.domain.tiers import Route, RoutingFacts
from xiaobao.services.classify import classification
from xiaobao.services.privacy import protected_text
from xiaobao.services.blackgray import triage
from xiaobao.services.context import Context
from xiaobao.services.complaints.intake.group_commit import GroupCommit
from xiaobao.services.complaints.intake.drafts import Draft, parse_record
from xiaobao.store.errors import ConstraintViolation


def customer_key(ctx: Context, draft: Draft) -> str | None:
    """The identity repeat detection joins on: the ID number, else the phone (keyed, never clear)."""
    if "id_number" in draft.pii:
        return ctx.vault.blind_index("id:" + draft.pii["id_number"])
    if "phone" in draft.pii:
        return ctx.vault.blind_index("phone:" + draft.pii["phone"])
    if draft.uscc:
        return ctx.vault.blind_index("uscc:" + draft.uscc)
    return None


def new_complaint_fields(ctx: Context, draft: Draft, now: datetime, *, key: str | None,
                         repeat_of: int | None,
                         protected: tuple[str, str, dict[str, str]] | None = None) -> tuple[dict[str, Any], Route]:
    """Everything a new complaint row holds, as plain data: personal data encrypted and masked (the
    free text too: `protected_text.protect`, done here unless the caller did it for a whole batch),
    routed, on its clock. Bulk import inserts these directly; single intake wraps them in a Complaint."""
    text, request, sealed = protected or protected_text.protect(ctx, [draft])[0]
    structured, sealed_structured = protected_text.protect_structured(ctx, draft)
    sealed = {**sealed, **sealed_structured}
    channel = ctx.rules.channels[draft.channel]
    route = ctx.rules.routing.route(RoutingFacts(
        channel=draft.channel, category=draft.category, flags=frozenset(draft.flags),
        regulator_forwarded=channel.regulator is not None, repeat=repeat_of is not None,
        via_agent=draft.agent is not None))
    started = draft.received_at.date()
    due = ClockState(ctx.rules.regime.policy(channel.clock_policy), started).deadline(ctx.rules.regime.calendar)
    return {
        "channel": draft.channel, "external_id": draft.external_id, "received_at": draft.received_at,
        "text": text, "request": request, "sealed_text": sealed, "clock_policy": channel.clock_policy,
        "clock_started": started, "complainant_type": draft.complainant_type, "customer_no": structured["customer_no"],
        "customer_key": key, "pii": {f: ctx.vault.encrypt(v, f) for f, v in draft.pii.items()},
        "masked": {f: MASKERS[f](v) for f, v in draft.pii.items()}, "org_name": draft.org_name,
        "uscc": draft.uscc, "respondent": structured["respondent"], "product": draft.product, "category": draft.category,
        "flags": list(draft.flags), "agent": draft.agent, "regulator": channel.regulator,
        "regulator_ref": draft.regulator_ref, "status": str(Status.RECEIVED), "tier": str(route.tier),
        "team": route.team, "assignee": None, "clock_level": 0, "pauses": (), "due_date": due.due,
        "due_estimated": due.estimated, "repeat_of_id": repeat_of, "extras": structured["extras"],
        "created_at": now, "updated_at": now,
    }, route


_AUDITED = ("channel", "external_id", "received_at", "status", "tier", "team", "due_date", "clock_policy",
            "repeat_of_id", "masked")


def created_audit(fields: dict[str, Any], route: Route) -> dict[str, Any]:
    """What the audit keeps of a new complaint: no personal data in clear, masks only."""
    return {"after": {k: fields[k] for k in _AUDITED},
            "data": {"route_rule": route.rule_id, "route_reason": route.reason_zh}}


@dataclass
class Stored:
    """What became of one draft: its complaint's id, whether this call created it, and then its row."""

    id: int
    created: bool
    fields: dict[str, Any] | None = None


def store_drafts(ctx: Context, drafts: Sequence[Draft], actors: Sequence[str]) -> list[Stored]:
    """Store validated drafts as complaints in one transaction (intake and import both come here):
    keys already stored, or met earlier in `drafts`, are not stored again; the others are scored
    for black/gray signals and classified before routing, their personal data protected, inserted
    with their audit entries (each under its own actor) and their verdicts recorded."""
    now = ctx.now()
    first: dict[tuple[str, str], int] = {}
    for i, d in enumerate(drafts):
        first.setdefault(d.key, i)
    with ctx.store.uow() as uow:
        stored, fresh, keys, open_by_key = _look_up(ctx, uow, drafts, first)
        if not fresh:  # all stored already (a re-sent submit, a re-run import): nothing to write
            return [Stored(stored[d.key], False) for d in drafts]
        todo = [i for k, i in first.items() if k not in stored]
        assessment = triage.assess(ctx, uow, list(zip(fresh, keys)))
        docs = [triage.doc_key(d.channel, d.external_id) for d in fresh]
        for d, doc in zip(fresh, docs):
            if assessment.flagged(doc) and triage.SUSPECT_FLAG not in d.flags:  # (a retried draft has it)
                d.flags.append(triage.SUSPECT_FLAG)  # routing sends it to the specialised queue
        repeats, first_of_customer, later = [], {}, []
        for i, d in enumerate(fresh):
            k = keys[i]
            repeat_of = open_by_key.get(k) if k else None
            if k and repeat_of is None:
                if k in first_of_customer:
                    later.append((i, first_of_customer[k]))
                    repeat_of = 0  # the earlier draft's id, known once inserted (fixed up below)
                else:
                    first_of_customer[k] = i
            repeats.append(repeat_of)
        classified = classification.assess(ctx, uow, fresh, [r is not None for r in repeats])  # before routing: risk routes
        protected = protected_text.protect(ctx, fresh)  # free text masked, originals sealed: one batched scan
        built = [new_complaint_fields(ctx, d, now, key=k, repeat_of=r, protected=p)
                 for d, k, r, p in zip(fresh, keys, repeats, protected)]
        rows = [fields for fields, _ in built]
        ids = [uow.complaints.insert_one(rows[0])] if len(rows) == 1 else uow.complaints.bulk_insert(rows)
        for i, earlier in later:
            rows[i]["repeat_of_id"] = ids[earlier]
        uow.complaints.set_repeat_of({ids[i]: ids[earlier] for i, earlier in later})
        uow.audit.append_many([(now, actors[i], "complaint.create", "complaint", str(cid), created_audit(fields, route))
                               for i, cid, (fields, route) in zip(todo, ids, built)])
        triage.record(ctx, uow, assessment, dict(zip(docs, ids)))
        classification.record(ctx, uow, [classification.item(cid, fields, text=d.text)
                                         for cid, (fields, _), d in zip(ids, built, fresh)], classified, new=True)
        uow.commit()
    triage.committed(ctx, assessment)
    made = {i: Stored(cid, True, fields) for i, cid, (fields, _) in zip(todo, ids, built)}
    out = []
    for i, d in enumerate(drafts):
        if d.key in stored:
            out.append(Stored(stored[d.key], False))
        elif first[d.key] != i:
            out.append(Stored(made[first[d.key]].id, False))
        else:
            out.append(made[i])
    return out


def _look_up(ctx: Context, uow, drafts: Sequence[Draft], first: dict[tuple[str, str], int]):
    """(ids already stored by key, the drafts to store, their customer keys, each such customer's
    earliest open complaint id). A lone draft — a submit's usual case — takes one round trip for both."""
    if len(first) == 1:
        d = drafts[0]
        key = customer_key(ctx, d)
        existing, open_id = uow.complaints.existing_and_open(d.channel, d.external_id, key)
        if existing is not None:
            return {d.key: existing}, [], [], {}
        return {}, [d], [key], {key: open_id} if key and open_id is not None else {}
    stored = uow.complaints.ids_by_key(first)
    fresh = [drafts[i] for k, i in first.items() if k not in stored]
    keys = [customer_key(ctx, d) for d in fresh]
    return stored, fresh, keys, uow.complaints.open_ids_for_customers({k for k in keys if k})


def _store_group(ctx: Context, items: Sequence[tuple[Draft, str]]) -> list[Stored]:
    drafts, actors = [d for d, _ in items], [a for _, a in items]
    try:
        return store_drafts(ctx, drafts, actors)
    except ConstraintViolation:
        # Another process stored some of these keys meanwhile: theirs are the complaints; store the rest.
        return store_drafts(ctx, drafts, actors)


_groups_lock = threading.Lock()
_groups: dict[int, tuple[weakref.ref, GroupCommit]] = {}  # id(ctx) → its submits, stored in groups


def _group(ctx: Context) -> GroupCommit:
    with _groups_lock:
        got = _groups.get(id(ctx))
        if got is not None and got[0]() is ctx:
            return got[1]
        for k in [k for k, (ref, _) in _groups.items() if ref() is None]:
            del _groups[k]  # (contexts gone: their ids may be reused)
        ref = weakref.ref(ctx)
        group: GroupCommit = GroupCommit(lambda items: _store_group(ref(), items))
        _groups[id(ctx)] = (ref, group)
        return group


def submit(ctx: Context, raw: dict[str, Any], *, actor: str) -> tuple[Complaint, bool]:
    """Take in one complaint. Idempotent on (channel, external_id): returns (complaint, created).
    Submits arriving together are stored together (`group_commit`): each is handled exactly as if
    alone, and the caller waits for its own complaint's commit."""
    draft, errors = parse_record(raw, ctx.rules, ctx.now(), max_chars=ctx.settings.max_text_chars)
    if errors:
        first = errors[0]
        err = InvalidValue(first.field, first.reason)
        err.details["errors"] = [{"field": e.field, "reason": e.reason} for e in errors]
        raise err
    stored = _group(ctx)((draft, actor))
    if stored.created:
        c = Complaint(**stored.fields)  # detached: the caller only reads it
        c.id = stored.id
        return c, True
    with ctx.store.uow(write=False) as uow:
        return uow.complaints.get(stored.id), False
