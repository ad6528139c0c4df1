"""How a complaint is shown: masked by default, clear personal data only for permitted roles (audited)."""

from __future__ import annotations

from typing import Any

from ..domain.complaint import STATUS_NAMES_ZH, Complaint
from ..domain.tiers import TIER_NAMES_ZH, Tier
from .actors import Actor
from .context import Context
from .errors import Forbidden, NotFound


def complaint_dict(ctx: Context, c: Complaint, *, clear_pii: dict[str, str] | None = None) -> dict[str, Any]:
    today = ctx.today()
    channel = ctx.rules.channels.get(c.channel)
    return {
        "id": c.id, "channel": c.channel, "channel_name": channel.name_zh if channel else c.channel,
        "external_id": c.external_id, "received_at": c.received_at, "text": c.text, "request": c.request,
        "complainant_type": c.complainant_type, "customer_no": c.customer_no,
        "customer": clear_pii if clear_pii is not None else dict(c.masked), "pii_masked": clear_pii is None,
        "org_name": c.org_name, "uscc": c.uscc, "respondent": c.respondent, "product": c.product,
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
        "decision": c.decision, "decided_at": c.decided_at, "notified_at": c.notified_at, "notice": c.notice,
        "review_requested_at": c.review_requested_at, "review_due_date": c.review_due_date, "review": c.review,
        "satisfaction": c.satisfaction, "callback_at": c.callback_at, "merged_into_id": c.merged_into_id,
        "repeat_of_id": c.repeat_of_id, "extras": c.extras, "created_at": c.created_at, "updated_at": c.updated_at,
    }


def get_complaint(ctx: Context, cid: int, actor: Actor, *, reveal: bool = False) -> dict[str, Any]:
    """`reveal` asks for clear personal data: only roles with pii.view, and each reveal is audited."""
    if reveal and not ctx.rules.permissions.allows(actor.role, "pii.view"):
        raise Forbidden(f"角色 {actor.role} 无权查看未脱敏的个人信息")
    with ctx.store.uow(write=reveal) as uow:
        c = uow.complaints.get(cid)
        if c is None:
            raise NotFound(f"投诉 #{cid} 不存在", complaint_id=cid)
        clear = None
        if reveal:
            clear = {f: ctx.vault.decrypt(tok, f) for f, tok in c.pii.items()}
            uow.audit.append(ctx.now(), actor.username, "pii.view", "complaint", str(cid),
                             {"data": {"fields": sorted(clear)}})
            uow.commit()
        return complaint_dict(ctx, c, clear_pii=clear)


def timeline(ctx: Context, cid: int) -> list[dict[str, Any]]:
    with ctx.store.uow(write=False) as uow:
        if uow.complaints.get(cid) is None:
            raise NotFound(f"投诉 #{cid} 不存在", complaint_id=cid)
        rows = uow.audit.for_entity("complaint", str(cid))
    return [{"seq": r["seq"], "at": r["at"], "actor": r["actor"], "action": r["action"],
             "before": r["content"].get("before"), "after": r["content"].get("after"),
             "reason": r["content"].get("reason"), "data": r["content"].get("data")} for r in rows]
