"""Dashboards API: the dashboard figures for a date range, the top complaint points against the previous
period and a point's trace — each figure carrying the complaint filters behind it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.actors import Actor
from xiaobao.api.params import Day
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(tags=["看板与报表 dashboards & reports"])  # one tag with reports: one section in /docs


@router.get("/dashboards", summary="看板指标（诉点排行、类别分布、趋势、时效、一次解决、满意度、重复与黑灰产、团伙）/ dashboard")
def dashboard(start: Day | None = Query(None, alias="from", description="起始日期（含）"),
              end: Day | None = Query(None, alias="to", description="截止日期（含）"),
              preset: Literal["7d", "30d", "90d", "180d", "this_month", "last_month", "this_year"] | None = None,
              channel: str | None = None, granularity: Literal["day", "week"] | None = None,
              points_top: int = Query(15, ge=1, le=200, description="诉点排行的数量（top_points）"),
              actor: Actor = Depends(requires("dashboard.read")), ctx=Depends(get_ctx)):
    p = dashboards.period(ctx.today(), preset, start, end)
    return ok(dashboards.dashboard(ctx, p, channel=channel, granularity=granularity, points_top=points_top))


@router.get("/dashboards/points", summary="诉点排行：本期与上一等长期间对比 / top complaint points")
def dashboard_points(start: Day | None = Query(None, alias="from", description="起始日期（含）"),
                     end: Day | None = Query(None, alias="to", description="截止日期（含）"),
                     preset: Literal["7d", "30d", "90d", "180d", "this_month", "last_month", "this_year"] | None = None,
                     channel: str | None = None, top: int = Query(15, ge=1, le=200),
                     actor: Actor = Depends(requires("dashboard.read")), ctx=Depends(get_ctx)):
    p = dashboards.period(ctx.today(), preset, start, end)
    return ok(dashboards.complaint_points(ctx, p, channel=channel, top=top))


@router.get("/dashboards/points/{point_id}", summary="诉点溯源：按被投诉部门、产品、渠道分解，与上一等长期间对比 / trace a point")
def dashboard_point_trace(point_id: str, start: Day | None = Query(None, alias="from", description="起始日期（含）"),
                          end: Day | None = Query(None, alias="to", description="截止日期（含）"),
                          preset: Literal["7d", "30d", "90d", "180d", "this_month", "last_month", "this_year"] | None = None,
                          channel: str | None = None, top: int = Query(10, ge=1, le=100, description="每个维度的数量"),
                          actor: Actor = Depends(requires("dashboard.read")), ctx=Depends(get_ctx)):
    p = dashboards.period(ctx.today(), preset, start, end)
    return ok(dashboards.point_trace(ctx, p, point_id, channel=channel, top=top))
