"""Bounded parameter types for every route: a value the database or the calendar cannot hold is refused with
422 naming the field, never passed on to fail as a server error (a 64-bit id overflow in PostgreSQL, a date
whose previous period would fall before year 1, a body flag given as 0)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, StrictBool

MAX_ID = 2**63 - 1          # BIGINT
MAX_OFFSET = 10_000_000     # far past any queue; deeper pages are a search, not a scroll
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _day_in_range(d: date) -> date:
    if not FIRST_DAY <= d <= LAST_DAY:
        raise ValueError(f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间 / date must lie within {FIRST_DAY}…{LAST_DAY}")
    return d


def _moment_in_range(t: datetime) -> datetime:
    _day_in_range(t.date())
    return t


def _year_in_range(y: int) -> int:
    if not FIRST_DAY.year <= y <= LAST_DAY.year:
        raise ValueError(f"年度须在 {FIRST_DAY.year} 至 {LAST_DAY.year} 之间 / year out of range")
    return y


Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号 / id")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Day = Annotated[date, AfterValidator(_day_in_range)]
Moment = Annotated[datetime, AfterValidator(_moment_in_range)]
Year = Annotated[int, AfterValidator(_year_in_range)]
Flag = StrictBool  # JSON true/false only: {"apply": 0} is not a yes

# An idempotent create answers 201 the first time and 200 with the stored record when it is sent again.
ALREADY_STORED: dict[int | str, dict[str, Any]] = {200: {"description": "已存在，返回已保存的记录（幂等）/ already stored: the stored record (idempotent)"}}
