"""Complaint detail (/ui/complaints/{id}) and intake (/ui/complaints/new).

Every action posts (htmx, with the CSRF header) to a route here that calls exactly the `handling`
function the API's POST /complaints/{id}/… calls, then re-renders the case file with a flash; a domain
refusal (illegal transition, approval required, recusal) comes back as the Chinese message in the flash
(web/errors.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from xiaobao.domain.complaint import DECISION_RESULTS, NOTICE_CHANNELS, SATISFACTION
from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.tiers import Tier
from xiaobao.services.complaints import handling, queries
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.web.pages.complaints import casefile as workbench
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.web import format as fmt
from xiaobao.web import i18n
from xiaobao.web.render import is_htmx, page
from xiaobao.web.session import get_ctx, lang_of, requires

router = APIRouter(prefix="/ui/complaints")

READ = requires("complaint.read")
HANDLE = requires("complaint.handle")
CREATE = requires("complaint.create")

RESULTS = ("upheld", "partially_upheld", "not_upheld", "settled")
NOTICE_ORDER = ("phone", "sms", "app", "wechat", "email", "letter", "in_person")
SATISFACTION_ORDER = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
NOTICES = ("created", "existing")  # ?notice= messages after intake redirects here
BOOLEAN_PARAMS = frozenset(queries.BOOLEAN_PARAMS)
assert (set(RESULTS), set(NOTICE_ORDER), set(SATISFACTION_ORDER)) == (DECISION_RESULTS, NOTICE_CHANNELS, SATISFACTION)


# ---- helpers shared with the workbench ------------------------------------------------------------
class Names:
    """Names of codes in the page's language: channels and categories from rules/, the rest from
    the complaints catalog; an unknown code shows itself."""

    def __init__(self, ctx: Context, lang: str):
        self.ctx, self.lang = ctx, lang

    def label(self, prefix: str, code: str | None) -> str:
        if code is None or code == "":
            return "—"
        key = f"{prefix}.{code}"
        text = i18n.translate(self.lang, key)
        return code if text == key else text

    def channel(self, code: str | None) -> str:
        ch = self.ctx.rules.channels.get(code or "")
        return (ch.name_en if self.lang == "en" else ch.name_zh) if ch else (code or "—")

    def category(self, code: str | None) -> str:
        cat = self.ctx.rules.categories.get(code or "")
        return (cat.name_en if self.lang == "en" else cat.name_zh) if cat else (code or "—")

    def team(self, code: str | None) -> str:
        return self.label("complaints.team", code)

    def param_value(self, name: str, value: str) -> str:
        """A list-vocabulary value as a reader knows it (a complaint point by its name); others as given."""
        if name == "point":
            from xiaobao.services.classify.classification import point_name

            shown = point_name(self.ctx, value)
            return shown if shown == value else f"{shown}（{value}）"
        if value == "_none":  # the list vocabulary's "no value given"
            return "Not given" if self.lang == "en" else "未填写"
        if name in BOOLEAN_PARAMS and value.lower() in ("1", "true", "0", "false"):
            yes = value.lower() in ("1", "true")
            return ("Yes" if yes else "No") if self.lang == "en" else ("是" if yes else "否")
        return value

    def flag(self, code: str | None) -> str:
        return self.label("complaints.flag", code)

    def event(self, action: str) -> str:
        return self.label("complaints.event", action.replace(".", "_"))


def segments(text: str, marks: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    """Split `text` into (piece, mark or None) in order; marks are sorted and non-overlapping."""
    out, at = [], 0
    for m in marks:
        if m["start"] < at or m["end"] > len(text):
            continue
        if m["start"] > at:
            out.append((text[at:m["start"]], None))
        out.append((text[m["start"]:m["end"]], m))
        at = m["end"]
    if at < len(text):
        out.append((text[at:], None))
    return out


# What the timeline spells out of an event's before/after (the rest — masks, identifiers — is in the header).
_SHOWN_CHANGES = ("status", "tier", "team", "assignee", "due_date", "clock_level", "clock_started", "result", "on_time",
                  "satisfaction", "review_due_date", "outcome", "merged_into_id", "merged_child_id", "new_facts",
                  "pause_reason", "paused_days", "days", "repeat_of_id", "category", "review_status")
_SHOWN_DATA = ("approver", "notice_proof", "channel", "route_reason", "fields")


def _value(field: str, v: Any, names: Names, lang: str) -> str:
    if v is None or v == "":
        return ""
    if field == "status":
        return fmt.status_name(str(v), lang)
    if field == "tier":
        return fmt.tier_name(str(v), lang)
    if field == "team":
        return names.team(str(v))
    if field == "channel":
        return names.channel(str(v))
    if field == "result":
        return names.label("complaints.result", str(v))
    if field == "satisfaction":
        return names.label("complaints.satisfaction", str(v))
    if isinstance(v, bool):
        return i18n.translate(lang, "app.yes" if v else "app.no")
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v)
    return str(v)


def timeline_rows(entries: list[dict[str, Any]], names: Names, lang: str) -> list[dict[str, Any]]:
    """Audit entries as the timeline shows them: the event's name, and each changed field before → after."""
    rows = []
    for e in entries:
        before, after = e.get("before") or {}, e.get("after") or {}
        changes = []
        for k, v in after.items():
            if k not in _SHOWN_CHANGES or (k in before and before[k] == v) or (v is None and k not in before):
                continue
            changes.append((names.label("complaints.field", k), _value(k, before.get(k), names, lang),
                            _value(k, v, names, lang)))
        for k, v in ((e.get("data") or {}).items()):
            if k in _SHOWN_DATA and v:
                changes.append((names.label("complaints.field", k), "", _value(k, v, names, lang)))
        rows.append({"seq": e["seq"], "at": e["at"], "actor": e["actor"], "action": e["action"],
                     "label": names.event(e["action"]), "changes": changes, "reason": e.get("reason") or ""})
    return rows


def _reference(ctx: Context, cf: dict[str, Any]) -> dict[str, Any]:
    """What the action forms offer: assignees, approvers, tiers and teams, the next clock stage."""
    c = cf["complaint"]
    policy = ctx.rules.regime.policy(c["clock"]["policy"])
    level = c["clock"]["level"] + 1
    return {
        "handlers": workbench.users_with(ctx, "complaint.handle") if "assign" in cf["actions"] else [],
        "approvers": workbench.users_with(ctx, "complaint.extend_approve") if "extend" in cf["actions"] else [],
        "tiers": [str(t) for t in Tier], "teams": workbench.teams(ctx),
        "next_stage": policy.stage(level) if level < len(policy.stages) else None,
        "pause_reasons": policy.pause_reasons, "results": RESULTS, "notice_channels": NOTICE_ORDER,
        "satisfactions": SATISFACTION_ORDER, "decision_template": workbench.decision_template(c),
    }


def _casefile_values(request: Request, ctx: Context, actor: Actor, cid: int, reveal: bool = False) -> dict[str, Any]:
    cf = workbench.casefile(ctx, cid, actor, reveal=reveal)
    c = cf["complaint"]
    lang = lang_of(request)
    names = Names(ctx, lang)
    return {**cf, **_reference(ctx, cf), "c": c, "names": names,
            "timeline_rows": timeline_rows(cf["timeline"], names, lang),
            "text_segments": segments(c["text"] or "", cf["marks"]["text"]),
            "request_segments": segments(c["request"] or "", cf["marks"]["request"])}


def _after(request: Request, ctx: Context, actor: Actor, cid: int, done: str, *, reveal: bool = False) -> Response:
    """The re-rendered case file and a success flash (swapped out of band into #flash)."""
    values = _casefile_values(request, ctx, actor, cid, reveal=reveal)
    return page(request, "complaints/_casefile_swap.html", message=i18n.translate(lang_of(request), done),
                level="success", code="ok", **values)


# ---- intake ---------------------------------------------------------------------------------------
def _intake_defaults(ctx: Context, actor: Actor) -> dict[str, str]:
    now = ctx.now()
    return {"channel": "hotline", "received_at": now.strftime("%Y-%m-%dT%H:%M"),
            "external_id": f"UI-{now:%Y%m%d%H%M%S}-{actor.username}"}


@router.get("/new")
def new_form(request: Request, actor: Actor = Depends(CREATE), ctx: Context = Depends(get_ctx)):
    return page(request, "complaints/new.html", values=_intake_defaults(ctx, actor), errors={},
                names=Names(ctx, lang_of(request)), channels=list(ctx.rules.channels),
                categories=list(ctx.rules.categories))


@router.post("")
def create(request: Request, channel: str = Form(""), external_id: str = Form(""), received_at: str = Form(""),
           customer_name: str = Form(""), customer_phone: str = Form(""), customer_id_number: str = Form(""),
           email: str = Form(""), text: str = Form(""), request_text: str = Form("", alias="request"),
           category: str = Form(""), product: str = Form(""), respondent_staff_ids: str = Form(""),
           actor: Actor = Depends(CREATE), ctx: Context = Depends(get_ctx)):
    given = {"channel": channel, "external_id": external_id, "received_at": received_at, "customer_name": customer_name,
             "customer_phone": customer_phone, "customer_id_number": customer_id_number, "email": email, "text": text,
             "request": request_text, "category": category, "product": product,
             "respondent_staff_ids": respondent_staff_ids}
    raw = {k: v.strip() for k, v in given.items() if v.strip()}
    try:
        c, created = intake.submit(ctx, raw, actor=actor.username)
    except InvalidValue as e:
        errors = {x["field"]: x["reason"] for x in e.details.get("errors") or [{"field": e.field, "reason": e.reason}]}
        return page(request, "complaints/_intake_form.html", status_code=422, values=raw, errors=errors,
                    names=Names(ctx, lang_of(request)), channels=list(ctx.rules.channels),
                    categories=list(ctx.rules.categories))
    target = f"/ui/complaints/{c.id}?notice={'created' if created else 'existing'}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return Response(status_code=303, headers={"Location": target})


# ---- the detail page ------------------------------------------------------------------------------
@router.get("/{cid:int}")
def detail(cid: int, request: Request, notice: str | None = None, actor: Actor = Depends(READ),
           ctx: Context = Depends(get_ctx)):
    values = _casefile_values(request, ctx, actor, cid)
    flash = i18n.translate(lang_of(request), f"complaints.notice.{notice}") if notice in NOTICES else None
    return page(request, "complaints/detail.html", flash_message=flash, **values)


@router.post("/{cid:int}/reveal")
def reveal(cid: int, request: Request, actor: Actor = Depends(requires("pii.view")), ctx: Context = Depends(get_ctx)):
    return _after(request, ctx, actor, cid, "complaints.done.reveal", reveal=True)


# ---- actions: each calls the same handling function as api/routers/complaints.py -------------------
@router.post("/{cid:int}/accept")
def accept(cid: int, request: Request, note: str = Form(""), actor: Actor = Depends(HANDLE),
           ctx: Context = Depends(get_ctx)):
    handling.accept(ctx, cid, actor, note)
    return _after(request, ctx, actor, cid, "complaints.done.accept")


@router.post("/{cid:int}/start")
def start(cid: int, request: Request, note: str = Form(""), actor: Actor = Depends(HANDLE),
          ctx: Context = Depends(get_ctx)):
    handling.start(ctx, cid, actor, note)
    return _after(request, ctx, actor, cid, "complaints.done.start")


@router.post("/{cid:int}/pause")
def pause(cid: int, request: Request, reason: str = Form(""), notice_proof: str = Form(""), note: str = Form(""),
          actor: Actor = Depends(HANDLE), ctx: Context = Depends(get_ctx)):
    handling.pause(ctx, cid, actor, reason, notice_proof=notice_proof, note=note)
    return _after(request, ctx, actor, cid, "complaints.done.pause")


@router.post("/{cid:int}/resume")
def resume(cid: int, request: Request, note: str = Form(""), actor: Actor = Depends(HANDLE),
           ctx: Context = Depends(get_ctx)):
    handling.resume(ctx, cid, actor, note)
    return _after(request, ctx, actor, cid, "complaints.done.resume")


@router.post("/{cid:int}/extend")
def extend(cid: int, request: Request, reason: str = Form(""), approver: str = Form(""), notice_proof: str = Form(""),
           actor: Actor = Depends(HANDLE), ctx: Context = Depends(get_ctx)):
    handling.extend(ctx, cid, actor, reason=reason, approver=approver or None, notice_proof=notice_proof or None)
    return _after(request, ctx, actor, cid, "complaints.done.extend")


@router.post("/{cid:int}/restart")
def restart(cid: int, request: Request, received: str = Form(""), note: str = Form(""),
            actor: Actor = Depends(HANDLE), ctx: Context = Depends(get_ctx)):
    try:
        day = date.fromisoformat(received)
        if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            raise ValueError(received)
    except ValueError:
        raise InvalidValue("received", "请填写收到新事实的日期（YYYY-MM-DD，2000–2100 年）") from None
    handling.restart_for_new_facts(ctx, cid, actor, received=day, note=note)
    return _after(request, ctx, actor, cid, "complaints.done.restart")


@router.post("/{cid:int}/merge")
def merge(cid: int, request: Request, parent_id: str = Form(""), new_facts: bool = Form(False), note: str = Form(""),
          actor: Actor = Depends(HANDLE), ctx: Context = Depends(get_ctx)):
    if not (parent_id.strip().isascii() and parent_id.strip().isdigit() and 0 < int(parent_id) < 2**63):
        raise InvalidValue("parent_id", "请填写被重复的原投诉编号")
    handling.merge(ctx, cid, int(parent_id), actor, new_facts=new_facts, note=note)
    return _after(request, ctx, actor, cid, "complaints.done.merge")


@router.post("/{cid:int}/assign")
def assign(cid: int, request: Request, assignee: str = Form(""), reason: str = Form(""),
           actor: Actor = Depends(requires("complaint.assign")), ctx: Context = Depends(get_ctx)):
    handling.assign(ctx, cid, actor, assignee, reason)
    return _after(request, ctx, actor, cid, "complaints.done.assign")


@router.post("/{cid:int}/transfer")
def transfer(cid: int, request: Request, tier: str = Form(""), team: str = Form(""), reason: str = Form(""),
             actor: Actor = Depends(requires("complaint.transfer")), ctx: Context = Depends(get_ctx)):
    if tier not in {str(t) for t in Tier}:
        raise InvalidValue("tier", "请选择转派的层级")
    handling.transfer(ctx, cid, actor, tier=tier, team=team, reason=reason)
    return _after(request, ctx, actor, cid, "complaints.done.transfer")


@router.post("/{cid:int}/decide")
def decide(cid: int, request: Request, result: str = Form(""), verification: str = Form(""), basis: str = Form(""),
           reasons: str = Form(""), remedies: list[str] = Form([]), actor: Actor = Depends(HANDLE),
           ctx: Context = Depends(get_ctx)):
    handling.decide(ctx, cid, actor, result=result, reasons=reasons.strip(), basis=basis.strip(),
                    verification=verification.strip(), remedies=[r for r in remedies if r.strip()])
    return _after(request, ctx, actor, cid, "complaints.done.decide")


@router.post("/{cid:int}/notify")
def notify(cid: int, request: Request, channel: str = Form(""), proof: str = Form(""), actor: Actor = Depends(HANDLE),
           ctx: Context = Depends(get_ctx)):
    handling.notify(ctx, cid, actor, channel=channel, proof=proof.strip())
    return _after(request, ctx, actor, cid, "complaints.done.notify")


@router.post("/{cid:int}/callback")
def callback(cid: int, request: Request, satisfaction: str = Form(""), note: str = Form(""),
             actor: Actor = Depends(HANDLE), ctx: Context = Depends(get_ctx)):
    handling.record_callback(ctx, cid, actor, satisfaction=satisfaction, note=note)
    return _after(request, ctx, actor, cid, "complaints.done.callback")


@router.post("/{cid:int}/close")
def close(cid: int, request: Request, note: str = Form(""), actor: Actor = Depends(HANDLE),
          ctx: Context = Depends(get_ctx)):
    handling.close(ctx, cid, actor, note)
    return _after(request, ctx, actor, cid, "complaints.done.close")


@router.post("/{cid:int}/review-request")
def review_request(cid: int, request: Request, written_ref: str = Form(""), actor: Actor = Depends(HANDLE),
                   ctx: Context = Depends(get_ctx)):
    handling.request_review(ctx, cid, actor, written_ref=written_ref.strip())
    return _after(request, ctx, actor, cid, "complaints.done.review_request")


@router.post("/{cid:int}/review-decision")
def review_decision(cid: int, request: Request, outcome: str = Form(""), reasons: str = Form(""),
                    actor: Actor = Depends(requires("complaint.review")), ctx: Context = Depends(get_ctx)):
    handling.decide_review(ctx, cid, actor, outcome=outcome, reasons=reasons.strip())
    return _after(request, ctx, actor, cid, "complaints.done.review_decision")


@router.post("/{cid:int}/refuse")
def refuse(cid: int, request: Request, reason: str = Form(""), notice_proof: str = Form(""),
           actor: Actor = Depends(requires("complaint.review")), ctx: Context = Depends(get_ctx)):
    handling.refuse(ctx, cid, actor, reason=reason.strip(), notice_proof=notice_proof.strip())
    return _after(request, ctx, actor, cid, "complaints.done.refuse")


@router.post("/{cid:int}/withdraw")
def withdraw(cid: int, request: Request, reason: str = Form(""), actor: Actor = Depends(HANDLE),
             ctx: Context = Depends(get_ctx)):
    handling.withdraw(ctx, cid, actor, reason.strip())
    return _after(request, ctx, actor, cid, "complaints.done.withdraw")
