"""Dashboards (/ui/dashboards): KPI cards, the top complaint points (诉点) against the previous period,
complaint categories by product × channel, the volume trend, clock compliance, first-contact resolution, satisfaction, repeat and black/gray shares, and the top
families — for a date range. Every chart item carries `url`, the list of complaints behind the number
(app.js follows it on click), and every chart is followed by a table with the same numbers as links.

Drill-down links open the workbench with the figure's filters in the shared complaint-list vocabulary
(`web.list_params.list_params` writes it, `list_filters` reads it), so the list shows exactly the complaints
the figure counted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request

from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.web import i18n
from xiaobao.web.list_params import list_params
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import get_ctx, lang_of, requires

router = APIRouter(prefix="/ui/dashboards")
NAV = [NavItem("dashboards.nav", "/ui/dashboards", "dashboard.read", 60)]
READ = requires("dashboard.read")
DRILL_BASE = "/ui/workbench"  # reads the complaint-list vocabulary (web.list_params.list_filters)
PALETTE = ["#12355b", "#d48806", "#1e6b34", "#a4161a", "#6f42c1", "#0b7285", "#b34700", "#5f6b7a", "#c2255c",
           "#2f9e44", "#1971c2"]


def drill_url(params: dict[str, Any]) -> str:
    return f"{DRILL_BASE}?{list_params(**params)}"


def _parse_date(v: str | None) -> date | None:
    try:
        return date.fromisoformat(v) if v else None
    except ValueError:
        return None


class _T:
    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **kw) -> str:
        return i18n.translate(self.lang, key, **kw)

    def name(self, item: dict[str, Any]) -> str:
        return item.get("name_en" if self.lang == "en" else "name_zh") or item.get("code", "")


# ---- ECharts options, built from the service's figures ----------------------------------------------
def _grid(**kw) -> dict[str, Any]:
    return {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True, **kw}


def _points_options(d: dict[str, Any], t: _T) -> tuple[dict, dict]:
    pts = d["points"]
    cats, prods, chans = pts["categories"], pts["products"], pts["channels"]
    ci = {c["code"]: i for i, c in enumerate(cats)}
    pi = {p["code"]: i for i, p in enumerate(prods)}
    heat = [{"value": [pi[x["product"]], ci[x["category"]], x["count"]], "url": drill_url(x["params"])}
            for x in pts["category_product"]]
    top = max((x["count"] for x in pts["category_product"]), default=1)
    heatmap = {
        "animation": False,
        "tooltip": {"position": "top"},
        "grid": _grid(top=10, bottom=54),
        "xAxis": {"type": "category", "data": [t.name(p) for p in prods], "splitArea": {"show": True},
                  "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "category", "data": [t.name(c) for c in cats], "splitArea": {"show": True}},
        "visualMap": {"min": 0, "max": max(top, 1), "calculable": True, "orient": "horizontal", "left": "center",
                      "bottom": 0, "itemHeight": 120, "inRange": {"color": ["#eef3fa", "#7aa2d6", "#12355b"]}},
        "series": [{"name": t("dashboards.points.heatmap"), "type": "heatmap", "data": heat,
                    "label": {"show": True}, "emphasis": {"itemStyle": {"borderColor": "#ffbf47", "borderWidth": 2}}}],
    }
    cc = {(x["category"], x["channel"]): x for x in pts["category_channel"]}
    bars = {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"type": "scroll", "top": 0},
        "grid": _grid(),
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [t.name(c) for c in cats], "inverse": True},
        "color": PALETTE,
        "series": [{"name": t.name(ch), "type": "bar", "stack": "total",
                    "data": [({"value": cc[(c["code"], ch["code"])]["count"],
                               "url": drill_url(cc[(c["code"], ch["code"])]["params"])}
                              if (c["code"], ch["code"]) in cc else {"value": 0}) for c in cats]}
                   for ch in chans],
    }
    return heatmap, bars


def change_label(row: dict[str, Any], t: _T) -> str:
    """↑ 40% / ↓ 25% / 持平 / 新出现: a point's change on the previous period."""
    if row["trend"] == "new":
        return t("dashboards.top_points.new")
    if row["trend"] == "flat":
        return t("dashboards.top_points.flat")
    return f"{'↑' if row['trend'] == 'up' else '↓'} {abs(row['change_pct']):g}%"


def _top_points_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    """Horizontal bars, most frequent point on top: this period (labelled with the change) and the previous."""
    rows = d["top_points"]["rows"]
    return {
        "animation": False, "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0}, "grid": _grid(right=90), "color": ["#12355b", "#b8c4d6"],
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [t.name(r) for r in rows],
                  "axisLabel": {"width": 220, "overflow": "truncate"}},
        "series": [
            {"name": t("dashboards.top_points.current"), "type": "bar", "barGap": "10%", "barMaxWidth": 16,
             "data": [{"value": r["count"], "url": drill_url(r["params"]),
                       "label": {"show": True, "position": "right", "formatter": f"{r['count']}  {change_label(r, t)}",
                                 "color": "#a4161a" if r["trend"] in ("up", "new") else "#1e6b34"
                                 if r["trend"] == "down" else "#5f6b7a"}} for r in rows]},
            {"name": t("dashboards.top_points.previous"), "type": "bar", "barMaxWidth": 16,
             "data": [{"value": r["previous"], "url": drill_url(r["previous_params"])} for r in rows]},
        ],
    }


def _trend_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    tr = d["trend"]
    labels = [b["label"] for b in tr["buckets"]]
    series = [{"name": t("dashboards.trend.total"), "type": "line", "symbolSize": 6, "lineStyle": {"width": 3},
               "data": [{"value": n, "url": drill_url(p)} for n, p in zip(tr["total"]["counts"], tr["total"]["params"])]}]
    for s in tr["series"]:
        series.append({"name": t.name(s), "type": "line", "symbolSize": 4,
                       "data": [{"value": n, "url": drill_url(p)} for n, p in zip(s["counts"], s["params"])]})
    return {"animation": False, "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll", "top": 0},
            "grid": _grid(), "color": PALETTE,
            "xAxis": {"type": "category", "data": labels, "boundaryGap": False},
            "yAxis": {"type": "value", "minInterval": 1}, "series": series}


def _clock_label(row: dict[str, Any], t: _T) -> str:
    if row["key"].startswith("within_"):
        return t("dashboards.clock.within", days=row["days"])
    return t(f"dashboards.clock.{row['key']}")


def _clock_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    rows = d["clock"]["rows"]
    colors = {"late": "#b34700", "overdue": "#a4161a", "pending": "#8a96a3", "ended": "#c9d1db"}
    return {"animation": False, "tooltip": {"trigger": "item"}, "grid": _grid(top=10, right=40),
            "yAxis": {"type": "category", "inverse": True, "data": [_clock_label(r, t) for r in rows]},
            "xAxis": {"type": "value", "minInterval": 1},
            "series": [{"name": t("dashboards.clock.title"), "type": "bar", "barMaxWidth": 26,
                        "label": {"show": True, "position": "right"},
                        "data": [{"value": r["count"], "url": drill_url(r["params"]),
                                  "itemStyle": {"color": colors.get(r["key"], "#1e6b34")}} for r in rows]}]}


def _pie(name: str, items: list[tuple[str, int, dict, str]]) -> dict[str, Any]:
    return {"animation": False, "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
            "legend": {"bottom": 0, "type": "scroll"},
            "series": [{"name": name, "type": "pie", "radius": ["35%", "65%"], "center": ["50%", "45%"],
                        "label": {"formatter": "{c}"},
                        "data": [{"name": label, "value": n, "url": drill_url(p), "itemStyle": {"color": color}}
                                 for label, n, p, color in items]}]}


def _fcr_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    f = d["fcr"]
    return _pie(t("dashboards.fcr.title"), [
        (t("dashboards.fcr.resolved"), f["resolved"], f["resolved_params"], "#1e6b34"),
        (t("dashboards.fcr.not_resolved"), f["not_resolved"], f["not_resolved_params"], "#d48806")])


def _satisfaction_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    colors = {"satisfied": "#1e6b34", "basically_satisfied": "#7aa2d6", "dissatisfied": "#a4161a",
              "unreachable": "#8a96a3", "_none": "#d5dae1"}
    return _pie(t("dashboards.satisfaction.title"),
                [(t.name(r), r["count"], r["params"], colors[r["key"]]) for r in d["satisfaction"]["rows"]])


def _shares_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    rows = d["shares"]["rows"]
    return {"animation": False, "tooltip": {"trigger": "item"}, "grid": _grid(top=10),
            "xAxis": {"type": "category", "data": [t(f"dashboards.shares.{r['key']}") for r in rows]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"name": t("dashboards.shares.title"), "type": "bar", "barMaxWidth": 60,
                        "label": {"show": True, "position": "top"},
                        "data": [{"value": r["count"], "url": drill_url(r["params"]),
                                  "itemStyle": {"color": "#b34700" if r["key"] == "repeat" else "#a4161a"}}
                                 for r in rows]}]}


def _families_option(d: dict[str, Any], t: _T) -> dict[str, Any]:
    fams = d["families"]
    return {"animation": False, "tooltip": {"trigger": "item"}, "grid": _grid(top=10),
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {"type": "category", "inverse": True,
                      "data": [f"#{f['id']} {f['type_name'] if t.lang == 'zh' else f['lead_type']}·"
                               f"{f['kind_name'] if t.lang == 'zh' else f['kind']}" for f in fams]},
            "series": [{"name": t("dashboards.families.in_range"), "type": "bar", "barMaxWidth": 24,
                        "label": {"show": True, "position": "right"},
                        "data": [{"value": f["in_range"], "url": drill_url(f["params"])} for f in fams]}]}


# ---- pages ----------------------------------------------------------------------------------------
def point_url(point_id: str, p: dashboards.Period, channel: str | None) -> str:
    """The 溯源 page of a point over the same range (and channel) as the dashboard that links to it."""
    from urllib.parse import quote, urlencode

    q = {"from": p.start.isoformat(), "to": p.end.isoformat(), **({"channel": channel} if channel else {})}
    return f"/ui/dashboards/points/{quote(point_id, safe='')}?{urlencode(q)}"


def _range(request: Request, ctx: Context) -> tuple[dashboards.Period, str | None, str | None]:
    """(period, preset, channel) the query string asks for; what is malformed falls back to the default."""
    q = request.query_params
    preset = q.get("preset") or None
    if preset not in dashboards.PRESETS:
        preset = None
    start, end = _parse_date(q.get("from")), _parse_date(q.get("to"))
    channel = q.get("channel") or None
    if channel not in ctx.rules.channels:
        channel = None
    return dashboards.period(ctx.today(), preset, start, end), preset if not (start or end) else None, channel


@router.get("/points/{point_id}")
def point_page(point_id: str, request: Request, actor: Actor = Depends(READ), ctx: Context = Depends(get_ctx)):
    """One complaint point traced to where it comes from: branch/department, product, channel (溯源)."""
    p, _preset, channel = _range(request, ctx)
    d = dashboards.point_trace(ctx, p, point_id, channel=channel)
    t = _T(lang_of(request))
    back = f"/ui/dashboards?from={p.start.isoformat()}&to={p.end.isoformat()}" + (f"&channel={channel}" if channel else "")
    return page(request, "dashboards/point.html", d=d, p=p, drill=drill_url, name=t.name, back=back,
                channel_label=dashboards.channel_names(ctx, channel)[1 if t.lang == "en" else 0] if channel else "",
                change_label=lambda r: change_label(r, t))


@router.get("")
def dashboard_page(request: Request, actor: Actor = Depends(READ), ctx: Context = Depends(get_ctx)):
    q = request.query_params
    lang = lang_of(request)
    t = _T(lang)
    p, preset, channel = _range(request, ctx)
    explicit = bool(_parse_date(q.get("from")) or _parse_date(q.get("to")))
    granularity = q.get("granularity") if q.get("granularity") in ("day", "week") else None
    d = dashboards.dashboard(ctx, p, channel=channel, granularity=granularity)
    heatmap, bars = _points_options(d, t)
    charts = {"top_points": _top_points_option(d, t), "points_heatmap": heatmap, "points_channel": bars, "trend": _trend_option(d, t),
              "clock": _clock_option(d, t), "fcr": _fcr_option(d, t), "satisfaction": _satisfaction_option(d, t),
              "shares": _shares_option(d, t), "families": _families_option(d, t)}
    cc = {(x["category"], x["channel"]): x for x in d["points"]["category_channel"]}
    cp = {(x["category"], x["product"]): x for x in d["points"]["category_product"]}
    return page(request, "dashboards/dashboard.html", d=d, charts=charts, p=p, preset=preset or ("" if explicit else "30d"),
                channel=channel, granularity=granularity or "", presets=dashboards.PRESETS, drill=drill_url,
                channels=[(code, ch.name_en if lang == "en" else ch.name_zh) for code, ch in ctx.rules.channels.items()],
                channel_label=dashboards.channel_names(ctx, channel)[1 if lang == "en" else 0] if channel else "",
                name=t.name, cc=cc, cp=cp, clock_label=lambda r: _clock_label(r, t),
                change_label=lambda r: change_label(r, t), point_url=lambda pid: point_url(pid, p, channel))
