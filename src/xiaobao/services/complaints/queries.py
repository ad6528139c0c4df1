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
# One vocabulary for the query string of a complaint list, so a figure's drill-down link (the `params`
# services return, e.g. services.dashboards.figures) and the list it lands on agree; the console reads
# and writes the query string itself (xiaobao.web.list_params: `list_filters`, `list_params`).
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
MULTI_PARAMS = ("channel", "category", "product", "status", "tier", "satisfaction", "province", "flags")
BOOLEAN_PARAMS = ("repeat", "overdue", "paused", "fcr", "decided", "unassigned", "in_review", "needs_label")
TEXT_PARAMS = ("team", "assignee", "search")


def stage_pairs(ctx: Context, days: int) -> list[tuple[str, int]]:
    """(clock policy, level) of every clock stage that allows `days` days (15, 30 or 60)."""
    return [(code, level) for code, policy in ctx.rules.regime.policies.items()
            for level, stage in enumerate(policy.stages) if stage.days == days]


def _translate(ctx: Context, filters: dict) -> dict:
    within = filters.pop("decided_within", None)
    if within is not None:
        filters["clock_outcome"] = "on_time"
        filters["clock_stages"] = tuple(stage_pairs(ctx, int(within)))
    return filters
