"""Black/gray-industry API: the specialised queue, complaint flags, leads and their review, evidence
export, intelligence import, the rescan task and threshold calibration."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from xiaobao.domain.errors import InvalidValue
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import export, intelligence, leads, review, triage
from xiaobao.api.params import Flag, Id, Offset
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(prefix="/blackgray", tags=["黑灰产 black/gray industry"])
READ = requires("blackgray.read")


class ReviewIn(BaseModel):
    decision: Literal["confirm", "reject"] = Field(description="confirm 确认为黑灰产 / reject 排除")
    note: str | None = Field(default=None, max_length=2000, description="审核意见")


class CalibrateIn(BaseModel):
    apply: Flag = Field(default=False, description="应用新阈值（否则仅试算）")


@router.get("/queue", summary="特殊投诉队列（疑似黑灰产）/ the specialised queue")
def queue(review_status: Literal["pending", "confirmed", "rejected", "all"] = "pending", kind: str | None = None,
          limit: int = Query(default=50, ge=1, le=500), offset: Offset = 0,
          actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(review.queue(ctx, review_status=None if review_status == "all" else review_status, kind=kind,
                           limit=limit, offset=offset))


@router.get("/complaints/{cid}", summary="单件投诉的黑灰产识别结果 / a complaint's flag")
def complaint_flag(cid: Id, actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(review.flag_of(ctx, cid))


@router.post("/complaints/{cid}/review", summary="确认/排除单件投诉的识别 / review a complaint flag")
def review_complaint(cid: Id, body: ReviewIn, actor: Actor = Depends(requires("blackgray.review")),
                     ctx=Depends(get_ctx)):
    return ok(review.review_flag(ctx, cid, body.decision, actor, body.note))


@router.get("/leads", summary="线索列表 / leads")
def list_leads(status: Literal["open", "confirmed", "rejected", "merged"] | None = None,
               lead_type: Literal["gang", "family"] | None = None,
               limit: int = Query(default=50, ge=1, le=500), offset: Offset = 0,
               actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(leads.list_leads(ctx, status=status, lead_type=lead_type, limit=limit, offset=offset))


@router.post("/leads/refresh", summary="按最新识别结果重建线索（写入；读取线索是 GET /blackgray/leads）/ rebuild leads")
def refresh_leads(actor: Actor = Depends(requires("blackgray.review")), ctx=Depends(get_ctx)):
    return ok(leads.refresh_leads(ctx))


@router.get("/leads/{lead_id}", summary="线索详情（成员、共用联系方式、时间线）/ lead detail")
def get_lead(lead_id: Id, actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(leads.get_lead(ctx, lead_id))


@router.post("/leads/{lead_id}/review", summary="确认/排除线索 / review a lead")
def review_lead(lead_id: Id, body: ReviewIn, actor: Actor = Depends(requires("blackgray.review")),
                ctx=Depends(get_ctx)):
    return ok(review.review_lead(ctx, lead_id, body.decision, actor, body.note))


@router.get("/leads/{lead_id}/export", summary="导出证据包（XLSX 或 JSON）/ evidence package",
            response_class=FileResponse)
def export_lead(lead_id: Id, format: Literal["xlsx", "json"] = "xlsx",
                actor: Actor = Depends(requires("blackgray.export")), ctx=Depends(get_ctx)):
    tmp = tempfile.TemporaryDirectory(prefix="xiaobao-evidence-")
    out = export.export_lead(ctx, lead_id, actor, tmp.name)
    path = Path(out[format])
    media = ("application/json" if format == "json"
             else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(path, media_type=media, filename=path.name, background=BackgroundTask(tmp.cleanup),
                        headers={"X-Content-SHA256": out["sha256"][path.name]})


@router.post("/intel", summary="导入黑灰产情报（CSV/XLSX/JSONL 原文作为请求体）/ import intelligence")
async def import_intel(request: Request, filename: str = Query("intel.csv", description="用于判断格式的文件名"),
                       actor: Actor = Depends(requires("blackgray.intel")), ctx=Depends(get_ctx)):
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".jsonl", ".json"):
        raise InvalidValue("filename", "须为 .csv、.xlsx 或 .jsonl 文件")
    body = await request.body()
    if not body:
        raise InvalidValue("body", "请求体为空：请以文件内容作为请求体上传")
    from starlette.concurrency import run_in_threadpool

    def run():
        with tempfile.TemporaryDirectory(prefix="xiaobao-intel-") as d:
            path = Path(d) / f"upload{suffix}"
            path.write_bytes(body)
            report = intelligence.import_intel(ctx, path, actor=actor.username, errors_path=Path(d) / "errors.csv")
            return {"rows": report.rows, "stored": report.stored, "error_rows": report.error_count,
                    "errors": [{"row": e.row, "field": e.field, "reason": e.reason} for e in report.errors[:500]]}

    return ok(await run_in_threadpool(run))


@router.get("/intel", summary="情报库概况 / intelligence summary")
def intel_summary(actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(intelligence.intel_summary(ctx))


@router.post("/rescan", summary="全量重扫（含情报比对）并更新线索 / rescan the corpus")
def rescan(actor: Actor = Depends(requires("blackgray.scan")), ctx=Depends(get_ctx)):
    result = triage.rescan(ctx)
    return ok({**result, "leads": leads.refresh_leads(ctx)})


@router.post("/calibrate", summary="以审核结论校准识别阈值 / calibrate the flag threshold")
def calibrate(body: CalibrateIn, actor: Actor = Depends(requires("blackgray.read")), ctx=Depends(get_ctx)):
    return ok(review.calibrate(ctx, actor, apply=body.apply))
