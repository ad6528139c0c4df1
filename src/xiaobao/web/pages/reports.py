"""Reports (/ui/reports): the months and years that can be reported, a preview of the chosen report (the same
tables the workbook holds) and its XLSX download — built by services.reports and audited with its SHA-256."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from xiaobao.domain.errors import InvalidValue
from xiaobao.services.reports import workbooks as reports
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.web.nav import NavItem
from xiaobao.web.render import page
from xiaobao.web.session import get_ctx, lang_of, requires

router = APIRouter(prefix="/ui/reports")
NAV = [NavItem("reports.nav", "/ui/reports", "report.read", 70)]


def _default(periods: dict) -> tuple[str, str]:
    """The latest complete month, else the current one."""
    months = periods["months"]
    done = [m for m in months if m["complete"]]
    return "monthly", (done[0] if done else months[0])["key"]


@router.get("")
def reports_page(request: Request, actor: Actor = Depends(requires("report.read")), ctx: Context = Depends(get_ctx)):
    periods = reports.periods(ctx)
    kind = request.query_params.get("kind")
    key = request.query_params.get("key")
    if kind not in reports.KINDS or not key:
        kind, key = _default(periods)
    try:
        report = reports.build(ctx, kind, key)
    except InvalidValue:
        kind, key = _default(periods)
        report = reports.build(ctx, kind, key)
    return page(request, "reports/reports.html", periods=periods, kind=kind, key=key, report=report,
                en=lang_of(request) == "en")


@router.get("/{kind}/{key}.xlsx")
def download(kind: str, key: str, actor: Actor = Depends(requires("report.export")), ctx: Context = Depends(get_ctx)):
    if kind not in reports.KINDS:
        raise InvalidValue("kind", f"未知报表 {kind!r}")
    out = reports.export(ctx, kind, key, actor)
    return Response(out["content"], media_type=reports.XLSX_MEDIA,
                    headers={"Content-Disposition": f'attachment; filename="{out["filename"]}"',
                             "X-Content-SHA256": out["sha256"]})
