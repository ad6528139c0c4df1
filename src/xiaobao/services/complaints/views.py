"""How a complaint is shown: masked by default, clear personal data only for permitted roles (audited).

The personal data masked covers the customer fields and the free text (`text`, `request`: stored
masked, originals sealed — see `protected_text`). Entry points that show a complaint — the API, the
console — call `get_complaint` (a whole complaint) or `display_text` (just its words, e.g. for a list
row or a panel), both masked unless the actor's role has `pii.view` and reveal was asked.
"""

from __future__ import annotations

from typing import Any

from xiaobao.domain.complaint import STATUS_NAMES_ZH, Complaint
from xiaobao.domain.tiers import TIER_NAMES_ZH, Tier
from xiaobao.services.privacy import protected_text
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Forbidden, NotFound


def complaint_dict(ctx: Context, c: Complaint, *, clear_pii: dict[str, str] | None = None,
                   clear_text: dict[str, str] | None = None) -> dict[str, Any]:
    """The complaint as data to show: customer fields and free text masked unless the caller passes
    what it was allowed to reveal (`clear_pii`, `clear_text`; see `get_complaint`)."""
    today = ctx.today()
    channel = ctx.rules.channels.get(c.channel)
    words = clear_text if clear_text is not None else protected_text.shown_of(c)
    structured = ({k: clear_text[k] for k in ("customer_no", "respondent", "extras")} if clear_text is not None
                  else protected_text.shown_structured(c))
    return {
        "id": c.id, "channel": c.channel, "channel_name": channel.name_zh if channel else c.channel,
        "external_id": c.external_id, "received_at": c.received_at, "text": words["text"], "request": words["request"],
        "complainant_type": c.complainant_type, "customer_no": structured["customer_no"],
        "customer": clear_pii if clear_pii is not None else dict(c.masked), "pii_masked": clear_pii is None,
        "org_name": c.org_name, "uscc": c.uscc, "respondent": structured["respondent"], "product": c.product,
        "category": c.category, "flags": list(c.flags or []), "agent": c.agent, "regulator": c.regulator,
        "regulator_ref": c.regulator_ref, "status": str(c.status), "status_name": STATUS_NAMES_ZH[str(c.status)],
        "tier": str(c.tier), "tier_name": TIER_NAMES_ZH[Tier(c.tier)], "team": c.team, "assignee": c.assignee,
        "clock": {
            "policy": c.clock_policy, "started": c.clock_started, "level": c.clock_level,
            "days_allowed": ctx.rules.regime.policy(c.clock_policy).stage(c.clock_level).days,
            "due_date": c.due_date, "due_estimated": c.due_estimated,
            "days_left": c.days_left(today) if c.is_open else None,
            "overdue": bool(c.is_open and c.due_date is not None and today > c.due_date),
            "paused": str(c.status) == "paused",
            "pauses": [{"start": p.start, "end": p.end, "reason": p.reason} for p in c.pauses],
        },
        "decision": _handler_text(c, "decision", clear_text), "decided_at": c.decided_at, "notified_at": c.notified_at, "notice": c.notice,
        "review_requested_at": c.review_requested_at, "review_due_date": c.review_due_date,
        "review": _handler_text(c, "review", clear_text),
        "satisfaction": c.satisfaction, "callback_at": c.callback_at, "merged_into_id": c.merged_into_id,
        "repeat_of_id": c.repeat_of_id, "extras": structured["extras"], "created_at": c.created_at, "updated_at": c.updated_at,
    }


def _handler_text(c: Complaint, section: str, clear_text: dict[str, Any] | None):
    if clear_text is not None and section in clear_text:
        return clear_text[section]
    return protected_text.shown_handler_text(section, getattr(c, section))


def _may_reveal(ctx: Context, actor: Actor) -> None:
    if not ctx.rules.permissions.allows(actor.role, "pii.view"):
        raise Forbidden(f"角色 {actor.role} 无权查看未脱敏的个人信息")


def _revealed_text_fields(c: Any) -> list[str]:
    sealed = c.sealed_text
    if sealed is None:
        return [f for f in protected_text.FIELDS if getattr(c, f)]
    return protected_text.sealed_fields(c)


def get_complaint(ctx: Context, cid: int, actor: Actor, *, reveal: bool = False) -> dict[str, Any]:
    """A complaint to show `actor`: customer fields, `text` and `request` masked; `reveal` asks for
    them in clear: only roles with pii.view, and each reveal is audited (which fields, never values)."""
    if reveal:
        _may_reveal(ctx, actor)
    with ctx.store.uow(write=reveal) as uow:
        c = uow.complaints.get(cid)
        if c is None:
            raise NotFound(f"投诉 #{cid} 不存在", complaint_id=cid)
        clear = words = None
        if reveal:
            clear = {f: ctx.vault.decrypt(tok, f) for f, tok in c.pii.items()}
            words = protected_text.originals_of(ctx, c)
            uow.audit.append(ctx.now(), actor.username, "pii.view", "complaint", str(cid),
                             {"data": {"fields": sorted(clear) + _revealed_text_fields(c)}})
            uow.commit()
        return complaint_dict(ctx, c, clear_pii=clear, clear_text=words)


def display_text(ctx: Context, c: Complaint, actor: Actor, *, reveal: bool = False) -> dict[str, Any]:
    """A loaded complaint's words for `actor`: {"text", "request", "masked"}. Masked unless `reveal`
    is asked by a role with pii.view; a reveal is audited like `get_complaint`'s. For code that has
    the Complaint already (a list, a console panel) and needs only its text."""
    if not reveal:
        return {**protected_text.shown_of(c), "masked": True}
    _may_reveal(ctx, actor)
    words = protected_text.originals_of(ctx, c)
    with ctx.store.uow() as uow:
        uow.audit.append(ctx.now(), actor.username, "pii.view", "complaint", str(c.id),
                         {"data": {"fields": _revealed_text_fields(c)}})
        uow.commit()
    return {**words, "masked": False}


def timeline(ctx: Context, cid: int) -> list[dict[str, Any]]:
    with ctx.store.uow(write=False) as uow:
        if uow.complaints.get(cid) is None:
            raise NotFound(f"投诉 #{cid} 不存在", complaint_id=cid)
        rows = uow.audit.for_entity("complaint", str(cid))
    return [{"seq": r["seq"], "at": r["at"], "actor": r["actor"], "action": r["action"],
             "before": r["content"].get("before"), "after": r["content"].get("after"),
             "reason": r["content"].get("reason"), "data": r["content"].get("data")} for r in rows]
