"""Concurrent writers keep one unbroken audit chain and never store a complaint twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from xiaobao.services import audit, intake, queries
from tests.conftest import record


def test_concurrent_intake_keeps_the_audit_chain_sequential(ctx):
    def submit(n):
        return intake.submit(ctx, record(n, customer_phone=f"138{n:08d}", customer_id_number=""), actor=f"w{n % 4}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(submit, range(60)))
    assert all(created for _, created in results)
    problems, head = audit.verify(ctx)
    assert problems == [] and head[0] == 60


def test_the_same_complaint_sent_concurrently_is_stored_once(ctx):
    def submit(_):
        try:
            return intake.submit(ctx, record(7), actor="w")[1]
        except Exception as e:  # a losing racer may see the unique constraint; it must not store twice
            return type(e).__name__

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(submit, range(8)))
    assert outcomes.count(True) == 1
    assert queries.find(ctx)["total"] == 1
    assert audit.verify(ctx)[0] == []
