"""Intake: a validated draft becomes a protected, routed complaint on its regulatory clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.complaint import Complaint, Status
from ..domain.identity import MASKERS
from ..domain.tiers import Route, RoutingFacts
from ..domain.errors import InvalidValue
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


def build(ctx: Context, draft: Draft, now: datetime, *, key: str | None,
          repeat_of: int | None) -> tuple[Complaint, Route]:
    channel = ctx.rules.channels[draft.channel]
    route = ctx.rules.routing.route(RoutingFacts(
        channel=draft.channel, category=draft.category, flags=frozenset(draft.flags),
        regulator_forwarded=channel.regulator is not None, repeat=repeat_of is not None,
        via_agent=draft.agent is not None))
    c = Complaint(
        channel=draft.channel, external_id=draft.external_id, received_at=draft.received_at, text=draft.text,
        clock_policy=channel.clock_policy, clock_started=draft.received_at.date(), request=draft.request,
        complainant_type=draft.complainant_type, customer_no=draft.customer_no, customer_key=key,
        pii={f: ctx.vault.encrypt(v, f) for f, v in draft.pii.items()},
        masked={f: MASKERS[f](v) for f, v in draft.pii.items()},
        org_name=draft.org_name, uscc=draft.uscc, respondent=draft.respondent, product=draft.product,
        category=draft.category, flags=list(draft.flags), agent=draft.agent, regulator=channel.regulator,
        regulator_ref=draft.regulator_ref, status=Status.RECEIVED, tier=route.tier, team=route.team,
        repeat_of_id=repeat_of, extras=draft.extras, created_at=now, updated_at=now,
    )
    c.refresh_due(ctx.rules.regime)
    return c, route


def created_audit(c: Complaint, route: Route) -> dict[str, Any]:
    """What the audit keeps of a new complaint: no personal data in clear, masks only."""
    return {"after": {"channel": c.channel, "external_id": c.external_id, "received_at": c.received_at,
                      "status": str(c.status), "tier": str(c.tier), "team": c.team, "due_date": c.due_date,
                      "clock_policy": c.clock_policy, "repeat_of_id": c.repeat_of_id, "masked": c.masked},
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
    with ctx.store.uow() as uow:
        existing = uow.complaints.by_key(draft.channel, draft.external_id)
        if existing is not None:
            return existing, False
        key = customer_key(ctx, draft)
        prior = uow.complaints.open_for_customer(key) if key else []
        c, route = build(ctx, draft, now, key=key, repeat_of=prior[0].id if prior else None)
        uow.complaints.add(c)
        uow.audit.append(now, actor, "complaint.create", "complaint", str(c.id), created_audit(c, route))
        uow.commit()
        return c, True
