"""Marketing pre-review API: check, submit, review, approval check, publications, coverage."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from xiaobao.services.marketing import materials as marketing
from xiaobao.services.actors import Actor
from xiaobao.api.params import ALREADY_STORED, Id, Moment, Offset
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(prefix="/marketing", tags=["营销预审 marketing"])


class CheckIn(BaseModel):
    text: str = Field(..., max_length=marketing.MAX_CONTENT, description="正文（可为 HTML / Markdown）")
    title: str = ""
    format: Literal["text", "markdown", "html"] | None = None
    material_id: str | None = None


class MaterialIn(BaseModel):
    ref: str = Field(..., description="物料编号")
    version: str = Field(..., description="版本号")
    channel: str
    product: str
    title: str = ""
    format: Literal["text", "markdown", "html"] | None = None
    content: str


class ReviewIn(BaseModel):
    decision: Literal["approve", "reject", "request_changes", "revoke"]
    comment: str = ""


class ApprovalIn(BaseModel):
    content: str
    channel: str | None = None


class PublicationIn(BaseModel):
    channel: str
    external_id: str
    content: str | None = None
    fingerprint: str | None = None
    published_at: Moment | None = None


@router.post("/check", summary="自动审核（不入库）/ check a material without storing it")
def check(body: CheckIn, actor: Actor = Depends(requires("marketing.check")), ctx=Depends(get_ctx)):
    r = marketing.check(body.text, body.format, body.title, ctx.settings.rules_dir)
    return ok({**marketing.result_dict(body.material_id, r), "findings": [f.to_dict() for f in r.findings],
               "rates": r.rates, "text": r.text, "body_offset": r.body_offset})


@router.post("/materials", status_code=201, responses=ALREADY_STORED, summary="提交物料送审（编号+版本幂等）/ submit a material")
def submit(body: MaterialIn, actor: Actor = Depends(requires("marketing.submit")), ctx=Depends(get_ctx)):
    m, created = marketing.submit(ctx, actor, body.model_dump())
    return ok({"created": created, **m}, 201 if created else 200)


@router.get("/materials", summary="物料列表 / list materials")
def list_materials(status: str | None = None, limit: int = Query(50, ge=1, le=500), offset: Offset = 0,
                   actor: Actor = Depends(requires("marketing.read")), ctx=Depends(get_ctx)):
    return ok({"items": marketing.list_materials(ctx, status, limit, offset)})


@router.get("/materials/{material_id}", summary="物料详情与审核记录 / material with its reviews")
def get(material_id: Id, actor: Actor = Depends(requires("marketing.read")), ctx=Depends(get_ctx)):
    return ok(marketing.get(ctx, material_id))


@router.post("/materials/{material_id}/review", summary="合规审核 / approve, reject, request changes, revoke")
def review(material_id: Id, body: ReviewIn, actor: Actor = Depends(requires("marketing.review")),
           ctx=Depends(get_ctx)):
    return ok(marketing.review(ctx, actor, material_id, body.decision, body.comment))


@router.post("/approval", summary="该内容（逐字一致）是否已通过？/ is this exact content approved?")
def approval(body: ApprovalIn, actor: Actor = Depends(requires("marketing.check")), ctx=Depends(get_ctx)):
    return ok(marketing.approval(ctx, body.content, body.channel))


@router.post("/publications", status_code=201, responses=ALREADY_STORED, summary="登记发布 / record a publication")
def publish(body: PublicationIn, actor: Actor = Depends(requires("marketing.publish")), ctx=Depends(get_ctx)):
    p, created = marketing.record_publication(ctx, actor, body.model_dump(exclude_none=True))
    return ok({"created": created, **p}, 201 if created else 200)


@router.get("/coverage", summary="发布覆盖率（已发布 vs 已通过）/ coverage report")
def coverage(since: Moment | None = None, until: Moment | None = None,
             actor: Actor = Depends(requires("marketing.report")), ctx=Depends(get_ctx)):
    return ok(marketing.coverage(ctx, since, until))
