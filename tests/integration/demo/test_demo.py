"""The demo data a manager first sees: every channel, tier and status, a clean audit chain."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import text

from xiaobao.domain.complaint import Status
from xiaobao.services import audit
from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.complaints import queries
from xiaobao.demo.complaints import load_demo


def test_demo_covers_every_channel_tier_and_status_and_audits_clean(ctx, clock):
    clock.set(datetime(2026, 11, 21, 15, 0))
    summary = load_demo(ctx, complaints=300)
    c = queries.counts(ctx)
    assert sum(c["by_status"].values()) == 300 == summary["complaints"]
    assert summary["refused_actions"] == 0  # every scripted action is one its actor may take (role and case)
    assert set(c["by_channel"]) == set(ctx.rules.channels)
    assert set(c["by_tier"]) == {"L1", "L2", "L3", "L4"}
    assert set(c["by_status"]) == {s.value for s in Status}
    assert audit.verify(ctx).problems == []
    assert queries.find(ctx, paused=True)["total"] >= 1
    _demo_carries_complaint_points(ctx)


def _demo_carries_complaint_points(ctx):
    """Classification ran at import and stored points that say something: most complaints have one, many
    different points occur, none is everywhere (a point on every complaint is no point), and the
    dashboard's points view has a previous period to compare with."""
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT complaint_id, point_id FROM classify_points")).all()
        predicted = conn.execute(text("SELECT COUNT(*) FROM classify_predictions")).scalar()
    assert predicted == 300
    per_point = Counter(pid for _cid, pid in rows)
    with_points = {cid for cid, _pid in rows}
    assert len(with_points) >= 0.6 * 300
    assert len([p for p in per_point if not p.startswith("fee:")]) >= 15
    assert max(per_point.values()) <= 0.25 * 300
    tp = dashboards.complaint_points(ctx, dashboards.period(ctx.today(), "30d"))
    assert len(tp["rows"]) >= 10 and sum(r["previous"] for r in tp["rows"]) > 0
