"""Collection QA (催收质检): calls with their flagged utterances, disputes and decisions, agency and
collector scorecards, and the calls of a complaint's debtor.

Every read and decision calls the same `services.collection` functions as the API (`list_calls`,
`get_call`, `dispute`, `decide`, `scorecard`, `calls_for_complaint`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from xiaobao.domain.errors import InvalidValue
from xiaobao.services.collection import calls as collection
from xiaobao.services.actors import Actor
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import get_ctx, lang_of, requires
from xiaobao.web.pages._marks import Mark, highlight

router = APIRouter(prefix="/ui/collection")
NAV = [NavItem("collection.nav", "/ui/collection", "collection.read", 50)]
READ = requires("collection.read")
PAGE = 25
CHART_GROUPS = 8  # series drawn in the scorecard charts (the table lists every group)


def code_names(ctx, lang: str) -> dict[str, str]:
    codes = collection.inspector(ctx.settings.rules_dir).policy.codes
    return {c: (codes[c].name_en if lang == "en" else codes[c].name_zh) if c in codes else c for c in collection.CODES}


def _day(value: str, field: str) -> date | None:
    """A date from a form field; an empty field means no bound."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(field, f"日期格式应为 YYYY-MM-DD，收到 {value!r}") from None


def _yes_no(v: str) -> bool | None:
    return {"yes": True, "no": False}.get(v)


def calls_url(**params: Any) -> str:
    q = {k: v for k, v in params.items() if v not in (None, "", "all")}
    return "/ui/collection" + ("?" + urlencode(q) if q else "")


@router.get("")
def calls_page(request: Request, agency: str = "", collector: str = "", code: str = "", debtor: str = "",
               disputed: Literal["all", "yes", "no"] = "all", violating: Literal["all", "yes", "no"] = "all",
               complaint: str = "", date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to"),
               offset: int = Query(0, ge=0), actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    lang = lang_of(request)
    date_from, date_to = _day(date_from, "from"), _day(date_to, "to")
    complaint = complaint.strip()
    if complaint and not complaint.isdigit():
        raise InvalidValue("complaint", "投诉编号应为数字")
    complaint = int(complaint) if complaint else None
    filters = {"agency": agency.strip(), "collector": collector.strip(), "code": code, "debtor": debtor.strip(),
               "disputed": disputed, "violating": violating, "from": date_from, "to": date_to}
    linked = None
    if complaint is not None:
        linked = collection.calls_for_complaint(ctx, complaint)
        result = {"total": len(linked["calls"]), "items": linked["calls"], "agencies": []}
    else:
        result = collection.list_calls(ctx, agency=filters["agency"] or None, collector_id=filters["collector"] or None,
                                       debtor_id=filters["debtor"] or None, code=code or None,
                                       disputed=_yes_no(disputed), violating=_yes_no(violating), day_from=date_from,
                                       day_to=date_to, limit=PAGE, offset=offset)
    return page(request, "collection/calls.html", result=result, filters=filters, linked=linked, complaint=complaint,
                names=code_names(ctx, lang), codes=collection.CODES, offset=offset, limit=PAGE,
                base_url=calls_url(**filters))


def transcript_view(call: dict[str, Any], names: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Turns with their findings' spans marked, and the findings about the call as a whole."""
    by_turn: dict[int, list[dict]] = {}
    whole = []
    for f in call["findings"]:
        if f["turn"] is None:
            whole.append(f)
        else:
            by_turn.setdefault(f["turn"], []).append(f)
    turns = []
    for i, turn in enumerate(call["transcript"] or []):
        fs = by_turn.get(i, [])
        marks = [Mark(f["start"], f["end"], str(f["id"]),
                      f"{names.get(f['code'], f['code'])}：{f['message']}"
                      + (f"\n{f['citation']}" if f["citation"] else ""), danger=f["status"] != "overturned")
                 for f in fs if f["start"] is not None and f["end"] is not None]
        turns.append({"n": i, "speaker": turn.get("speaker"), "start": turn.get("start"),
                      "html": highlight(turn.get("text") or "", marks), "findings": fs,
                      "whole_turn": [f for f in fs if f["start"] is None]})
    return turns, whole


@router.get("/calls/{call_id}")
def call_page(call_id: str, request: Request, done: str | None = None, actor: Actor = Depends(READ),
              ctx=Depends(get_ctx)):
    call = collection.get_call(ctx, call_id)
    names = code_names(ctx, lang_of(request))
    turns, whole = transcript_view(call, names)
    own_only = actor.role.value == "agent" and actor.staff_id != call["collector_id"]
    return page(request, "collection/call.html", call=call, turns=turns, whole=whole, names=names, done=done,
                may_dispute=not own_only)


def _back(call_id: str, done: str) -> Response:
    target = f"/ui/collection/calls/{quote(call_id, safe='')}?done={done}"
    return Response(status_code=200, headers={"HX-Redirect": target})


@router.post("/findings/{finding_id}/dispute")
def dispute(finding_id: int, reason: str = Form("", max_length=2000), call_id: str = Form(...),
            actor: Actor = Depends(requires("collection.dispute")), ctx=Depends(get_ctx)):
    collection.dispute(ctx, finding_id, actor, reason)
    return _back(call_id, "disputed")


@router.post("/findings/{finding_id}/decision")
def decide(finding_id: int, decision: Literal["upheld", "overturned"] = Form(...),
           reason: str = Form("", max_length=2000),
           call_id: str = Form(...), actor: Actor = Depends(requires("collection.decide")), ctx=Depends(get_ctx)):
    collection.decide(ctx, finding_id, actor, decision, reason)
    return _back(call_id, decision)


def scorecard_charts(card: dict[str, Any], names: dict[str, str], lang: str) -> tuple[dict, dict]:
    """Trend of the violation rate per group, and the rate by code per group; every point drills down
    to the calls behind it."""
    rows = sorted(card["rows"], key=lambda r: -r["calls"])[:CHART_GROUPS]
    by_collector = card["by"] == "collector"

    def label(r):
        return f"{r['agency']} · {r['collector_id']}" if by_collector else r["agency"]

    def url(r, **extra):
        return calls_url(agency=r["agency"], collector=r.get("collector_id"),
                         **{"from": card["from"], "to": card["to"]},
                         **extra)

    periods = sorted({t["period"] for r in rows for t in r["trend"]})
    trend = {
        "aria": {"enabled": True}, "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0}, "grid": {"left": 48, "right": 16, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": periods},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "series": [{"type": "line", "name": label(r), "smooth": False, "data": [
            ({"value": round(p["violation_rate"] * 100, 2), "url": url(r, violating="yes"), "calls": p["calls"]}
             if (p := next((t for t in r["trend"] if t["period"] == per), None)) else None) for per in periods]}
            for r in rows],
    }
    used = [c for c in card["codes"] if any(c in r["by_code"] for r in card["rows"])]
    codes = {
        "aria": {"enabled": True}, "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "yAxis": {"type": "category", "inverse": True, "data": [names.get(c, c) for c in used],
                  "axisLabel": {"fontSize": 11, "width": 150, "overflow": "truncate"}},
        "xAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "series": [{"type": "bar", "name": label(r), "data": [
            {"value": round(r["by_code"].get(c, {}).get("rate", 0) * 100, 2), "url": url(r, code=c),
             "calls": r["by_code"].get(c, {}).get("calls", 0)} for c in used]} for r in rows],
    }
    return trend, codes


@router.get("/scorecards")
def scorecards_page(request: Request, by: Literal["agency", "collector"] = "agency",
                    date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to"),
                    period: Literal["week", "month", "quarter"] = "month", actor: Actor = Depends(READ),
                    ctx=Depends(get_ctx)):
    lang = lang_of(request)
    card = collection.scorecard(ctx, by=by, day_from=_day(date_from, "from"), day_to=_day(date_to, "to"),
                                period=period)
    names = code_names(ctx, lang)
    trend, codes = scorecard_charts(card, names, lang)
    calls = sum(r["calls"] for r in card["rows"])
    violating = sum(r["violating_calls"] for r in card["rows"])
    used = [c for c in card["codes"] if any(c in r["by_code"] for r in card["rows"])]
    return page(request, "collection/scorecards.html", card=card, trend=trend, codes_chart=codes, names=names,
                used=used, totals={"calls": calls, "violating": violating,
                                   "rate": violating / calls if calls else None}, calls_url=calls_url)
