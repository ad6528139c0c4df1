"""Group commit: concurrent callers stored together, each getting its own result or error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from xiaobao.services.complaints.intake.group_commit import GroupCommit


class Recorder:
    """A store function that records its batches; the first call can be held until released."""

    def __init__(self, hold_first: bool = False, bad: frozenset = frozenset()):
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()
        self.bad = bad

    def __call__(self, items):
        self.batches.append(list(items))
        self.entered.set()
        assert self.release.wait(10)
        if self.bad & set(items):
            raise ValueError(f"bad item in {sorted(items)}")
        return [i * 10 for i in items]


def test_a_lone_caller_is_stored_at_once_by_itself():
    store = Recorder()
    assert GroupCommit(store)(4) == 40
    assert store.batches == [[4]]


def test_callers_arriving_during_a_batch_are_stored_together_next():
    store = Recorder(hold_first=True)
    group = GroupCommit(store)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(group, 0)
        assert store.entered.wait(10)
        rest = [pool.submit(group, i) for i in range(1, 8)]
        while len(group._queue) < 7:  # (all seven queued behind the batch in progress)
            threading.Event().wait(0.01)
        store.release.set()
        assert first.result(10) == 0 and [f.result(10) for f in rest] == [i * 10 for i in range(1, 8)]
    assert store.batches[0] == [0] and sorted(store.batches[1]) == list(range(1, 8)) and len(store.batches) == 2


def test_a_batch_holds_at_most_limit_items():
    store = Recorder(hold_first=True)
    group = GroupCommit(store, limit=3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(group, 0)
        assert store.entered.wait(10)
        rest = [pool.submit(group, i) for i in range(1, 8)]
        while len(group._queue) < 7:
            threading.Event().wait(0.01)
        store.release.set()
        assert [f.result(10) for f in [first, *rest]] == [i * 10 for i in range(8)]
    assert [len(b) for b in store.batches] == [1, 3, 3, 1]


def test_a_bad_item_fails_alone_and_the_others_are_stored():
    store = Recorder(hold_first=True, bad=frozenset({5}))
    group = GroupCommit(store)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(group, 0)
        assert store.entered.wait(10)
        rest = {i: pool.submit(group, i) for i in range(1, 8)}
        while len(group._queue) < 7:
            threading.Event().wait(0.01)
        store.release.set()
        assert first.result(10) == 0
        with pytest.raises(ValueError):
            rest[5].result(10)
        assert {i: f.result(10) for i, f in rest.items() if i != 5} == {i: i * 10 for i in range(1, 8) if i != 5}
    assert [5] in store.batches  # retried alone after its batch failed
    assert group._busy is False and group._queue == []  # nothing left waiting; the next caller leads at once
    assert group(9) == 90
