"""Marketing pre-review (营销宣传预审): submit a material or check it without storing, see the findings
marked in the text a reader sees, the APR computed from every rate the material quotes against the APR it
shows, approve / reject / request changes, and the approval fingerprint.

Reads and decisions call the same `services.marketing` functions as the API (`check`, `submit`,
`list_materials`, `get`, `review`). The material's findings are the ones stored at submission — what the
reviewer approves; the visible text they point into is re-derived by `check` from the stored content.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from xiaobao.services.marketing import materials as marketing
from xiaobao.services.actors import Actor
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import can, get_ctx, lang_of, requires
from xiaobao.web.pages._marks import Mark, highlight

router = APIRouter(prefix="/ui/marketing")
# marketing.check is held by every role that may read materials (and by experts, who only check).
NAV = [NavItem("marketing.nav", "/ui/marketing", "marketing.check", 40)]

STATUSES = ("pending", "approved", "rejected", "changes_requested", "revoked")
FORMATS = ("text", "markdown", "html")
PAGE = 30


def _rules() -> dict[str, Any]:
    return {r.id: r for r in marketing.default_engine().pack.rules}


def channels() -> dict[str, str]:
    return dict(marketing.default_engine().pack.channels)


def finding_rows(findings: list[dict], lang: str, text: str = "") -> list[dict]:
    """Stored findings as the page lists them, numbered in text order; English messages from the rule pack."""
    rules = _rules()
    out = []
    for i, f in enumerate(findings):
        rule = rules.get(f["rule_id"])
        ev = f.get("evidence") or {}
        message = f["message"]
        if lang == "en" and rule is not None and rule.message_en:
            message = rule.message_en
            if "apr" in ev and "limit" in ev:
                message += f": APR {ev['apr']:.2f}% > {ev['limit']:g}%"
        span = f.get("span")
        matched = text[span["start"]:span["end"]] if span and text else ev.get("matched")
        out.append({**f, "n": i + 1, "code": f["kind"].removeprefix("marketing."), "message_shown": message,
                    "matched": matched,
                    "severity": ev.get("severity") or (rule.severity if rule else "medium")})
    return out


def marked_text(text: str, rows: list[dict]) -> Any:
    marks = []
    for r in rows:
        if r.get("span"):
            title = f"[{r['n']}] {r['code']}：{r['message_shown']}"
            if r.get("citation"):
                title += f"\n{r['citation']}"
            marks.append(Mark(r["span"]["start"], r["span"]["end"], str(r["n"]), title, danger=r["severity"] == "high"))
    return highlight(text, marks)


def analysis(content: str, fmt: str | None, title: str, findings: list[dict] | None, lang: str) -> dict[str, Any]:
    """What the page shows for a material: its visible text with findings marked, and its rates."""
    r = marketing.check(content, fmt, title)
    stored = findings if findings is not None else [f.to_dict() for f in r.findings]
    rows = finding_rows(stored, lang, r.text)
    shown = [x for x in r.rates if x["kind"] == "annual"]
    computed = [a for x in r.rates if x["kind"] != "annual" for a in x["apr"]]
    return {"html": marked_text(r.text, rows), "findings": rows, "rates": r.rates, "apr_min": r.apr_min,
            "apr_max": r.apr_max, "apr_shown": [a for x in shown for a in x["apr"]], "apr_computed": computed,
            "body_offset": r.body_offset}


@router.get("")
def materials_page(request: Request, status: str = "all", offset: int = Query(0, ge=0),
                   actor: Actor = Depends(requires("marketing.check")), ctx=Depends(get_ctx)):
    if not can(ctx, actor, "marketing.read"):
        return RedirectResponse("/ui/marketing/new", status_code=303)
    status = status if status in STATUSES else "all"
    items = marketing.list_materials(ctx, None if status == "all" else status, PAGE + 1, offset)
    counts = {s: len(marketing.list_materials(ctx, s, 500, 0)) for s in STATUSES}
    return page(request, "marketing/list.html", items=items[:PAGE], more=len(items) > PAGE, status=status,
                statuses=STATUSES, offset=offset, limit=PAGE, counts=counts, channels=channels())


@router.get("/new")
def new_page(request: Request, actor: Actor = Depends(requires("marketing.check")), ctx=Depends(get_ctx)):
    return page(request, "marketing/new.html", channels=channels(), formats=FORMATS)


@router.post("/check")
def check(request: Request, content: str = Form(..., max_length=marketing.MAX_CONTENT), title: str = Form(""),
          format: str = Form(""), actor: Actor = Depends(requires("marketing.check"))):
    fmt = format if format in FORMATS else None
    return page(request, "marketing/_analysis.html", a=analysis(content, fmt, title.strip(), None, lang_of(request)),
                checked=True)


@router.post("/materials")
def submit(ref: str = Form(""), version: str = Form(""), channel: str = Form(""), product: str = Form(""),
           title: str = Form(""), format: str = Form(""), content: str = Form(""),
           actor: Actor = Depends(requires("marketing.submit")), ctx=Depends(get_ctx)):
    m, created = marketing.submit(ctx, actor, {"ref": ref, "version": version, "channel": channel, "product": product,
                                               "title": title, "format": format or None, "content": content})
    return Response(status_code=200, headers={
        "HX-Redirect": f"/ui/marketing/materials/{m['id']}?done={'submitted' if created else 'exists'}"})


@router.get("/materials/{material_id}")
def material_page(material_id: int, request: Request, done: str | None = None,
                  actor: Actor = Depends(requires("marketing.read")), ctx=Depends(get_ctx)):
    m = marketing.get(ctx, material_id)
    a = analysis(m["content"], m["format"], m["title"], m["findings"], lang_of(request))
    approvals = [r for r in m["reviews"] if r["decision"] == "approve"]
    return page(request, "marketing/material.html", m=m, a=a, approval=approvals[-1] if approvals else None,
                done=done, channels=channels(), own=m["submitted_by"] == actor.username)


@router.post("/materials/{material_id}/review")
def review(material_id: int, decision: Literal["approve", "reject", "request_changes", "revoke"] = Form(...),
           comment: str = Form("", max_length=2000), actor: Actor = Depends(requires("marketing.review")),
           ctx=Depends(get_ctx)):
    marketing.review(ctx, actor, material_id, decision, comment)
    return Response(status_code=200, headers={"HX-Redirect": f"/ui/marketing/materials/{material_id}?done={decision}"})
