"""Group commit: callers who arrive while a batch is being stored are stored together, next.

Storing a complaint has a large fixed cost per transaction (black/gray re-scoring of the family it
joins, look-ups, the audit append, the commit) and a small one per complaint, so under load one
transaction for the requests that queued meanwhile serves them all sooner than one each. Nobody
waits for a batch to fill: a caller finding no batch in progress stores its own item at once (the
leader); callers arriving meanwhile queue, and when the leader's batch is done the first of them
leads the next batch, holding everything queued by then (up to `limit`). No thread is started.

If a batch fails, its items are stored one by one, so one bad item fails alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Waiter(Generic[T, R]):
    __slots__ = ("done", "error", "event", "item", "lead", "result")

    def __init__(self, item: T):
        self.item = item
        self.event = threading.Event()
        self.done = self.lead = False
        self.result: R | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    def __init__(self, store: Callable[[Sequence[T]], list[R]], limit: int = 64):
        self._store = store
        self.limit = limit
        self._lock = threading.Lock()
        self._queue: list[_Waiter[T, R]] = []
        self._busy = False

    def __call__(self, item: T) -> R:
        me: _Waiter[T, R] = _Waiter(item)
        with self._lock:
            self._queue.append(me)
            lead = not self._busy
            self._busy = True
        if not lead:
            me.event.wait()  # woken with a result, or to lead the next batch
        if not me.done:
            self._lead(me)
        if me.error is not None:
            raise me.error
        return me.result  # type: ignore[return-value]

    def _lead(self, me: _Waiter[T, R]) -> None:
        """Store batches until `me` is stored, then hand the lead to the first caller still queued."""
        while True:
            with self._lock:
                batch, self._queue = self._queue[:self.limit], self._queue[self.limit:]
            try:
                self._run(batch)
            except BaseException:
                self._hand_over()
                raise
            if me.done:
                self._hand_over()
                return

    def _hand_over(self) -> None:
        with self._lock:
            if self._queue:
                nxt = self._queue[0]
                nxt.lead = True
                nxt.event.set()
            else:
                self._busy = False

    def _run(self, batch: list[_Waiter[T, R]]) -> None:
        try:
            try:
                results = self._store([w.item for w in batch])
                for w, r in zip(batch, results, strict=True):
                    w.result = r
            except Exception as e:
                if len(batch) == 1:
                    batch[0].error = e
                else:
                    for w in batch:
                        try:
                            w.result = self._store([w.item])[0]
                        except Exception as one:
                            w.error = one
        finally:
            for w in batch:
                if w.result is None and w.error is None:  # (interrupted: no caller waits for ever)
                    w.error = RuntimeError("group commit interrupted")
                w.done = True
                w.event.set()
