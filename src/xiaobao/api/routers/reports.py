"""Statistical reports API: the reportable periods, and the monthly / annual reports as JSON or XLSX (audited).
The dashboards are in `dashboards.py`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xiaobao.domain.errors import InvalidValue
from xiaobao.services.reports import workbooks as reports
from xiaobao.services.actors import Actor
from xiaobao.api.params import Year
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(tags=["看板与报表 dashboards & reports"])


def _key(kind: str, month: str | None, year: int | None) -> str:
    if kind == "monthly":
        if not month:
            raise InvalidValue("month", "月报须指定 month（YYYY-MM）")
        return month
    if year is None:
        raise InvalidValue("year", "年报须指定 year")
    return str(year)



@router.get("/reports/periods", summary="可出具报表的月份与年度 / reportable periods")
def periods(actor: Actor = Depends(requires("report.read")), ctx=Depends(get_ctx)):
    return ok(reports.periods(ctx))


@router.get("/reports/{kind}.xlsx", summary="导出报表 XLSX（审计记录文件 SHA-256）/ export a report",
            response_class=Response)
def report_xlsx(kind: Literal["monthly", "annual"], month: str | None = Query(None), year: Year | None = Query(None),
                actor: Actor = Depends(requires("report.export")), ctx=Depends(get_ctx)):
    out = reports.export(ctx, kind, _key(kind, month, year), actor)
    return Response(out["content"], media_type=reports.XLSX_MEDIA,
                    headers={"Content-Disposition": f'attachment; filename="{out["filename"]}"',
                             "X-Content-SHA256": out["sha256"]})


# After the .xlsx route: "{kind}" alone would also match "monthly.xlsx".
@router.get("/reports/{kind}", summary="报表内容（JSON）/ a report as data")
def report(kind: Literal["monthly", "annual"], month: str | None = Query(None, description="YYYY-MM（月报）"),
           year: Year | None = Query(None, description="年度（年报）"),
           actor: Actor = Depends(requires("report.read")), ctx=Depends(get_ctx)):
    return ok(reports.build(ctx, kind, _key(kind, month, year)))
