"""Login throttling as a pure rule: failures counted per key (an account, an address) within a window; at the
limit the key is locked for a while that doubles with each lock, up to a ceiling. A lock refuses even the right
password, so guessing gains nothing by waiting out a response. Time is passed in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(minutes=1)
    max_lock: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Attempts:
    failures: int
    window_start: datetime
    locked_until: datetime | None = None
    locks: int = 0


def remaining_lock(a: Attempts | None, now: datetime) -> timedelta | None:
    if a is None or a.locked_until is None or a.locked_until <= now:
        return None
    return a.locked_until - now


def after_failure(a: Attempts | None, now: datetime, policy: ThrottlePolicy) -> Attempts:
    # A quiet window forgives the count; the lock history (back-off) is forgotten only after a quiet max_lock.
    if a is None:
        a = Attempts(0, now)
    elif now - a.window_start > policy.window:
        quiet = a.locked_until is None or now - a.locked_until > policy.max_lock
        a = Attempts(0, now, None, 0 if quiet else a.locks)
    failures = a.failures + 1
    if failures < policy.max_failures:
        return replace(a, failures=failures)
    lock = min(policy.first_lock * (2 ** a.locks), policy.max_lock)
    return Attempts(0, now, now + lock, a.locks + 1)
