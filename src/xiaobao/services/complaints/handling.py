"""Handling use cases: every action loads the complaint under lock, asks the domain, audits, commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from xiaobao.domain.complaint import Complaint, Event, Status
from xiaobao.domain.errors import ApprovalRequired, InvalidValue, RecusalRequired
from xiaobao.domain.ownership import Handling, may_act
from xiaobao.domain.tiers import Tier
from xiaobao.services.privacy import protected_text
from xiaobao.services.actors import SYSTEM, Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Forbidden, NotFound


def _masked(v):
    if isinstance(v, str):
        return protected_text.mask(v) if v else v
    if isinstance(v, list):
        return [_masked(x) for x in v]
    return v


def _event_body(e: Event) -> dict:
    # What staff write (notes, reasons, proofs, decision text) is free text: a phone number or an ID
    # typed into it is masked like the complaint's own text before it enters the audit, which is the
    # timeline every role reads and which nobody can edit afterwards.
    data = {k: _masked(v) for k, v in e.data.items()}
    return {"before": e.before, "after": e.after, "reason": protected_text.mask(e.reason) if e.reason else e.reason,
            "data": data}


def handling_of(ctx: Context, c, actor: Actor) -> Handling:
    """May this actor handle complaint `c` (a Complaint or its dict)? See domain.ownership."""
    get = c.get if isinstance(c, dict) else (lambda k: getattr(c, k))
    return may_act(assignee=get("assignee"), team=get("team"), tier=str(get("tier")), username=actor.username,
                   actor_team=actor.team,
                   may_override=actor is SYSTEM or ctx.rules.permissions.allows(actor.role, "complaint.override"))


def act(ctx: Context, complaint_id: int, actor: Actor,
        change: Callable[[Complaint, datetime], Event | list[Event]], *, as_handler: bool = True) -> Complaint:
    """Load under lock, check the actor may handle it (unless acting as a reviewer), change, audit, commit."""
    now = ctx.now()
    with ctx.store.uow() as uow:
        c = uow.complaints.get(complaint_id, for_update=True)
        if c is None:
            raise NotFound(f"投诉 #{complaint_id} 不存在", complaint_id=complaint_id)
        handling = handling_of(ctx, c, actor) if as_handler else Handling(True)
        if not handling.allowed:
            raise Forbidden(handling.reason_zh, complaint_id=complaint_id, reason_en=handling.reason_en)
        events = change(c, now)
        events = events if isinstance(events, list) else [events]
        bodies = [_event_body(e) for e in events]
        if handling.override:
            for body in bodies:  # a supervisor stepping into someone else's case: on the record
                body["override"] = {"role": str(actor.role), "assignee": c.assignee, "team": c.team}
        uow.audit.append_many([(e.at, actor.username, e.kind, "complaint", str(c.id), b) for e, b in zip(events, bodies)])
        uow.commit()
        return c


def _regime(ctx: Context):
    return ctx.rules.regime


def accept(ctx: Context, cid: int, actor: Actor, note: str = "") -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.transition(Status.ACCEPTED, by=actor.username, at=now, reason=note))


def start(ctx: Context, cid: int, actor: Actor, note: str = "") -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.transition(Status.IN_PROGRESS, by=actor.username, at=now, reason=note))


def withdraw(ctx: Context, cid: int, actor: Actor, reason: str) -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.transition(Status.WITHDRAWN, by=actor.username, at=now, reason=reason))


def close(ctx: Context, cid: int, actor: Actor, note: str = "") -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.close(by=actor.username, at=now, reason=note))


def pause(ctx: Context, cid: int, actor: Actor, reason: str, *, notice_proof: str, note: str = "") -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.pause(reason, by=actor.username, at=now, regime=_regime(ctx),
                                                        notice_proof=notice_proof, note=note))


def resume(ctx: Context, cid: int, actor: Actor, note: str = "") -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.resume(by=actor.username, at=now, regime=_regime(ctx), note=note))


def extend(ctx: Context, cid: int, actor: Actor, *, reason: str, approver: str | None = None,
           notice_proof: str | None = None) -> Complaint:
    if approver:
        with ctx.store.uow(write=False) as uow:
            user = uow.users.get(approver)
        if user is None or not user["active"]:
            raise InvalidValue("approver", f"审批人 {approver} 不存在或已停用")
        if not ctx.rules.permissions.allows(user["role"], "complaint.extend_approve"):
            raise ApprovalRequired(f"审批人 {approver} 的角色无延期审批权限")
    return act(ctx, cid, actor, lambda c, now: c.extend(by=actor.username, at=now, regime=_regime(ctx), reason=reason,
                                                         approver=approver, notice_proof=notice_proof))


def restart_for_new_facts(ctx: Context, cid: int, actor: Actor, *, received: date, note: str) -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.restart_for_new_facts(by=actor.username, at=now, regime=_regime(ctx),
                                                                        received=received, note=note))


def merge(ctx: Context, child_id: int, parent_id: int, actor: Actor, *, new_facts: bool, note: str = "") -> Complaint:
    """Merge a repeat into the complaint it repeats; the parent's events are audited under the parent."""
    now = ctx.now()
    with ctx.store.uow() as uow:
        # Lock in id order so two merges of the same pair cannot deadlock.
        first, second = sorted((child_id, parent_id))
        a, b = uow.complaints.get(first, for_update=True), uow.complaints.get(second, for_update=True)
        child, parent = (a, b) if first == child_id else (b, a)
        if child is None or parent is None:
            raise NotFound(f"投诉 #{child_id if child is None else parent_id} 不存在")
        # Merging ends the child: its handler (or a supervisor) does it. The parent only gains a linked repeat,
        # and its handler is usually someone else (a repeat is routed to the expert team).
        handlings = [handling_of(ctx, child, actor)]
        if not handlings[0].allowed:
            raise Forbidden(handlings[0].reason_zh, complaint_id=child_id, reason_en=handlings[0].reason_en)
        events = child.merge_into(parent, by=actor.username, at=now, regime=_regime(ctx), new_facts=new_facts, note=note)
        bodies = [_event_body(e) for e in events]
        if any(h.override for h in handlings):
            for body in bodies:
                body["override"] = {"role": str(actor.role), "assignee": child.assignee, "team": child.team}
        uow.audit.append_many([(e.at, actor.username, e.kind, "complaint",
                                str(child.id if e.kind == "merge.child" else parent.id), b) for e, b in zip(events, bodies)])
        uow.commit()
        return parent


def assign(ctx: Context, cid: int, actor: Actor, assignee: str, reason: str = "") -> Complaint:
    with ctx.store.uow(write=False) as uow:
        user = uow.users.get(assignee)
    if user is None or not user["active"]:
        raise InvalidValue("assignee", f"用户 {assignee} 不存在或已停用")
    return act(ctx, cid, actor, lambda c, now: c.assign(assignee, assignee_staff_id=user["staff_id"], by=actor.username,
                                                         at=now, reason=reason))


def transfer(ctx: Context, cid: int, actor: Actor, *, tier: str, team: str, reason: str) -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.transfer(tier, team, by=actor.username, at=now, reason=reason))


def decide(ctx: Context, cid: int, actor: Actor, *, result: str, reasons: str, basis: str, verification: str,
           remedies: list[str]) -> Complaint:
    def change(c: Complaint, now: datetime):
        staff = set(c.respondent.get("staff_ids") or [])
        if actor.username in staff or (actor.staff_id and actor.staff_id in staff):
            raise RecusalRequired(f"{actor.username} 是被投诉人，不能作出处理意见（投诉办法第十七条）")
        event = c.decide(by=actor.username, at=now, result=result, reasons=reasons, basis=basis,
                         verification=verification, remedies=remedies)
        protected_text.protect_handler_text(ctx, c, "decision")
        return event
    return act(ctx, cid, actor, change)


def notify(ctx: Context, cid: int, actor: Actor, *, channel: str, proof: str) -> Complaint:
    return act(ctx, cid, actor, lambda c, now: c.notify(by=actor.username, at=now, channel=channel, proof=proof))


def record_callback(ctx: Context, cid: int, actor: Actor, *, satisfaction: str, note: str = "") -> Complaint:
    # The satisfaction callback is made by someone other than the handler on purpose (an independent check),
    # so it needs the permission, not the case.
    return act(ctx, cid, actor, lambda c, now: c.record_callback(by=actor.username, at=now, satisfaction=satisfaction,
                                                                  note=note), as_handler=False)


def request_review(ctx: Context, cid: int, actor: Actor, *, written_ref: str) -> Complaint:
    """核查 requests go straight to the review tier (routing.yaml `review`)."""
    routing = ctx.rules.routing

    def change(c: Complaint, now: datetime):
        events = [c.request_review(by=actor.username, at=now, regime=_regime(ctx), written_ref=written_ref)]
        if (c.tier, c.team) != (routing.review_tier, routing.review_team):
            events.append(c.transfer(routing.review_tier, routing.review_team, by="system", at=now,
                                     reason="申请核查，转升级投诉处理岗（投诉办法第二十条）"))
        return events
    # The customer's 核查 request is registered by whoever receives it (usually the front line), not the handler.
    return act(ctx, cid, actor, change, as_handler=False)


def decide_review(ctx: Context, cid: int, actor: Actor, *, outcome: str, reasons: str) -> Complaint:
    def change(c: Complaint, now: datetime):
        event = c.decide_review(by=actor.username, at=now, outcome=outcome, reasons=reasons)
        protected_text.protect_handler_text(ctx, c, "review")
        return event
    return act(ctx, cid, actor, change, as_handler=False)


def refuse(ctx: Context, cid: int, actor: Actor, *, reason: str, notice_proof: str) -> Complaint:  # reviewer
    return act(ctx, cid, actor, lambda c, now: c.refuse(by=actor.username, at=now, reason=reason,
                                                         notice_proof=notice_proof), as_handler=False)


def escalate_due(ctx: Context, actor: Actor | None = None) -> list[tuple[int, str, str]]:
    """Move open complaints whose clock is nearly out up one tier. Returns (id, from, to) moved."""
    actor = actor or SYSTEM
    today = ctx.today()
    routing = ctx.rules.routing
    moved: list[tuple[int, str, str]] = []
    with ctx.store.uow(write=False) as uow:
        candidates = [(c.id, c.tier, c.due_date) for c in uow.complaints.open_with_due()]
    for cid, tier, due in candidates:
        left = (due - today).days
        if not routing.should_escalate(Tier(tier), left):
            continue
        target = Tier(tier).up()
        team = routing.tier_teams.get(target, "escalation")

        def change(c: Complaint, now: datetime, target=target, team=team, left=left):
            return c.transfer(target, team, by=actor.username, at=now,
                              reason=f"处理期限仅剩{left}天，自动升级至{target.name_zh}")
        act(ctx, cid, actor, change)
        moved.append((cid, str(tier), str(target)))
    return moved

