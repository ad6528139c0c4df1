"""The demo data a manager first sees: every channel, tier and status, a clean audit chain."""

from __future__ import annotations

from datetime import datetime

from xiaobao.domain.complaint import Status
from xiaobao.services import audit, queries
from xiaobao.services.demo import load_demo


def test_demo_covers_every_channel_tier_and_status_and_audits_clean(ctx, clock):
    clock.set(datetime(2026, 11, 21, 15, 0))
    summary = load_demo(ctx, complaints=300)
    c = queries.counts(ctx)
    assert sum(c["by_status"].values()) == 300 == summary["complaints"]
    assert set(c["by_channel"]) == set(ctx.rules.channels)
    assert set(c["by_tier"]) == {"L1", "L2", "L3", "L4"}
    assert set(c["by_status"]) == {s.value for s in Status}
    assert audit.verify(ctx)[0] == []
    assert queries.find(ctx, paused=True)["total"] >= 1
