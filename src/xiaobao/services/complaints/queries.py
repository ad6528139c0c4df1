"""Read-side use cases: queues and the clock queries (due within N days, overdue, paused)."""

from __future__ import annotations

from xiaobao.store.complaints.repository import ComplaintQuery
from xiaobao.services.context import Context
from xiaobao.services.complaints.views import complaint_dict


def find(ctx: Context, **filters) -> dict:
    q = ComplaintQuery(today=ctx.today(), **_translate(ctx, filters))
    with ctx.store.uow(write=False) as uow:
        items, total = uow.complaints.find(q)
        return {"total": total, "items": [complaint_dict(ctx, c) for c in items]}


def counts(ctx: Context) -> dict:
    today = ctx.today()
    with ctx.store.uow(write=False) as uow:
        by_status = uow.complaints.count_by("status")
        by_tier = uow.complaints.count_by("tier")
        by_channel = uow.complaints.count_by("channel")
        overdue = uow.complaints.find(ComplaintQuery(today=today, overdue=True, limit=1))[1]
        due3 = uow.complaints.find(ComplaintQuery(today=today, due_within_days=3, limit=1))[1]
        review_overdue = uow.complaints.find(ComplaintQuery(today=today, review_overdue=True, limit=1))[1]
    return {"by_status": by_status, "by_tier": by_tier, "by_channel": by_channel, "overdue": overdue,
            "due_within_3_days": due3, "review_overdue": review_overdue}


# ---- complaint lists addressed by URL (workbench filters, dashboard drill-downs) ------------------
# One vocabulary for the query string of a complaint list, so a figure's drill-down link and the list it
# lands on agree: `list_filters` reads it, `list_params` writes it.
#   received_from / received_to  YYYY-MM-DD, both days included
#   channel, category, product, status, tier, satisfaction, province (GB/T 2260, 2 digits)  repeatable;
#       "_none" selects complaints without a value
#   status  a status code, "open" (every open status) or "all" (no status filter)
#   flags / flag (repeatable, all present; blackgray=1 is flags=blackgray_suspect)
#   repeat, overdue, paused, fcr, decided, needs_label (the classifier asked for a person, nobody labelled it yet)
#       booleans (1/0, true/false)
#   clock_outcome  on_time | late | overdue | pending | ended;  decided_within  15 | 30 | 60 (decided in time
#       at the clock stage of that many days);  lead  a black/gray lead id;  point  a complaint point (诉点) id
#       as the classifier stores it (collect_contacts, fee:信用评估费…);  branch  the complained-about branch or
#       department as intake recorded it (repeatable, not split on commas: a name may hold one; "_none": not
#       given);  team, assignee, search
_MULTI = ("channel", "category", "product", "status", "tier", "satisfaction", "province", "flags")
_BOOLS = ("repeat", "overdue", "paused", "fcr", "decided", "unassigned", "in_review", "needs_label")
_TEXT = ("team", "assignee", "search")
BOOLEAN_PARAMS = _BOOLS


def _truthy(v: str) -> bool | None:
    v = v.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    return None


def stage_pairs(ctx: Context, days: int) -> list[tuple[str, int]]:
    """(clock policy, level) of every clock stage that allows `days` days (15, 30 or 60)."""
    return [(code, level) for code, policy in ctx.rules.regime.policies.items()
            for level, stage in enumerate(policy.stages) if stage.days == days]


def list_filters(ctx: Context, params) -> dict:
    """A complaint list's query string (a Starlette QueryParams or a dict of str / list[str]) → the
    keyword filters of `find`. Unknown or malformed values are ignored, never an error page."""
    from datetime import date, datetime, timedelta

    def values(name: str, split: bool = True) -> list[str]:
        if hasattr(params, "getlist"):
            raw = params.getlist(name)
        else:
            v = params.get(name)
            raw = [] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])
        parts = [s for x in raw for s in (str(x).split(",") if split else [str(x)])]
        return [s.strip() for s in parts if s.strip()]

    out: dict = {}
    for name in _MULTI:
        vals = values(name)
        if vals:
            out[name] = tuple(vals)
    for name in _BOOLS:
        vals = values(name)
        flag = _truthy(vals[-1]) if vals else None
        if flag is not None:
            out[name] = flag
    for name in _TEXT:
        vals = values(name, split=False)
        if vals:
            out[name] = vals[-1]
    for name, shift in (("received_from", 0), ("received_to", 1)):
        vals = values(name)
        if vals:
            try:
                day = date.fromisoformat(vals[-1][:10])
            except ValueError:
                continue
            out[name] = datetime.combine(day + timedelta(days=shift), datetime.min.time())
    outcome = values("clock_outcome")
    if outcome and outcome[-1] in ("on_time", "late", "overdue", "pending", "ended"):
        out["clock_outcome"] = outcome[-1]
    within = values("decided_within")
    if within and within[-1].isdigit():
        out["decided_within"] = int(within[-1])
    lead = values("lead")
    if lead and lead[-1].isdigit():
        out["lead_id"] = int(lead[-1])
    branch = [b for b in values("branch", split=False) if len(b) <= 200]
    if branch:
        out["branch"] = tuple(dict.fromkeys(branch))
    point = values("point", split=False)
    if point and len(point[-1]) <= 80:  # classify_points.point_id is at most 80 characters
        out["point"] = point[-1]
    # The workbench's spellings: flag=X (one flag), blackgray=1, status=open|all.
    flags = [*out.get("flags", ()), *values("flag")]
    blackgray = values("blackgray")
    if blackgray and _truthy(blackgray[-1]):
        flags.append("blackgray_suspect")
    if flags:
        out["flags"] = tuple(dict.fromkeys(flags))
    if "status" in out:
        from xiaobao.domain.complaint import OPEN

        raw = out.pop("status")
        if "all" not in raw:
            expanded = [x for st in raw for x in ([str(o) for o in OPEN] if st == "open" else [st])]
            out["status"] = tuple(dict.fromkeys(expanded))
    q = values("q", split=False)
    if q and "search" not in out:
        out["search"] = q[-1]
    for name in ("repeat", "overdue", "paused", "unassigned", "in_review"):
        if out.get(name) is False:
            del out[name]  # these filters only narrow; "not repeat" is not a list anyone asked for
    return out


def list_params(**filters) -> str:
    """Keyword filters in the `list_filters` vocabulary → a query string (dates as YYYY-MM-DD, the end
    day included). Values that are None are left out; lists repeat the parameter."""
    from datetime import date, datetime
    from urllib.parse import urlencode

    pairs: list[tuple[str, str]] = []
    for name, v in filters.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            pairs += [(name, str(x)) for x in v]
        elif isinstance(v, bool):
            pairs.append((name, "1" if v else "0"))
        elif isinstance(v, (date, datetime)):
            pairs.append((name, v.isoformat()[:10]))
        else:
            pairs.append((name, str(v)))
    return urlencode(pairs)


def _translate(ctx: Context, filters: dict) -> dict:
    within = filters.pop("decided_within", None)
    if within is not None:
        filters["clock_outcome"] = "on_time"
        filters["clock_stages"] = tuple(stage_pairs(ctx, int(within)))
    return filters
