"""The review queue: an analyst confirms or rejects each lead and each complaint flag ("AI
auto-identification + human assistance"). Decisions are kept with who, when and why, audited, and
feed the flag threshold (`calibrate`).
"""

from __future__ import annotations

from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.review import FLAG_REVIEW, LEAD_REVIEW
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Forbidden
from xiaobao.services.blackgray import triage
from xiaobao.services.loading import load_or_404

MIN_REVIEWS = 20  # below this many decisions of each kind a fitted threshold is noise


def _check(ctx: Context, actor: Actor) -> None:
    if not ctx.rules.permissions.allows(actor.role, "blackgray.review"):
        raise Forbidden(f"角色 {actor.role} 无权审核黑灰产线索")


def review_lead(ctx: Context, lead_id: int, decision: str, actor: Actor, note: str | None = None) -> dict[str, Any]:
    """Decide a lead. Its members' complaint flags still awaiting review take the same decision."""
    LEAD_REVIEW.decision(decision)  # an unknown decision is refused before the role is looked at
    _check(ctx, actor)
    now = ctx.now()
    with ctx.store.uow() as uow:
        lead = load_or_404(lambda: uow.blackgray.lead(lead_id), f"线索 #{lead_id}", f"lead #{lead_id}",
                           lead_id=lead_id)
        status = LEAD_REVIEW.move(lead["status"], decision)
        uow.blackgray.review_lead(lead_id, status, actor.username, now, note)
        members = uow.blackgray.member_ids(lead_id)
        n = uow.blackgray.review_flags(members, status, actor.username, now, f"线索#{lead_id}：{note or ''}",
                                       only_pending=True)
        uow.audit.append(now, actor.username, f"blackgray.lead.{decision}", "bg_lead", str(lead_id),
                         {"before": {"status": lead["status"]}, "after": {"status": status}, "reason": note,
                          "data": {"members": len(members), "flags_decided": n}})
        uow.commit()
    return {"lead_id": lead_id, "status": status, "flags_decided": n}


def review_flag(ctx: Context, complaint_id: int, decision: str, actor: Actor, note: str | None = None) -> dict[str, Any]:
    FLAG_REVIEW.decision(decision)  # an unknown decision is refused before the role is looked at
    _check(ctx, actor)
    now = ctx.now()
    with ctx.store.uow() as uow:
        flag = _flag(uow, complaint_id)
        status = FLAG_REVIEW.move(flag["review_status"], decision)
        uow.blackgray.review_flags([complaint_id], status, actor.username, now, note)
        uow.audit.append(now, actor.username, f"blackgray.flag.{decision}", "complaint", str(complaint_id),
                         {"before": {"review_status": flag["review_status"]}, "after": {"review_status": status},
                          "reason": note, "data": {"score": flag["score"], "flagged": flag["flagged"]}})
        uow.commit()
    return {"complaint_id": complaint_id, "review_status": status}


def queue(ctx: Context, *, review_status: str | None = "pending", kind: str | None = None, limit: int = 100,
          offset: int = 0) -> dict[str, Any]:
    """The specialised queue: flagged complaints, highest score first."""
    with ctx.store.uow(write=False) as uow:
        total, rows = uow.blackgray.queue(review_status=review_status, kind=kind, limit=limit, offset=offset)
    return {"total": total, "items": [{**r, "customer": r.pop("masked")} for r in rows]}


def flag_of(ctx: Context, complaint_id: int) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        flag = _flag(uow, complaint_id)
        leads = uow.blackgray.leads_of(complaint_id)
    return {**flag, "leads": [{"id": lead["id"], "title": lead["title"], "status": lead["status"]} for lead in leads]}


def _flag(uow, complaint_id: int) -> dict[str, Any]:
    return load_or_404(lambda: uow.blackgray.flag(complaint_id), f"投诉 #{complaint_id}",
                       f"black/gray verdict of complaint #{complaint_id}", missing_zh="没有黑灰产识别结果",
                       complaint_id=complaint_id)


def fit_threshold(reviewed: list[tuple[float, bool]], floor: float) -> dict[str, Any]:
    """The threshold that maximises F1 of `flagged` against the decisions (ties: the higher one,
    fewer people troubled), never at or below `floor` (the lexicon cap: words alone never flag), and a
    reliability table: the share confirmed in each score band, so a score can be read as a rate."""
    pos = sum(1 for _, y in reviewed if y)
    best = None
    for t in sorted({s for s, _ in reviewed if s > floor}):
        tp = sum(1 for s, y in reviewed if y and s >= t)
        fp = sum(1 for s, y in reviewed if not y and s >= t)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / pos if pos else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if best is None or f1 >= best["f1"]:
            best = {"threshold": round(t, 4), "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}
    bands = []
    for lo in (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        hi = {0.0: 0.2, 0.2: 0.4, 0.4: 0.5, 0.5: 0.6, 0.6: 0.7, 0.7: 0.8, 0.8: 0.9, 0.9: 1.01}[lo]
        inside = [y for s, y in reviewed if lo <= s < hi]
        if inside:
            bands.append({"from": lo, "to": min(hi, 1.0), "n": len(inside),
                          "confirmed_rate": round(sum(inside) / len(inside), 3)})
    return {**(best or {}), "reviews": len(reviewed), "confirmed": pos, "rejected": len(reviewed) - pos,
            "reliability": bands}


def calibrate(ctx: Context, actor: Actor, *, apply: bool = False) -> dict[str, Any]:
    """Fit the flag threshold to the reviewed decisions; with `apply`, intake and rescans use it."""
    if apply and not ctx.rules.permissions.allows(actor.role, "blackgray.calibrate"):
        raise Forbidden(f"角色 {actor.role} 无权调整黑灰产识别阈值")
    with ctx.store.uow(write=False) as uow:
        reviewed = uow.blackgray.reviewed_scores()
        current = triage.scoring_for(ctx, uow)
    fit = fit_threshold(reviewed, current.lexicon_cap)
    fit["current_threshold"] = current.flag_threshold
    enough = fit["confirmed"] >= MIN_REVIEWS and fit["rejected"] >= MIN_REVIEWS and "threshold" in fit
    fit["enough_reviews"] = enough
    if apply:
        if not enough:
            raise InvalidValue("reviews", f"已审核的确认与排除各须至少 {MIN_REVIEWS} 件才能校准阈值"
                                          f"（现有确认 {fit['confirmed']}、排除 {fit['rejected']}）")
        now = ctx.now()
        with ctx.store.uow() as uow:
            uow.blackgray.put_setting("flag_threshold", {**fit, "applied": True, "at": now.isoformat()},
                                      actor.username, now)
            uow.audit.append(now, actor.username, "blackgray.calibrate", "bg_settings", "flag_threshold",
                             {"before": {"threshold": current.flag_threshold},
                              "after": {"threshold": fit["threshold"]}, "data": {k: fit[k] for k in
                                                                                  ("precision", "recall", "f1", "reviews")}})
            uow.commit()
        triage.invalidate(ctx)
        fit["applied"] = True
    return fit
