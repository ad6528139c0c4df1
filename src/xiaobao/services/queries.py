"""Read-side use cases: queues and the clock queries (due within N days, overdue, paused)."""

from __future__ import annotations

from ..store.repositories import ComplaintQuery
from .context import Context
from .views import complaint_dict


def find(ctx: Context, **filters) -> dict:
    q = ComplaintQuery(today=ctx.today(), **filters)
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
