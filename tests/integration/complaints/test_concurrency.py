"""Concurrent writers keep one unbroken audit chain and never store a complaint twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from xiaobao.services import audit
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.complaints import queries
from tests.conftest import record


def test_concurrent_intake_keeps_the_audit_chain_sequential(ctx):
    def submit(n):
        return intake.submit(ctx, record(n, customer_phone=f"138{n:08d}", customer_id_number=""), actor=f"w{n % 4}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(submit, range(60)))
    assert all(created for _, created in results)
    checked = audit.verify(ctx)
    problems, head = checked.problems, checked.head
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
    assert audit.verify(ctx).problems == []


def test_drafts_stored_together_are_each_handled_as_if_alone(ctx):
    """What the group commit hands `store_drafts`: a duplicate key in the batch, a key already
    stored, a repeat customer, each draft under its own actor."""
    from xiaobao.services.complaints.intake.drafts import parse_record

    old, _ = intake.submit(ctx, record(1), actor="earlier")
    raws = [record(2, customer_phone="13900000002", customer_id_number=""),   # new
            record(2, customer_phone="13900000002", customer_id_number=""),   # the same key again
            record(1),                                                         # already stored
            record(3, customer_phone="13900000002", customer_id_number="")]   # same customer as the first
    drafts = [parse_record(r, ctx.rules, ctx.now())[0] for r in raws]
    out = intake.store_drafts(ctx, drafts, ["a", "b", "c", "d"])
    assert [s.created for s in out] == [True, False, False, True]
    assert out[1].id == out[0].id and out[2].id == old.id
    assert out[3].fields["repeat_of_id"] == out[0].id and out[0].fields["repeat_of_id"] is None
    with ctx.store.uow(write=False) as uow:
        actors = {e["entity_id"]: e["actor"] for e in
                  (*uow.audit.for_entity("complaint", str(out[0].id)), *uow.audit.for_entity("complaint", str(out[3].id)))}
        assert uow.complaints.get(out[3].id).repeat_of_id == out[0].id
    assert actors == {str(out[0].id): "a", str(out[3].id): "d"}
    assert queries.find(ctx)["total"] == 3 and audit.verify(ctx).problems == []


def test_submits_that_queue_behind_a_batch_are_stored_together_and_correctly(ctx, monkeypatch):
    """Hold the first submit's transaction until the others have queued: they go in as one batch."""
    import threading

    first_in = threading.Event()
    go_on = threading.Event()
    batches = []
    real = intake.store_drafts

    def held(c, drafts, actors):
        batches.append(len(drafts))
        if len(batches) == 1:
            first_in.set()
            assert go_on.wait(30)
        return real(c, drafts, actors)

    monkeypatch.setattr(intake, "store_drafts", held)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(intake.submit, ctx, record(100, customer_phone="13800000100", customer_id_number=""),
                            actor="w0")
        assert first_in.wait(30)
        rest = [pool.submit(intake.submit, ctx, record(100 + n, customer_phone=f"1380000{100 + n:04d}",
                                                       customer_id_number=""), actor=f"w{n}") for n in range(1, 7)]
        group = intake._group(ctx)
        while len(group._queue) < 6:
            threading.Event().wait(0.01)
        go_on.set()
        results = [first.result(30), *(f.result(30) for f in rest)]
    assert batches == [1, 6]
    assert all(created for _, created in results) and len({c.id for c, _ in results}) == 7
    assert [c.external_id for c, _ in results] == [f"EXT-{100 + n:06d}" for n in range(7)]
    with ctx.store.uow(write=False) as uow:
        for n, (c, _) in enumerate(results):
            assert [e["actor"] for e in uow.audit.for_entity("complaint", str(c.id))] == [f"w{n}"]
    assert audit.verify(ctx).problems == []
