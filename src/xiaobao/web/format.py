"""Jinja filters: dates, clock urgency, and names of codes in the page's language."""

from __future__ import annotations

from datetime import date, datetime

from xiaobao.domain.complaint import STATUS_NAMES_EN, STATUS_NAMES_ZH
from xiaobao.domain.tiers import TIER_NAMES_EN, TIER_NAMES_ZH, Tier


def dt(value: datetime | date | str | None, with_time: bool = True) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    return value.isoformat()


def urgency(days_left: int | None, overdue: bool = False) -> str:
    """CSS class for a clock: overdue, due in ≤2 days, ≤5 days, otherwise on track; closed clocks are idle."""
    if overdue or (days_left is not None and days_left < 0):
        return "clock-overdue"
    if days_left is None:
        return "clock-idle"
    if days_left <= 2:
        return "clock-urgent"
    if days_left <= 5:
        return "clock-soon"
    return "clock-ok"


def status_name(code: str, lang: str = "zh") -> str:
    return (STATUS_NAMES_EN if lang == "en" else STATUS_NAMES_ZH).get(code, code)


def tier_name(code: str, lang: str = "zh") -> str:
    try:
        tier = Tier(code)
    except ValueError:
        return code
    return (TIER_NAMES_EN if lang == "en" else TIER_NAMES_ZH)[tier]


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


FILTERS = {"dt": dt, "urgency": urgency, "status_name": status_name, "tier_name": tier_name, "pct": pct}
GLOBALS = {"urgency": urgency}
