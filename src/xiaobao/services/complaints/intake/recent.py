"""Settings read from the database on every intake (the active classifier model, the intelligence
version), reused for a second instead of read per complaint.

Another process's change is seen within `ttl` seconds; a change made in this process calls
`forget_all` and is seen at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_caches: list[Recent] = []


class Recent:
    def __init__(self, ttl: float = 1.0):
        self.ttl = ttl
        self._values: dict[Hashable, tuple[Any, float]] = {}
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and now - hit[1] < self.ttl:
            return hit[0]
        value = read()
        with self._lock:
            self._values[key] = (value, now)
        return value

    def forget(self) -> None:
        with self._lock:
            self._values.clear()


def forget_all() -> None:
    """After this process changed one of these settings (in any database): read them again."""
    for cache in _caches:
        cache.forget()
