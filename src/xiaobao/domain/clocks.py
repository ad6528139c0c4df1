"""Regulatory clocks as pure functions of (start, policy, calendar, pauses). No hidden now().

Counting follows 民法典 Art.201–203 as 投诉办法 Art.43 requires (calendar days): the day of receipt is
not counted, the period ends at 24:00 of its last day, and a last day that is a statutory rest day
moves to the first working day after it. Time excluded for appraisal (Art.18 ¶2) and mediation
(Art.23) is added back day for day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from xiaobao.domain.calendar import WorkCalendar
from xiaobao.domain.finding import Citation


@dataclass(frozen=True)
class Stage:
    """One step of a handling period: 15 days, then 30 for complex cases, then 60 with approval."""

    days: int
    name_zh: str
    requires_approver: bool = False
    requires_notice: bool = False
    citation: Citation | None = None


@dataclass(frozen=True)
class ReviewPolicy:
    request_within_days: int
    decide_within_days: int
    citation: Citation | None = None


@dataclass(frozen=True)
class ClockPolicy:
    code: str
    name_zh: str
    stages: tuple[Stage, ...]
    review: ReviewPolicy | None = None
    pause_reasons: tuple[str, ...] = ("appraisal", "mediation")
    citation: Citation | None = None

    def stage(self, level: int) -> Stage:
        if not 0 <= level < len(self.stages):
            raise ValueError(f"{self.code}: no stage {level} (have {len(self.stages)})")
        return self.stages[level]


@dataclass(frozen=True)
class Deadline:
    due: date  # the last day; the period ends at 24:00 Beijing time on it
    nominal: date  # before rolling off a rest day
    estimated: bool  # computed over a calendar year whose official schedule is not loaded

    @property
    def rolled(self) -> bool:
        return self.due != self.nominal


def deadline(start: date, days: int, calendar: WorkCalendar, paused_days: int = 0) -> Deadline:
    """Last day of a period of `days` calendar days that starts the day after `start`."""
    if days < 0 or paused_days < 0:
        raise ValueError("days and paused_days must be non-negative")
    nominal = start + timedelta(days=days + paused_days)
    due = nominal
    estimated = calendar.is_estimated(nominal)
    while not calendar.is_workday(due):
        due += timedelta(days=1)
        estimated = estimated or calendar.is_estimated(due)
    return Deadline(due=due, nominal=nominal, estimated=estimated)


@dataclass(frozen=True)
class Pause:
    start: date
    end: date | None  # None while the clock is still stopped
    reason: str

    @property
    def days(self) -> int:
        # Only closed pauses count; the day the clock stops is spent, the day it resumes is not.
        return 0 if self.end is None else max(0, (self.end - self.start).days)


@dataclass(frozen=True)
class ClockState:
    """Everything the clock needs about one complaint, so it can be recomputed anywhere."""

    policy: ClockPolicy
    started: date  # day of receipt, or of new facts that restarted the period
    level: int = 0
    pauses: tuple[Pause, ...] = field(default_factory=tuple)

    @property
    def paused(self) -> bool:
        return any(p.end is None for p in self.pauses)

    @property
    def paused_days(self) -> int:
        return sum(p.days for p in self.pauses)

    def deadline(self, calendar: WorkCalendar) -> Deadline | None:
        if self.paused:
            return None
        return deadline(self.started, self.policy.stage(self.level).days, calendar, self.paused_days)


def days_left(due: date, today: date) -> int:
    """0 on the last day itself, negative once overdue."""
    return (due - today).days


def is_overdue(due: date | None, at: datetime) -> bool:
    return due is not None and at.date() > due


def review_request_open(notified: date, at: date, policy: ReviewPolicy) -> bool:
    """核查 must be asked for within `request_within_days` of receiving the decision (Art.20)."""
    return (at - notified).days <= policy.request_within_days
