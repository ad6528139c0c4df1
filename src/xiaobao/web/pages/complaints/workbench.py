"""The complaint workbench (/ui/workbench): queues per tier and team, filters kept in the query string
(shareable links), clocks coloured by urgency, paging, and bulk assignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from starlette.datastructures import QueryParams

from xiaobao.domain.complaint import STATUS_NAMES_ZH
from xiaobao.domain.tiers import Tier
from xiaobao.services.classify import classification
from xiaobao.services.complaints import queries
from xiaobao.web.pages.complaints import casefile as workbench
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.web import i18n
from xiaobao.web.list_params import list_filters
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import get_ctx, lang_of, requires
from xiaobao.web.pages.complaints.detail import Names

router = APIRouter(prefix="/ui/workbench")
NAV = [NavItem("nav.workbench", "/ui/workbench", "complaint.read", 10)]

PAGE_SIZE = 50
UNASSIGNED = "_none"
STATUS_CHOICES = ("open", "all", *STATUS_NAMES_ZH)


# The form's own fields; any other parameter of the shared complaint-list vocabulary
# (web.list_params.list_filters: received_from/to, product, province, clock_outcome, lead, …, as dashboard
# drill-downs write them) is kept as it came, applied, and shown as a removable condition.
NOT_FILTERS = ("offset", "lang")  # paging, and the language switch (web/session.lang_of)
FORM_KEYS = ("q", "status", "channel", "category", "tier", "team", "assignee", "flag", "overdue", "repeat",
             "blackgray", "due_within")


@dataclass
class Filters:
    """The workbench's filters, read from and written back to the query string."""

    q: str = ""
    status: str = "open"
    channel: str = ""
    category: str = ""
    tier: str = ""
    team: str = ""
    assignee: str = ""
    flag: str = ""
    overdue: bool = False
    due_within: int | None = None
    repeat: bool = False
    blackgray: bool = False
    offset: int = 0
    extra: list[tuple[str, str]] = field(default_factory=list)  # other list-vocabulary parameters, kept as given
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: QueryParams) -> Filters:
        get = lambda k: (params.get(k) or "").strip()
        pairs = list(params.multi_items())
        f = cls(q=get("q")[:128], channel=get("channel"), category=get("category"), tier=get("tier"),
                team=get("team"), assignee=get("assignee"), flag=get("flag"),
                overdue=get("overdue") == "1", repeat=get("repeat") == "1", blackgray=get("blackgray") == "1",
                extra=[(k, str(v)) for k, v in pairs if k not in (*FORM_KEYS, *NOT_FILTERS) and str(v).strip()])
        # A bare /ui/workbench is the open work; a list reached with other conditions and no status (a
        # dashboard drill-down) means every status, as the figure counted.
        f.status = get("status") or ("all" if any(k not in NOT_FILTERS for k, _ in pairs) else "open")
        if f.status not in STATUS_CHOICES:
            f.problems.append("status")
            f.status = "open"
        if f.tier and f.tier not in {str(t) for t in Tier}:
            f.problems.append("tier")
            f.tier = ""
        if get("due_within"):
            try:
                f.due_within = max(0, min(365, int(get("due_within"))))
            except ValueError:
                f.problems.append("due_within")
        try:
            f.offset = max(0, int(get("offset") or 0))
        except ValueError:
            f.offset = 0
        return f

    def pairs(self) -> list[tuple[str, str]]:
        """The query-string form of these filters (status always explicit, no paging), extras kept."""
        values = {"q": self.q, "status": self.status, "channel": self.channel, "category": self.category,
                  "tier": self.tier, "team": self.team, "assignee": self.assignee, "flag": self.flag,
                  "overdue": "1" if self.overdue else "", "repeat": "1" if self.repeat else "",
                  "blackgray": "1" if self.blackgray else "",
                  "due_within": "" if self.due_within is None else str(self.due_within)}
        return [(k, v) for k, v in values.items() if v] + self.extra

    def query(self, ctx: Context) -> dict[str, Any]:
        """Keyword arguments for services.complaints.queries.find, through the shared list vocabulary."""
        pairs = [(k, v) for k, v in self.pairs() if k not in ("assignee", "due_within")]
        kw = list_filters(ctx, _Params(pairs))
        if self.assignee == UNASSIGNED:
            kw["unassigned"] = True
        elif self.assignee:
            kw["assignee"] = self.assignee
        if self.due_within is not None:
            kw["due_within_days"] = self.due_within
        return {**kw, "limit": PAGE_SIZE, "offset": self.offset}


class _Params:
    """Query pairs with the getlist() the list vocabulary reads."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self._pairs = pairs

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self._pairs if k == name]

    def get(self, name: str, default=None):
        found = self.getlist(name)
        return found[-1] if found else default


def _queue_tabs(ctx: Context) -> dict[str, Any]:
    rows = workbench.queues(ctx)
    tiers = {str(t): {"code": str(t), "count": 0, "overdue": 0, "teams": []} for t in Tier}
    for r in rows:
        t = tiers.setdefault(r["tier"], {"code": r["tier"], "count": 0, "overdue": 0, "teams": []})
        t["count"] += r["count"]
        t["overdue"] += r["overdue"]
        t["teams"].append(r)
    return {"tiers": list(tiers.values()), "total": sum(r["count"] for r in rows),
            "overdue": sum(r["overdue"] for r in rows)}


def _values(request: Request, ctx: Context, actor: Actor, f: Filters, results: list | None = None) -> dict[str, Any]:
    found = queries.find(ctx, **f.query(ctx))
    lang = lang_of(request)
    return {
        "f": f, "items": found["items"], "total": found["total"], "limit": PAGE_SIZE, "offset": f.offset,
        "query": urlencode(f.pairs()), "plain_query": urlencode(f.pairs()[:len(f.pairs()) - len(f.extra)]),
        "queues": _queue_tabs(ctx), "names": Names(ctx, lang),
        "channels": list(ctx.rules.channels), "categories": list(ctx.rules.categories),
        "teams": workbench.teams(ctx), "tiers": [str(t) for t in Tier], "flags": workbench.known_flags(ctx),
        "statuses": list(STATUS_NAMES_ZH), "handlers": workbench.users_with(ctx, "complaint.handle"),
        "unassigned": UNASSIGNED, "results": results,
        # the labelling queue the classifier's "needs a person" fills, for those who may correct a category
        "labelling": classification.needs_label_count(ctx)
        if ctx.rules.permissions.allows(actor.role, "classify.correct") else None,
        "problems": [i18n.translate(lang, f"complaints.wb.bad_{p}") for p in f.problems],
    }


@router.get("")
def workbench_page(request: Request, actor: Actor = Depends(requires("complaint.read")),
                   ctx: Context = Depends(get_ctx)):
    f = Filters.parse(request.query_params)
    return page(request, "complaints/workbench.html", **_values(request, ctx, actor, f))


@router.post("/assign")
def bulk_assign(request: Request, ids: list[str] = Form([]), assignee: str = Form(""), reason: str = Form(""),
                back: str = Form(""), actor: Actor = Depends(requires("complaint.assign")),
                ctx: Context = Depends(get_ctx)):
    chosen = [int(v) for v in ids if v.isascii() and v.isdigit() and 0 < int(v) < 2**63]
    f = Filters.parse(QueryParams(back))
    lang = lang_of(request)
    if not chosen:
        results: list[dict[str, Any]] = []
        message, level = i18n.translate(lang, "complaints.wb.none_selected"), "error"
    else:
        results = workbench.bulk_assign(ctx, chosen, actor, assignee.strip(), reason.strip())
        ok = sum(r["ok"] for r in results)
        message = i18n.translate(lang, "complaints.wb.assigned", ok=ok, failed=len(results) - ok)
        level = "success" if ok == len(results) else "error"
    return page(request, "complaints/_queue_swap.html", message=message, level=level, code="bulk_assign",
                **_values(request, ctx, actor, f, results))
