"""Intake: a validated draft becomes a protected, routed complaint on its regulatory clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..domain.clocks import ClockState
from ..domain.complaint import Complaint, Status
from ..domain.identity import MASKERS
from ..domain.tiers import Route, RoutingFacts
from ..domain.errors import InvalidValue
from . import classification, protected_text
from .blackgray import triage
from .context import Context
from .records import Draft, parse_record


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
        "clock_started": started, "complainant_type": draft.complainant_type, "customer_no": draft.customer_no,
        "customer_key": key, "pii": {f: ctx.vault.encrypt(v, f) for f, v in draft.pii.items()},
        "masked": {f: MASKERS[f](v) for f, v in draft.pii.items()}, "org_name": draft.org_name,
        "uscc": draft.uscc, "respondent": draft.respondent, "product": draft.product, "category": draft.category,
        "flags": list(draft.flags), "agent": draft.agent, "regulator": channel.regulator,
        "regulator_ref": draft.regulator_ref, "status": str(Status.RECEIVED), "tier": str(route.tier),
        "team": route.team, "assignee": None, "clock_level": 0, "pauses": (), "due_date": due.due,
        "due_estimated": due.estimated, "repeat_of_id": repeat_of, "extras": draft.extras,
        "created_at": now, "updated_at": now,
    }, route


_AUDITED = ("channel", "external_id", "received_at", "status", "tier", "team", "due_date", "clock_policy",
            "repeat_of_id", "masked")


def created_audit(fields: dict[str, Any], route: Route) -> dict[str, Any]:
    """What the audit keeps of a new complaint: no personal data in clear, masks only."""
    return {"after": {k: fields[k] for k in _AUDITED},
            "data": {"route_rule": route.rule_id, "route_reason": route.reason_zh}}


def submit(ctx: Context, raw: dict[str, Any], *, actor: str) -> tuple[Complaint, bool]:
    """Take in one complaint. Idempotent on (channel, external_id): returns (complaint, created)."""
    now = ctx.now()
    draft, errors = parse_record(raw, ctx.rules, now)
    if errors:
        first = errors[0]
        err = InvalidValue(first.field, first.reason)
        err.details["errors"] = [{"field": e.field, "reason": e.reason} for e in errors]
        raise err
    try:
        return _store_new(ctx, draft, now, actor)
    except IntegrityError:
        # A concurrent submit of the same (channel, external_id) won the race: theirs is the complaint.
        with ctx.store.uow(write=False) as uow:
            existing = uow.complaints.by_key(draft.channel, draft.external_id)
        if existing is None:
            raise
        return existing, False


def _store_new(ctx: Context, draft: Draft, now: datetime, actor: str) -> tuple[Complaint, bool]:
    protected = protected_text.protect(ctx, [draft])[0]  # before the write lock: pure CPU
    with ctx.store.uow() as uow:
        key = customer_key(ctx, draft)
        existing, repeat_of = uow.complaints.existing_and_open(draft.channel, draft.external_id, key)
        if existing is not None:
            return uow.complaints.get(existing), False
        assessment = triage.assess(ctx, uow, [(draft, key)])
        doc = triage.doc_key(draft.channel, draft.external_id)
        if assessment.flagged(doc):
            draft.flags.append(triage.SUSPECT_FLAG)  # routing sends it to the specialised queue
        classified = classification.assess(ctx, uow, [draft], [repeat_of is not None])  # before routing: risk routes
        fields, route = new_complaint_fields(ctx, draft, now, key=key, repeat_of=repeat_of, protected=protected)
        cid = uow.complaints.insert_one(fields)
        uow.audit.append(now, actor, "complaint.create", "complaint", str(cid), created_audit(fields, route))
        triage.record(ctx, uow, assessment, {doc: cid})
        classification.record(ctx, uow, [classification.item(cid, fields, text=draft.text)], classified, new=True)
        uow.commit()
    triage.committed(ctx, assessment)
    c = Complaint(**fields)  # detached: the caller only reads it
    c.id = cid
    return c, True
