"""The 消保 dashboards: complaint points by category × product × channel, volume trend, clock compliance,
first-contact resolution, satisfaction, repeat and black/gray shares, top families — for the complaints
received in a date range.

Every figure is computed in SQL (store/dashboards/repository.py) and carries `params`: the complaint-list
filters (services.complaints.queries vocabulary) that select exactly the complaints behind it, so the console links
each number to the workbench and the API returns the same filters.

Definitions (shown on the page as well):
- cohort: complaints *received* in the range (both days included), optionally on one channel;
- clock compliance: of the cohort's complaints that were decided, or whose clock ran out undecided,
  the share decided on or before the due date of the clock stage they were on — 15 days, 30 after an
  extension, 60 with an approver (投诉办法 Art.18; PBOC-forwarded 15/60, 5号令 Art.43); pauses for
  appraisal or mediation are not counted (the due date already moved);
- first-contact resolution: a decided complaint that was routed to the front line (L1) at intake and
  decided with no transfer or escalation before the decision, and no 核查 (review) asked for since;
- satisfaction rate: satisfied + basically satisfied, of callbacks that reached the complainant;
- complaint points (诉点, `top_points`): the concrete things complained about, as the classifier stored them
  per complaint at intake (classify_points; an agent's correction of the category does not change them),
  grouped by the point's id; a point's count is the cohort's complaints that have it, `previous` the same
  count for the period of equal length just before (same channel filter); change = (count − previous) ÷
  previous, "new" (新出现) when previous is 0; its category is the complaint category most of those
  complaints carry (ties: taxonomy order);
- tracing a point (`point_trace`, 溯源): the same counts split by the branch or department complained about
  (respondent.branch), the product and the channel; `rise_from` is the value whose count rose most when the
  point's count rose (it can rise more than the point did when other values fell).
"""

from __future__ import annotations

import calendar
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.engines.classify.points import load_points
from xiaobao.engines.classify.points import name_en as points_name_en
from xiaobao.rules import rules_dir
from xiaobao.store.dashboards import repository as dr
from xiaobao.store.dashboards.repository import NONE, DashboardRepository
from xiaobao.services.context import Context
from xiaobao.services.errors import NotFound

PRESETS = ("7d", "30d", "90d", "180d", "this_month", "last_month", "this_year")
SATISFACTION_ORDER = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
SATISFACTION_ZH = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意",
                   "unreachable": "未联系上", NONE: "未回访"}
SATISFACTION_EN = {"satisfied": "Satisfied", "basically_satisfied": "Basically satisfied",
                   "dissatisfied": "Dissatisfied", "unreachable": "Not reached", NONE: "No callback"}
OUTCOME_ZH = {"on_time": "按期办理", "late": "超期作出处理意见", "overdue": "超期未作出处理意见", "pending": "处理中（未到期）",
              "ended": "未作出处理意见即终止（撤诉、合并、不予受理）"}
OUTCOME_EN = {"on_time": "Decided in time", "late": "Decided late", "overdue": "Overdue, undecided",
              "pending": "In progress (not yet due)", "ended": "Ended undecided (withdrawn, merged, not accepted)"}
MISSING_ZH, MISSING_EN = "未填写", "Not given"


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date    # last day, included

    def __post_init__(self):
        if self.end < self.start:
            raise InvalidValue("to", f"结束日期 {self.end} 早于开始日期 {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00): what `received_at` is compared with."""
        return (datetime.combine(self.start, datetime.min.time()),
                datetime.combine(self.end + timedelta(days=1), datetime.min.time()))

    def params(self) -> dict[str, Any]:
        return {"received_from": self.start.isoformat(), "received_to": self.end.isoformat()}


def period(today: date, preset: str | None = None, start: date | None = None, end: date | None = None) -> Period:
    """The range asked for: explicit dates win, then a preset, else the last 30 days up to today."""
    if start or end:
        end = end or today
        return Period(start or end - timedelta(days=29), end)
    if preset in (None, "", "30d"):
        return Period(today - timedelta(days=29), today)
    if preset in ("7d", "90d", "180d"):
        return Period(today - timedelta(days=int(preset[:-1]) - 1), today)
    if preset == "this_month":
        return Period(today.replace(day=1), today)
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), today)
    raise InvalidValue("preset", f"未知的时间范围 {preset!r}（可选：{', '.join(PRESETS)}）")


def month_period(month: str) -> Period:
    """'2026-10' → 1–31 October 2026."""
    try:
        y, m = (int(x) for x in month.split("-"))
        if not 2000 <= y <= 2100:  # a report compares with the period before: year 1 has none
            raise ValueError(month)
        return Period(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
    except (ValueError, TypeError):
        raise InvalidValue("month", f"月份格式应为 YYYY-MM（2000–2100 年）：{month[:20]!r}") from None


def year_period(year: int) -> Period:
    if not 1990 <= int(year) <= 2200:
        raise InvalidValue("year", f"年份无效：{year!r}")
    return Period(date(int(year), 1, 1), date(int(year), 12, 31))


# ---- names ------------------------------------------------------------------------------------------
def channel_names(ctx: Context, code: str) -> tuple[str, str]:
    ch = ctx.rules.channels.get(code)
    return (ch.name_zh, ch.name_en) if ch else (code, code)


@lru_cache(maxsize=8)
def _points_of(directory: Path):
    return load_points(directory)


def point_name_en(ctx: Context, point_id: str, name_zh: str) -> str:
    return points_name_en(_points_of(rules_dir(ctx.settings.rules_dir)), point_id, name_zh)


def category_names(ctx: Context, code: str | None) -> tuple[str, str]:
    if code is None or code == NONE:
        return "未分类", "Unclassified"
    cat = ctx.rules.categories.get(code)
    return (cat.name_zh, cat.name_en) if cat else (code, code)


def _key(v: str | None) -> str:
    return NONE if v is None else v


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _cohort(ctx: Context, p: Period, channel: str | None):
    where = dr.received_cohort(*p.bounds, channel)
    base = {"status": "all", **p.params(), **({"channel": channel} if channel else {})}
    return where, base


# ---- the dashboard --------------------------------------------------------------------------------
def dashboard(ctx: Context, p: Period, *, channel: str | None = None, granularity: str | None = None,
              top: int = 10, points_top: int = 15) -> dict[str, Any]:
    """Every figure of the dashboard for complaints received in `p` (optionally on one channel)."""
    if channel and channel not in ctx.rules.channels:
        raise InvalidValue("channel", f"未知渠道 {channel!r}")
    today = ctx.today()
    where, base = _cohort(ctx, p, channel)
    with ctx.store.uow(write=False) as uow:
        repo = uow.dashboards
        totals = repo.totals(where, today)
        cells = repo.count_by(where, "category", "product", "channel")
        daily = repo.daily(where)
        stages = repo.clock_stages(where, today)
        fcr = repo.fcr(where)
        sat = repo.count_by(where, "satisfaction")
        leads = repo.top_leads(where, top)
        top_points = _top_points(ctx, repo, p, previous_period(p), channel, points_top)
    return {
        "period": {"from": p.start, "to": p.end, "days": p.days}, "channel": channel, "today": today,
        "base": base,
        "kpis": _kpis(totals, fcr, sat, base),
        "points": _points(ctx, cells, base),
        "trend": _trend(ctx, p, daily, base, granularity),
        "clock": _clock(ctx, stages, base),
        "fcr": _fcr(fcr, base),
        "satisfaction": _satisfaction(sat, base),
        "shares": _shares(totals, base),
        "families": _families(leads, base),
        "top_points": top_points,
    }


# ---- complaint points (诉点) -----------------------------------------------------------------------
def previous_period(p: Period) -> Period:
    """The period of the same number of days just before `p`."""
    return Period(p.start - timedelta(days=p.days), p.start - timedelta(days=1))


def complaint_points(ctx: Context, p: Period, *, channel: str | None = None, top: int = 15,
                     previous: Period | None = None) -> dict[str, Any]:
    """The `top` complaint points (诉点) of the complaints received in `p` (optionally on one channel), each
    with its count in the previous period — by default the one of equal length just before `p`; the monthly
    report passes the previous calendar month — and the change, for tracing a rise to its root cause."""
    if channel and channel not in ctx.rules.channels:
        raise InvalidValue("channel", f"未知渠道 {channel!r}")
    if not 1 <= int(top) <= 200:
        raise InvalidValue("top", "诉点数量须在 1 至 200 之间")
    with ctx.store.uow(write=False) as uow:
        return _top_points(ctx, uow.dashboards, p, previous or previous_period(p), channel, int(top))


def change_pct(count: int, previous: int) -> float | None:
    """Change on the previous period in percent (one decimal); None when there was none before (新出现)."""
    return None if previous == 0 else round(100.0 * (count - previous) / previous, 1)


def _trend_of(count: int, previous: int) -> str:
    return "new" if previous == 0 else "up" if count > previous else "down" if count < previous else "flat"


def _top_points(ctx: Context, repo: DashboardRepository, p: Period, prev: Period, channel: str | None,
                top: int) -> dict[str, Any]:
    if prev.end + timedelta(days=1) != p.start:
        raise InvalidValue("previous", f"对比期间须紧接在统计期间之前（{prev.start}～{prev.end} / {p.start}～{p.end}）")
    where, base = _cohort(ctx, p, channel)
    _prev_where, prev_base = _cohort(ctx, prev, channel)
    both, _ = _cohort(ctx, Period(prev.start, p.end), channel)
    rows = repo.top_points(both, p.bounds[0], top)
    cats: dict[str, dict[str, int]] = {}
    ids = [r["point_id"] for r in rows]
    for pid, cat, n in repo.point_groups(where, ids, "category"):
        cats.setdefault(pid, {})[_key(cat)] = n
    branches: dict[str, list[tuple[int, str]]] = {}
    for pid, branch, n in repo.point_groups(where, ids, "branch"):
        if branch is not None:
            branches.setdefault(pid, []).append((n, branch))
    coverage = repo.point_coverage(where)
    received = repo.totals(where, ctx.today())["received"]
    order = list(ctx.rules.categories)
    items = []
    for r in rows:
        pid = r["point_id"]
        by_cat = sorted(cats.get(pid, {}).items(),
                        key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
        categories = []
        for code, n in by_cat:
            zh, en = category_names(ctx, code)
            categories.append({"code": code, "name_zh": zh, "name_en": en, "count": n,
                               "params": {**base, "point": pid, "category": code}})
        items.append({
            "point_id": pid, "name_zh": r["name_zh"], "name_en": point_name_en(ctx, pid, r["name_zh"]),
            "count": r["count"], "previous": r["previous"],
            "change_pct": change_pct(r["count"], r["previous"]), "trend": _trend_of(r["count"], r["previous"]),
            "category": categories[0]["code"] if categories else NONE,
            "category_name_zh": categories[0]["name_zh"] if categories else category_names(ctx, None)[0],
            "category_name_en": categories[0]["name_en"] if categories else category_names(ctx, None)[1],
            "categories": categories,
            # where most of them come from (the trace, `point_trace`, has the whole split)
            "top_branch": _top_branch(branches.get(pid), base, pid),
            "params": {**base, "point": pid}, "previous_params": {**prev_base, "point": pid},
        })
    return {"period": {"from": p.start, "to": p.end, "days": p.days},
            "previous_period": {"from": prev.start, "to": prev.end, "days": prev.days},
            "channel": channel, "top": top, "received": received,
            "with_points": coverage["complaints"], "distinct_points": coverage["points"], "rows": items}


# ---- tracing a point to where it comes from (溯源) ------------------------------------------------------
# (dimension, list-vocabulary parameter): the complained-about branch or department (a collection agency, a
# sales team), the product, the channel. A dimension is the repository's grouping of the same name.
TRACE_DIMENSIONS = (("branch", "branch"), ("product", "product"), ("channel", "channel"))


def point_trace(ctx: Context, p: Period, point_id: str, *, channel: str | None = None, top: int = 10) -> dict[str, Any]:
    """Where one complaint point's complaints come from in `p`, against the period of equal length before:
    per dimension (branch/department complained about, product, channel) each value's count, previous count,
    change and share, with the complaint-list filters behind both counts; and, when the point rose, the
    value that contributed most of the rise (`rise_from`). So "催收联系通讯录联系人 ↑ 40%" leads to the
    agency or product behind it (溯源整改, 投诉办法 第二十六条)."""
    point_id = (point_id or "").strip()
    if not point_id or len(point_id) > 80:
        raise InvalidValue("point", "诉点编码须为 1–80 个字符")
    if channel and channel not in ctx.rules.channels:
        raise InvalidValue("channel", f"未知渠道 {channel!r}")
    if not 1 <= int(top) <= 100:
        raise InvalidValue("top", "每个维度显示的数量须在 1 至 100 之间")
    prev = previous_period(p)
    _where, base = _cohort(ctx, p, channel)
    _prev_where, prev_base = _cohort(ctx, prev, channel)
    both, _ = _cohort(ctx, Period(prev.start, p.end), channel)
    with ctx.store.uow(write=False) as uow:
        repo = uow.dashboards
        name_zh = repo.point_name(point_id)
        if name_zh is None:
            raise NotFound(f"没有投诉提取到诉点 {point_id!r}", point=point_id)
        groups = {dim: repo.point_breakdown(both, p.bounds[0], point_id, dim)
                  for dim, _param in TRACE_DIMENSIONS}
    count = sum(n for _v, n, _pn in groups["channel"])
    previous = sum(pn for _v, _n, pn in groups["channel"])
    params, prev_params = {**base, "point": point_id}, {**prev_base, "point": point_id}
    dimensions = []
    for dim, param in TRACE_DIMENSIONS:
        rows = [_trace_row(ctx, dim, _key(v), n, pn, count, {**params, param: _key(v)}, {**prev_params, param: _key(v)})
                for v, n, pn in groups[dim]]
        rows.sort(key=lambda r: (-r["count"], -r["previous"], r["name_zh"]))
        shown, rest = rows[:int(top)], rows[int(top):]
        dimensions.append({"key": dim, "rows": shown, "distinct": len(rows),
                           "rest": {"count": sum(r["count"] for r in rest), "previous": sum(r["previous"] for r in rest)},
                           "rise_from": _rise_from(rows, count - previous)})
    return {"point_id": point_id, "name_zh": name_zh, "name_en": point_name_en(ctx, point_id, name_zh),
            "period": {"from": p.start, "to": p.end, "days": p.days},
            "previous_period": {"from": prev.start, "to": prev.end, "days": prev.days}, "channel": channel,
            "count": count, "previous": previous, "change_pct": change_pct(count, previous),
            "trend": _trend_of(count, previous), "params": params, "previous_params": prev_params,
            "dimensions": dimensions}


def _trace_names(ctx: Context, dim: str, value: str) -> tuple[str, str]:
    if value == NONE:
        return MISSING_ZH, MISSING_EN
    if dim == "channel":
        return channel_names(ctx, value)
    return value, value  # branches and products are named as intake recorded them


def _trace_row(ctx: Context, dim: str, value: str, n: int, pn: int, total: int, params: dict,
               prev_params: dict) -> dict[str, Any]:
    zh, en = _trace_names(ctx, dim, value)
    return {"value": value, "name_zh": zh, "name_en": en, "count": n, "previous": pn, "delta": n - pn,
            "change_pct": change_pct(n, pn), "trend": _trend_of(n, pn), "share": _rate(n, total),
            "params": params, "previous_params": prev_params}


def _rise_from(rows: list[dict[str, Any]], rise: int) -> dict[str, Any] | None:
    """The value with the largest increase, and its part of the point's whole increase (None: no rise)."""
    if rise <= 0 or not rows:
        return None
    best = max(rows, key=lambda r: (r["delta"], r["count"]))
    if best["delta"] <= 0:
        return None
    return {"value": best["value"], "name_zh": best["name_zh"], "name_en": best["name_en"], "delta": best["delta"],
            "of_rise": round(best["delta"] / rise, 3)}


def _top_branch(counts: list[tuple[int, str]] | None, base: dict, pid: str) -> dict[str, Any] | None:
    if not counts:
        return None
    n, branch = min(counts, key=lambda x: (-x[0], x[1]))
    return {"name": branch, "count": n, "params": {**base, "point": pid, "branch": branch}}


def _kpis(t: dict[str, int], fcr: dict[str, int], sat: list[tuple], base: dict) -> list[dict[str, Any]]:
    counted = t["on_time"] + t["late"] + t["overdue"]
    sat_counts = {k: n for k, n in sat}
    reached = sum(n for k, n in sat_counts.items() if k and k != "unreachable")
    content = sat_counts.get("satisfied", 0) + sat_counts.get("basically_satisfied", 0)
    return [
        {"key": "received", "value": t["received"], "params": base},
        {"key": "decided", "value": t["decided"], "params": {**base, "decided": 1}},
        {"key": "compliance", "value": _rate(t["on_time"], counted), "num": t["on_time"], "den": counted,
         "params": {**base, "clock_outcome": "on_time"}},
        {"key": "overdue", "value": t["overdue"], "params": {**base, "clock_outcome": "overdue"}},
        {"key": "fcr", "value": _rate(fcr["resolved"], fcr["decided"]), "num": fcr["resolved"], "den": fcr["decided"],
         "params": {**base, "fcr": 1}},
        {"key": "satisfaction", "value": _rate(content, reached), "num": content, "den": reached,
         "params": {**base, "satisfaction": ("satisfied", "basically_satisfied")}},
        {"key": "repeat", "value": _rate(t["repeat"], t["received"]), "num": t["repeat"], "den": t["received"],
         "params": {**base, "repeat": 1}},
        {"key": "blackgray", "value": _rate(t["blackgray"], t["received"]), "num": t["blackgray"],
         "den": t["received"], "params": {**base, "blackgray": 1}},
    ]


def _points(ctx: Context, cells: list[tuple], base: dict) -> dict[str, Any]:
    """Category × product × channel counts, and the two 2-D views the page draws."""
    cats: dict[str, int] = {}
    prods: dict[str, int] = {}
    chans: dict[str, int] = {}
    by_cp: dict[tuple[str, str], int] = {}
    by_cc: dict[tuple[str, str], int] = {}
    items = []
    for cat, prod, ch, n in cells:
        cat, prod = _key(cat), _key(prod)
        cats[cat] = cats.get(cat, 0) + n
        prods[prod] = prods.get(prod, 0) + n
        chans[ch] = chans.get(ch, 0) + n
        by_cp[(cat, prod)] = by_cp.get((cat, prod), 0) + n
        by_cc[(cat, ch)] = by_cc.get((cat, ch), 0) + n
        items.append({"category": cat, "product": prod, "channel": ch, "count": n,
                      "params": {**base, "category": cat, "product": prod, "channel": ch}})
    # Categories in the taxonomy's order (then any unknown code), products and channels by volume.
    order = list(ctx.rules.categories)
    cat_list = sorted(cats, key=lambda k: (order.index(k) if k in order else len(order), k))
    prod_list = sorted(prods, key=lambda k: (k == NONE, -prods[k], k))
    chan_list = [c for c in ctx.rules.channels if c in chans] + sorted(c for c in chans if c not in ctx.rules.channels)

    def cat_entry(k):
        zh, en = category_names(ctx, k)
        return {"code": k, "name_zh": zh, "name_en": en, "count": cats[k], "params": {**base, "category": k}}

    def prod_entry(k):
        return {"code": k, "name_zh": MISSING_ZH if k == NONE else k, "name_en": MISSING_EN if k == NONE else k,
                "count": prods[k], "params": {**base, "product": k}}

    def chan_entry(k):
        zh, en = channel_names(ctx, k)
        return {"code": k, "name_zh": zh, "name_en": en, "count": chans[k], "params": {**base, "channel": k}}

    return {
        "categories": [cat_entry(k) for k in cat_list], "products": [prod_entry(k) for k in prod_list],
        "channels": [chan_entry(k) for k in chan_list], "cells": items,
        "category_product": [{"category": a, "product": b, "count": n,
                              "params": {**base, "category": a, "product": b}} for (a, b), n in by_cp.items()],
        "category_channel": [{"category": a, "channel": b, "count": n,
                              "params": {**base, "category": a, "channel": b}} for (a, b), n in by_cc.items()],
        "total": sum(cats.values()),
    }


def _trend(ctx: Context, p: Period, daily: list[tuple[date, str, int]], base: dict,
           granularity: str | None) -> dict[str, Any]:
    gran = granularity if granularity in ("day", "week") else ("day" if p.days <= 62 else "week")
    buckets: list[tuple[date, date]] = []
    if gran == "day":
        buckets = [(p.start + timedelta(days=i),) * 2 for i in range(p.days)]
    else:
        d = p.start - timedelta(days=p.start.weekday())  # ISO weeks, Monday first, clipped to the range
        while d <= p.end:
            buckets.append((max(d, p.start), min(d + timedelta(days=6), p.end)))
            d += timedelta(days=7)
    index = {}
    for i, (a, b) in enumerate(buckets):
        for k in range((b - a).days + 1):
            index[a + timedelta(days=k)] = i
    channels = [c for c in ctx.rules.channels if any(ch == c for _, ch, _ in daily)]
    channels += sorted({ch for _, ch, _ in daily} - set(channels))
    series = {ch: [0] * len(buckets) for ch in channels}
    for day, ch, n in daily:
        if day in index:
            series[ch][index[day]] += n
    total = [sum(series[ch][i] for ch in channels) for i in range(len(buckets))]

    def params(i, ch=None):
        a, b = buckets[i]
        out = {**base, "received_from": a.isoformat(), "received_to": b.isoformat()}
        if ch:
            out["channel"] = ch
        return out

    return {
        "granularity": gran,
        "buckets": [{"from": a, "to": b, "label": a.isoformat() if gran == "day" else f"{a:%m-%d}~{b:%m-%d}"}
                    for a, b in buckets],
        "series": [{"channel": ch, "name_zh": channel_names(ctx, ch)[0], "name_en": channel_names(ctx, ch)[1],
                    "counts": series[ch], "params": [params(i, ch) for i in range(len(buckets))]}
                   for ch in channels],
        "total": {"counts": total, "params": [params(i) for i in range(len(buckets))]},
    }


def _clock(ctx: Context, stages: list[tuple[str, int, str, int]], base: dict) -> dict[str, Any]:
    """Outcome per stage length: decided within 15 / 30 / 60 days, late, overdue, pending."""
    within: dict[int, int] = {}
    outcomes = {k: 0 for k in dr.CLOCK_OUTCOMES}
    for policy, level, outcome, n in stages:
        outcomes[outcome] += n
        if outcome == "on_time":
            days = ctx.rules.regime.policy(policy).stage(level).days
            within[days] = within.get(days, 0) + n
    counted = outcomes["on_time"] + outcomes["late"] + outcomes["overdue"]
    rows = [{"key": f"within_{d}", "days": d, "count": within[d], "params": {**base, "decided_within": d}}
            for d in sorted(within)]
    rows += [{"key": k, "count": outcomes[k], "params": {**base, "clock_outcome": k}}
             for k in ("late", "overdue", "pending", "ended")]
    return {"rows": rows, "on_time": outcomes["on_time"], "counted": counted,
            "rate": _rate(outcomes["on_time"], counted), "outcomes": outcomes,
            "on_time_params": {**base, "clock_outcome": "on_time"}}


def _fcr(f: dict[str, int], base: dict) -> dict[str, Any]:
    return {"decided": f["decided"], "resolved": f["resolved"], "not_resolved": f["decided"] - f["resolved"],
            "rate": _rate(f["resolved"], f["decided"]),
            "resolved_params": {**base, "decided": 1, "fcr": 1},
            "not_resolved_params": {**base, "decided": 1, "fcr": 0},
            "decided_params": {**base, "decided": 1}}


def _satisfaction(sat: list[tuple], base: dict) -> dict[str, Any]:
    counts = {_key(k): n for k, n in sat}
    rows = [{"key": k, "name_zh": SATISFACTION_ZH[k], "name_en": SATISFACTION_EN[k], "count": counts.get(k, 0),
             "params": {**base, "satisfaction": k}} for k in (*SATISFACTION_ORDER, NONE)]
    reached = sum(counts.get(k, 0) for k in SATISFACTION_ORDER if k != "unreachable")
    content = counts.get("satisfied", 0) + counts.get("basically_satisfied", 0)
    return {"rows": rows, "callbacks": sum(counts.get(k, 0) for k in SATISFACTION_ORDER), "reached": reached,
            "content": content, "rate": _rate(content, reached)}


def _shares(t: dict[str, int], base: dict) -> dict[str, Any]:
    n = t["received"]
    return {"received": n, "rows": [
        {"key": "repeat", "count": t["repeat"], "share": _rate(t["repeat"], n), "params": {**base, "repeat": 1}},
        {"key": "blackgray", "count": t["blackgray"], "share": _rate(t["blackgray"], n),
         "params": {**base, "blackgray": 1}},
    ]}


def _families(leads: list[dict[str, Any]], base: dict) -> list[dict[str, Any]]:
    from xiaobao.services.blackgray.leads import KIND_ZH, TYPE_ZH

    return [{**lead, "kind_name": KIND_ZH.get(lead["kind"], lead["kind"]),
             "type_name": TYPE_ZH.get(lead["lead_type"], lead["lead_type"]),
             "params": {**base, "lead": lead["id"]}} for lead in leads]


def available_range(ctx: Context) -> tuple[date | None, date | None]:
    with ctx.store.uow(write=False) as uow:
        lo, hi = uow.dashboards.received_span()
    return (lo.date() if lo else None, hi.date() if hi else None)

