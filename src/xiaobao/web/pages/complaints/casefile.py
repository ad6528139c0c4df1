"""The complaint workbench and case file: queues by tier and team, the reference data its filters need,
everything a handler needs about one complaint on one screen, and bulk assignment.

Read-side composition over the other services; every change still goes through `handling`, exactly as
the API and the CLI do it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from xiaobao.domain.complaint import OPEN, TERMINAL, Status
from xiaobao.domain.errors import DomainError
from xiaobao.services.classify import classification
from xiaobao.services.collection import calls as collection
from xiaobao.services.complaints import handling, views
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import review as bg_review
from xiaobao.services.blackgray.triage import SUSPECT_FLAG
from xiaobao.services.context import Context
from xiaobao.services.errors import NotFound

OPEN_STATUSES = tuple(str(s) for s in Status if s in OPEN)

# The remedies a decision tells the complainant of (投诉办法 Art.19 and Art.20; 5号令 for PBOC-forwarded),
# as the sentences that go into the decision, in Chinese whatever language the console is shown in.
REMEDIES = {
    "nfra_standard": ("如对本处理意见有异议，可自收到之日起30日内书面申请核查（投诉办法第二十条）",
                      "可向当地银行业保险业消费纠纷调解组织申请调解", "可依法申请仲裁或向人民法院提起诉讼"),
    "pboc_forwarded": ("如对处理结果不满意，可向中国人民银行分支机构反映或向金融纠纷调解组织申请调解",
                       "可依法申请仲裁或向人民法院提起诉讼"),
}
BASIS = "《银行业保险业消费投诉处理管理办法》第十九条；借款合同第  条"
VERIFICATION = "经调取合同、还款记录、通话录音及系统日志核实："


def _may(ctx: Context, actor: Actor, permission: str) -> bool:
    return ctx.rules.permissions.allows(actor.role, permission)


# ---- reference data -------------------------------------------------------------------------------
def queues(ctx: Context) -> list[dict[str, Any]]:
    """Open complaints per tier and team, with how many are overdue; tiers in order, teams by size."""
    with ctx.store.uow(write=False) as uow:
        rows = uow.complaints.count_queues(OPEN_STATUSES, ctx.today())
    return sorted(rows, key=lambda r: (r["tier"], -r["count"], r["team"] or ""))


def teams(ctx: Context) -> list[str]:
    """Every team routing can send a complaint to, in the order the rules name them."""
    routing = ctx.rules.routing
    names = [routing.default.team, *(r.team for r in routing.rules), *routing.tier_teams.values(), routing.review_team]
    return list(dict.fromkeys(n for n in names if n))


def known_flags(ctx: Context) -> list[str]:
    """Customer/complaint flags the routing rules act on, and the black/gray suspect flag."""
    found = [SUSPECT_FLAG]
    for rule in ctx.rules.routing.rules:
        found += list(rule.when.get("flags_any") or ())
    return list(dict.fromkeys(found))


def users_with(ctx: Context, permission: str) -> list[dict[str, Any]]:
    """Active users whose role holds `permission` (assignees, extension approvers)."""
    allows = ctx.rules.permissions.allows
    with ctx.store.uow(write=False) as uow:
        users = uow.users.all()
    return [{k: u[k] for k in ("username", "display_name", "role", "team")}
            for u in users if u["active"] and allows(u["role"], permission)]


# ---- bulk assignment ------------------------------------------------------------------------------
def bulk_assign(ctx: Context, ids: Iterable[int], actor: Actor, assignee: str,
                reason: str = "") -> list[dict[str, Any]]:
    """Assign each complaint with `handling.assign` (the API's POST /complaints/{id}/assign), one
    transaction each; a refusal (recusal, a closed complaint, an unknown user) is reported for its row
    and the others still go through."""
    results = []
    for cid in dict.fromkeys(ids):
        try:
            c = handling.assign(ctx, cid, actor, assignee, reason)
            results.append({"id": cid, "ok": True, "assignee": c.assignee, "code": None, "message": None})
        except DomainError as e:
            results.append({"id": cid, "ok": False, "assignee": None, "code": e.code, "message": e.message})
    return results


def decision_template(c: dict[str, Any]) -> dict[str, Any]:
    """The skeleton of a decision (投诉办法 Art.19) for the handler to complete: what was verified, the
    basis, the reasons, and the remedies that apply under the complaint's clock policy."""
    policy = c["clock"]["policy"]
    return {"verification": VERIFICATION, "basis": BASIS, "reasons": "",
            "remedies": list(REMEDIES.get(policy, REMEDIES["nfra_standard"]))}


# ---- what may be done next ------------------------------------------------------------------------
def actions_for(ctx: Context, c: dict[str, Any], actor: Actor) -> list[str]:
    """The handling actions this actor's role may take on the complaint in its present state, in the
    order a handler usually takes them. The domain still decides: this only hides what would be refused
    for certain (a state that does not allow the move, or a role without the permission)."""
    status = Status(c["status"])
    clock = c["clock"]
    policy = ctx.rules.regime.policy(clock["policy"])
    past_due = bool(clock.get("overdue"))
    out: list[str] = []
    if _may(ctx, actor, "complaint.handle"):
        if status == Status.RECEIVED:
            out.append("accept")
        if status in (Status.RECEIVED, Status.ACCEPTED):
            out.append("start")
        if status in (Status.ACCEPTED, Status.IN_PROGRESS):
            out.append("decide")
        if status == Status.DECIDED:
            out.append("notify")
        if status in (Status.NOTIFIED, Status.CLOSED, Status.IN_REVIEW):
            out.append("callback")
        if status == Status.NOTIFIED:
            out.append("close")
        if status in (Status.ACCEPTED, Status.IN_PROGRESS) and not past_due and policy.pause_reasons:
            out.append("pause")
        if status == Status.PAUSED:
            out.append("resume")
        if status in OPEN and status != Status.PAUSED and not past_due and clock["level"] + 1 < len(policy.stages):
            out.append("extend")
        if status in (Status.NOTIFIED, Status.CLOSED) and policy.review is not None and c.get("notified_at"):
            out.append("review_request")
        if status in OPEN:
            out.append("restart")
        if status in OPEN and status not in (Status.PAUSED, Status.DECIDED):
            out.append("merge")
        if status in OPEN:
            out.append("withdraw")
    if status not in TERMINAL and _may(ctx, actor, "complaint.transfer"):
        out.append("transfer")
    if status not in TERMINAL and _may(ctx, actor, "complaint.assign"):
        out.append("assign")
    if _may(ctx, actor, "complaint.review"):
        if status == Status.IN_REVIEW:
            out.append("review_decision")
        if status == Status.RECEIVED:
            out.append("refuse")
    return out


# ---- findings in the text -------------------------------------------------------------------------
def _phrases(evidence: dict[str, Any]) -> list[str]:
    found = [evidence.get("matched"), evidence.get("phrase"), *(evidence.get("phrases") or ())]
    return [p for p in dict.fromkeys(found) if isinstance(p, str) and p.strip()]


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    out, i = [], text.find(phrase)
    while i >= 0:
        out.append((i, i + len(phrase)))
        i = text.find(phrase, i + len(phrase))
    return out


def locate(text: str, findings: Sequence[dict[str, Any]], *, trust_spans: bool = True) -> list[dict[str, Any]]:
    """Where each finding's evidence sits in `text`, as non-overlapping marks sorted by position.

    A finding's own span is used when the text there is one of the phrases it names (the text shown
    may differ from the text scored, e.g. when personal data is masked); otherwise every occurrence of
    its phrases is marked. Overlaps keep the earlier, longer mark."""
    raw: list[dict[str, Any]] = []
    for f in findings:
        phrases = _phrases(f.get("evidence") or {})
        span = f.get("span")
        base = {"kind": f["kind"], "source": f.get("source", ""), "label": f.get("label") or f["kind"],
                "citation": f.get("citation"), "severity": f.get("severity", "warn")}
        if trust_spans and span and 0 <= span["start"] < span["end"] <= len(text) \
                and (not phrases or text[span["start"]:span["end"]] in phrases):
            raw.append({**base, "start": span["start"], "end": span["end"]})
            continue
        for p in phrases:
            raw += [{**base, "start": s, "end": e} for s, e in _occurrences(text, p)]
    raw.sort(key=lambda m: (m["start"], -(m["end"] - m["start"])))
    kept: list[dict[str, Any]] = []
    for m in raw:
        if not kept or m["start"] >= kept[-1]["end"]:
            kept.append(m)
    return kept


def text_findings(flag: dict[str, Any] | None, prediction: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The findings that point at words: black/gray lexicon hits and classification points/escalation cues."""
    out = []
    for s in (flag or {}).get("signals") or ():
        if _phrases(s.get("evidence") or {}):
            out.append({**s, "source": "blackgray", "severity": "danger",
                        "label": (s.get("evidence") or {}).get("category") or s["kind"]})
    for f in (prediction or {}).get("findings") or ():
        if _phrases(f.get("evidence") or {}):
            out.append({**f, "source": "classify", "severity": "warn", "label": f.get("message") or f["kind"]})
    return out


# ---- related complaints ---------------------------------------------------------------------------
def _summary(c, relations: set[str], score: float | None = None) -> dict[str, Any]:
    return {"id": c.id, "external_id": c.external_id, "channel": c.channel, "received_at": c.received_at,
            "status": str(c.status), "tier": str(c.tier), "team": c.team, "category": c.category,
            "customer": dict(c.masked or {}), "relations": sorted(relations), "score": score}


def related(ctx: Context, cid: int, *, blackgray: bool = False) -> dict[str, Any]:
    """Complaints that belong with this one: the same customer (the repeat chain), repeat and merge
    links and — for roles that may read black/gray results — the template family or gang it was scored
    into, the near-duplicates its template signal names, and the leads (线索) it is a member of."""
    rel: dict[int, set[str]] = {}
    scores: dict[int, float] = {}
    leads: list[dict[str, Any]] = []
    with ctx.store.uow(write=False) as uow:
        c = uow.complaints.get(cid)
        if c is None:
            raise NotFound(f"投诉 #{cid} 不存在", complaint_id=cid)
        found = {o.id: o for o in uow.complaints.related_to(c)}
        for o in found.values():
            tags = rel.setdefault(o.id, set())
            if o.id == c.repeat_of_id:
                tags.add("repeat_of")
            if o.repeat_of_id == c.id:
                tags.add("repeated_by")
            if o.merged_into_id == c.id:
                tags.add("merged_here")
            if o.id == c.merged_into_id:
                tags.add("merged_into")
            if c.customer_key and o.customer_key == c.customer_key:
                tags.add("same_customer")
        if blackgray:
            flag = uow.blackgray.flag(cid)
            if flag:
                for g in uow.blackgray.same_group(flag["family_key"], flag["gang_key"], cid):
                    tags = rel.setdefault(g["complaint_id"], set())
                    if flag["family_key"] and g["family_key"] == flag["family_key"]:
                        tags.add("family")
                    if flag["gang_key"] and g["gang_key"] == flag["gang_key"]:
                        tags.add("gang")
                    scores[g["complaint_id"]] = g["score"]
                similar = [k for s in flag["signals"] or () for k in (s.get("evidence") or {}).get("similar_ids") or ()]
                keys = [k.split(":", 1) for k in similar if ":" in k]
                for o in uow.complaints.by_keys([(a, b) for a, b in keys]):
                    if o.id != cid:
                        rel.setdefault(o.id, set()).add("similar")
                        found[o.id] = o
            leads = [{"id": lead["id"], "title": lead["title"], "status": lead["status"], "kind": lead["kind"],
                      "lead_type": lead["lead_type"]} for lead in uow.blackgray.leads_of(cid)]
        missing = [i for i in rel if i not in found]
        found.update({o.id: o for o in uow.complaints.by_ids(missing)})
        items = [_summary(found[i], tags, scores.get(i)) for i, tags in rel.items() if i in found]
    items.sort(key=lambda s: (s["received_at"], s["id"]), reverse=True)
    return {"items": items, "leads": leads}


# ---- the case file --------------------------------------------------------------------------------
def casefile(ctx: Context, cid: int, actor: Actor, *, reveal: bool = False) -> dict[str, Any]:
    """Everything the detail page shows: the complaint (personal data masked unless `reveal`, which
    needs pii.view and is audited), its timeline, the black/gray verdict (roles with blackgray.read),
    the classification, where their evidence sits in the text, related complaints, the debtor's
    collection calls (collection.read) and the actions this actor may take now."""
    complaint = views.get_complaint(ctx, cid, actor, reveal=reveal)
    may_bg = _may(ctx, actor, "blackgray.read")
    flag = None
    if may_bg:
        try:
            flag = bg_review.flag_of(ctx, cid)
        except NotFound:
            flag = None
    try:
        prediction = classification.prediction(ctx, cid)
    except NotFound:
        prediction = None
    calls = collection.calls_for_complaint(ctx, cid)["calls"] if _may(ctx, actor, "collection.read") else None
    findings = text_findings(flag, prediction)
    return {
        "complaint": complaint, "timeline": views.timeline(ctx, cid), "blackgray": flag,
        "blackgray_visible": may_bg, "classification": prediction,
        "marks": {"text": locate(complaint["text"] or "", findings),
                  "request": locate(complaint["request"] or "", findings, trust_spans=False)},
        "related": related(ctx, cid, blackgray=may_bg), "calls": calls,
        "actions": actions_for(ctx, complaint, actor),
    }
