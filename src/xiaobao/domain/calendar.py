"""Working-day calendar for mainland China: statutory holidays and 调休 make-up workdays.

The authoritative source is the State Council's yearly schedule, as kept by the `chinese_calendar`
package. Two things it cannot know are handled here rather than hidden:
- schedules it does not ship yet (a year not published when the package was released): an institution
  loads the official schedule as data (`rules/calendar.yaml`); until then the year is *estimated* from
  the statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) and weekends, and every date
  computed from an estimated year says so (`is_estimated`), so a handler knows to check it;
- local corrections (an institution's own data overrides both).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Protocol

import chinese_calendar
from chinese_calendar import constants as _library_tables
from lunardate import LunarDate


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def is_estimated(self, day: date) -> bool: ...


def _qingming(year: int) -> date:
    # 清明 falls on 4 or 5 April in 1900-2100; the classic solar-term approximation is exact there.
    y = year % 100
    c = 4.81 if year >= 2000 else 5.59
    return date(year, 4, int(y * 0.2422 + c) - (y // 4 if year >= 2000 else (y - 1) // 4))


@lru_cache(maxsize=64)
def estimated_statutory_holidays(year: int) -> frozenset[date]:
    """Statutory days off by the 2024 放假办法 (no 调休 — that is only known once published)."""
    days = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 2)}
    days |= {date(year, 10, d) for d in (1, 2, 3)}
    spring = LunarDate(year, 1, 1).to_solar_date()
    days |= {spring + timedelta(days=k) for k in (-1, 0, 1, 2)}  # 除夕 to 初三
    days.add(_qingming(year))
    days.add(LunarDate(year, 5, 5).to_solar_date())  # 端午
    days.add(LunarDate(year, 8, 15).to_solar_date())  # 中秋
    return frozenset(d for d in days if d.year == year)


# The years whose official schedule the installed package ships, read from its own tables rather than
# discovered by calling it and catching its "unsupported year" error.
_LIBRARY_YEARS = frozenset(range(min(_library_tables.holidays).year,
                                 max(_library_tables.holidays).year + 1))


class ChineseWorkCalendar:
    """`chinese_calendar` first, institution data over it, an explicit estimate beyond it."""

    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()):
        self._holidays = frozenset(extra_holidays)
        self._workdays = frozenset(extra_workdays)
        self._years_with_data = frozenset(d.year for d in (*self._holidays, *self._workdays))
        # The library validates every call by scanning its tables (~25 µs); deadlines ask about the
        # same few hundred days again and again, so answers are memoised per calendar.
        self._workday_cache: dict[date, bool] = {}

    def _library_covers(self, day: date) -> bool:
        return day.year in _LIBRARY_YEARS

    def is_estimated(self, day: date) -> bool:
        return day.year not in self._years_with_data and not self._library_covers(day)

    def is_workday(self, day: date) -> bool:
        answer = self._workday_cache.get(day)
        if answer is None:
            answer = self._workday_cache[day] = self._is_workday(day)
        return answer

    def _is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if self._library_covers(day):
            return chinese_calendar.is_workday(day)
        if day.year in self._years_with_data:
            return day.weekday() < 5
        return day.weekday() < 5 and day not in estimated_statutory_holidays(day.year)

    def next_workday_on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day
