"""Black/gray industry (黑灰产): leads with their gang graph, members, evidence and timeline; confirm or
reject a lead; the evidence package; the review queue of flagged complaints.

Every read and every decision is a call to the same `services.blackgray` functions the API routes call
(`leads.list_leads/get_lead/refresh_leads`, `review.queue/flag_of/review_lead/review_flag`,
`export.export_lead`). Only what the page draws — the graph, the highlighted texts — is built here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from xiaobao.domain.errors import DomainError
from xiaobao.services.complaints import views
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import export, leads, review
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import can, get_ctx, lang_of, requires
from xiaobao.web.pages._marks import Mark, common_spans, highlight, phrase_spans

router = APIRouter(prefix="/ui/blackgray")
NAV = [NavItem("blackgray.nav", "/ui/blackgray", "blackgray.read", 30)]
READ = requires("blackgray.read")

LEAD_STATUSES = ("open", "confirmed", "rejected", "merged")
LEAD_TYPES = ("gang", "family")
REVIEW_STATUSES = ("pending", "confirmed", "rejected", "all")
PAGE = 30
GRAPH_MEMBERS = 300   # members whose flags feed the graph (a bigger lead shows its first 300)
TEXT_MEMBERS = 6      # members whose texts are shown with the template overlap highlighted


def _t(lang: str):
    from xiaobao.web.i18n import translate

    def t(key: str, default: str | None = None, **kw) -> str:
        text = translate(lang, key, **kw)
        return default if text == key and default is not None else text
    return t


def signal_key(kind: str) -> str:
    return "blackgray.signal." + kind.removeprefix("blackgray.").replace(".", "_")


# ---- leads -------------------------------------------------------------------------------------------
@router.get("")
def leads_page(request: Request, status: Literal["open", "confirmed", "rejected", "merged", "all"] = "all",
               lead_type: Literal["gang", "family", "all"] = "all", offset: int = Query(0, ge=0),
               actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    result = leads.list_leads(ctx, status=None if status == "all" else status,
                              lead_type=None if lead_type == "all" else lead_type, limit=PAGE, offset=offset)
    totals = {s: leads.list_leads(ctx, status=s, limit=1)["total"] for s in LEAD_STATUSES}
    base = f"/ui/blackgray?status={status}&lead_type={lead_type}"
    return page(request, "blackgray/leads.html", result=result, totals=totals, status=status, lead_type=lead_type,
                offset=offset, limit=PAGE, base_url=base, statuses=LEAD_STATUSES, types=LEAD_TYPES)


@router.post("/refresh")
def refresh(request: Request, actor: Actor = Depends(requires("blackgray.review")), ctx=Depends(get_ctx)):
    leads.refresh_leads(ctx)
    return Response(status_code=200, headers={"HX-Redirect": "/ui/blackgray?refreshed=1"})


def gang_graph(lead: dict, flags: dict[int, dict], lang: str) -> dict:
    """ECharts graph option: customers (one node per masked identity, value = their complaints), the
    contact artefacts they share (masked), the template families and intelligence entries they hit."""
    t = _t(lang)
    cats = [t("blackgray.graph.customer"), t("blackgray.graph.artefact"), t("blackgray.graph.family"),
            t("blackgray.graph.intel")]
    nodes: dict[str, dict] = {}
    links: dict[tuple[str, str], dict] = {}
    families = sorted({*lead.get("families", []),
                       *(f["family_key"] for f in flags.values() if f.get("family_key"))})
    family_no = {f: i + 1 for i, f in enumerate(families)}

    def node(nid: str, name: str, category: int, **extra) -> dict:
        n = nodes.get(nid)
        if n is None:
            n = nodes[nid] = {"id": nid, "name": name, "category": category, "value": 0, **extra}
        return n

    for a in lead.get("artefacts") or []:
        label = t(f"blackgray.artefact.{a['kind']}", a["kind"])
        node(f"a:{a['kind']}:{a['value']}", f"{label} {a['value']}", 1, symbol="diamond")
    for m in lead["members"]:
        cust = m["customer"] or {}
        key = "c:" + ("|".join(f"{k}={v}" for k, v in sorted(cust.items())) if cust else f"anon-{m['complaint_id']}")
        label = cust.get("name") or t("blackgray.graph.anonymous")
        if cust.get("phone"):
            label += f" {cust['phone']}"
        c = node(key, label, 0, url=f"/ui/complaints/{m['complaint_id']}", complaints=[])
        c["value"] += 1
        c["complaints"].append(m["complaint_id"])
        flag = flags.get(m["complaint_id"]) or {}

        def link(target: str, label: str) -> None:
            edge = links.setdefault((key, target), {"source": key, "target": target, "value": 0,
                                                    "label": {"show": False, "formatter": label}})
            edge["value"] += 1
            nodes[target]["value"] += 1

        fam = flag.get("family_key")
        if fam:
            node(f"f:{fam}", t("blackgray.graph.family_n", n=family_no[fam]), 2, symbol="roundRect")
            link(f"f:{fam}", t("blackgray.graph.family"))
        for s in flag.get("signals") or []:
            ev = s.get("evidence") or {}
            if s["kind"] == "blackgray.shared_contact":
                for a in ev.get("shared") or []:
                    name = t(f"blackgray.artefact.{a['kind']}", a["kind"])
                    node(f"a:{a['kind']}:{a['value']}", f"{name} {a['value']}", 1, symbol="diamond")
                    link(f"a:{a['kind']}:{a['value']}", name)
            elif s["kind"] == "blackgray.intelligence":
                for h in ev.get("hits") or []:
                    node(f"i:{h.get('entry_id')}", f"{t('blackgray.graph.intel')} {h.get('value') or h.get('kind')}", 3,
                         symbol="triangle")
                    link(f"i:{h.get('entry_id')}", t("blackgray.graph.intel"))
    data = []
    for n in nodes.values():
        size = 18 + 6 * min(n["value"], 8) if n["category"] == 0 else 14 + 4 * min(n["value"], 10)
        item = {**n, "symbolSize": size}
        if n["category"] == 0:
            item["tooltip"] = {"formatter": f"{n['name']}<br/>{t('blackgray.graph.complaints')}: "
                                            + ", ".join(f"#{c}" for c in n["complaints"])}
        data.append(item)
    return {
        "aria": {"enabled": True},
        "tooltip": {"confine": True},
        "legend": [{"data": cats, "top": 0}],
        "series": [{
            "type": "graph", "layout": "force", "roam": True, "draggable": True,
            "categories": [{"name": c} for c in cats],
            "data": data, "links": list(links.values()),
            "label": {"show": True, "position": "right", "fontSize": 11},
            "force": {"repulsion": 420, "edgeLength": [80, 170], "gravity": 0.06},
            "emphasis": {"focus": "adjacency"},
            "lineStyle": {"color": "source", "curveness": 0.12, "opacity": 0.7},
            "top": 40,
        }],
    }


def _signals_summary(flags: dict[int, dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for cid, f in flags.items():
        for s in f.get("signals") or []:
            row = out.setdefault(s["kind"], {"kind": s["kind"], "members": [], "score": 0.0,
                                             "citation": s.get("citation"), "evidence": s.get("evidence") or {}})
            row["members"].append(cid)
            if s["score"] >= row["score"]:
                row["score"], row["evidence"] = s["score"], s.get("evidence") or {}
    return sorted(out.values(), key=lambda r: (-len(r["members"]), -r["score"]))


def _member_texts(ctx, actor: Actor, lead: dict, flags: dict[int, dict], lang: str) -> list[dict]:
    """The first members' texts as `views.get_complaint` shows them (masked), with the template overlap
    with the family's other members and the lexicon hits marked."""
    if not can(ctx, actor, "complaint.read"):
        return []
    t = _t(lang)
    chosen = lead["members"][:TEXT_MEMBERS]
    texts = {}
    for m in chosen:
        try:
            texts[m["complaint_id"]] = views.get_complaint(ctx, m["complaint_id"], actor)["text"]  # masked
        except DomainError:
            continue
    out = []
    for cid, text in texts.items():
        fam = (flags.get(cid) or {}).get("family_key")
        others = [o for oid, o in texts.items() if oid != cid and (flags.get(oid) or {}).get("family_key") == fam]
        overlap = common_spans(text, others) if fam and others else []
        marks = [Mark(a, b, "template", t("blackgray.overlap_title")) for a, b in overlap]
        lexicon = [(s.get("evidence") or {}).get("matched") for s in (flags.get(cid) or {}).get("signals") or []
                   if s["kind"].startswith("blackgray.lexicon.")]
        marks += [Mark(a, b, "lexicon", f"{t('blackgray.lexicon_title')}：{p}", danger=True)
                  for a, b, p in phrase_spans(text, lexicon)]
        shared = sum(b - a for a, b in overlap)
        out.append({"complaint_id": cid, "html": highlight(text, marks),
                    "overlap_share": shared / len(text) if text else 0,
                    "lexicon": sorted({p for p in lexicon if p})})
    return out


@router.get("/leads/{lead_id}")
def lead_page(lead_id: int, request: Request, done: str | None = None, actor: Actor = Depends(READ),
              ctx=Depends(get_ctx)):
    lead = leads.get_lead(ctx, lead_id)
    lang = lang_of(request)
    flags = {}
    for m in lead["members"][:GRAPH_MEMBERS]:
        try:
            flags[m["complaint_id"]] = review.flag_of(ctx, m["complaint_id"])
        except DomainError:
            pass
    by_day: dict[str, list[int]] = {}
    for m in lead["members"]:
        by_day.setdefault(m["received_at"].date().isoformat(), []).append(m["complaint_id"])
    return page(request, "blackgray/lead.html", lead=lead, graph=gang_graph(lead, flags, lang),
                signals=_signals_summary(flags), texts=_member_texts(ctx, actor, lead, flags, lang),
                by_day=sorted(by_day.items()), signal_key=signal_key, done=done, tr=_t(lang))


@router.post("/leads/{lead_id}/review")
def lead_review(lead_id: int, decision: Literal["confirm", "reject"] = Form(...), note: str = Form("", max_length=2000),
                actor: Actor = Depends(requires("blackgray.review")), ctx=Depends(get_ctx)):
    result = review.review_lead(ctx, lead_id, decision, actor, note.strip() or None)
    return Response(status_code=200,
                    headers={"HX-Redirect": f"/ui/blackgray/leads/{lead_id}?done={result['status']}"})


@router.get("/leads/{lead_id}/export")
def lead_export(lead_id: int, format: Literal["xlsx", "json"] = "xlsx",
                actor: Actor = Depends(requires("blackgray.export")), ctx=Depends(get_ctx)):
    tmp = tempfile.TemporaryDirectory(prefix="xiaobao-evidence-")
    try:
        out = export.export_lead(ctx, lead_id, actor, tmp.name)
    except BaseException:
        tmp.cleanup()
        raise
    path = Path(out[format])
    media = ("application/json" if format == "json"
             else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(path, media_type=media, filename=path.name, background=BackgroundTask(tmp.cleanup),
                        headers={"X-Content-SHA256": out["sha256"][path.name]})


# ---- the review queue of flagged complaints ----------------------------------------------------------
@router.get("/queue")
def queue_page(request: Request, review_status: Literal["pending", "confirmed", "rejected", "all"] = "pending",
               kind: str | None = None, offset: int = Query(0, ge=0), actor: Actor = Depends(READ),
               ctx=Depends(get_ctx)):
    kind = kind or None
    result = review.queue(ctx, review_status=None if review_status == "all" else review_status, kind=kind,
                          limit=PAGE, offset=offset)
    base = f"/ui/blackgray/queue?review_status={review_status}&kind={kind or ''}"
    return page(request, "blackgray/queue.html", result=result, review_status=review_status, kind=kind or "",
                kinds=list(leads.KIND_ZH), statuses=REVIEW_STATUSES, offset=offset, limit=PAGE, base_url=base)


@router.post("/flags/{complaint_id}/review")
def flag_review(complaint_id: int, request: Request, decision: Literal["confirm", "reject"] = Form(...),
                note: str = Form("", max_length=2000), actor: Actor = Depends(requires("blackgray.review")),
                ctx=Depends(get_ctx)):
    result = review.review_flag(ctx, complaint_id, decision, actor, note.strip() or None)
    return page(request, "blackgray/_flag_done.html", complaint_id=complaint_id, result=result)
