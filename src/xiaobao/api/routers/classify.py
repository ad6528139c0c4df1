"""Complaint classification API: predict, a complaint's labels and their one-action correction,
the taxonomy, the complaint-points trend, model versions."""

from __future__ import annotations


from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from xiaobao.domain.errors import InvalidValue
from xiaobao.services.classify import classification
from xiaobao.services.actors import Actor
from xiaobao.api.params import Flag, Id, Moment
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(prefix="/classify", tags=["投诉分类 classify"])
MAX_BATCH = 1000


class TextIn(BaseModel):
    external_id: str | None = None
    text: str = Field(..., min_length=1, max_length=20000)
    repeat_of: Flag = False


class PredictIn(BaseModel):
    items: list[TextIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class CorrectionIn(BaseModel):
    category: str = Field(..., description="类别代码（taxonomy.yaml）")
    axis_b: str | None = Field(None, description="业务类别代码（classify_axes.yaml）；不填保持原值")
    reason: str = Field("", max_length=2000)


class TrainIn(BaseModel):
    activate: Flag | None = Field(None, description="true 启用新版本；false 不启用；不填：除非留出集上比在用分类器差，否则启用")


@router.post("/predict", summary="分类文本（不入库）/ classify texts")
def predict(body: PredictIn, actor: Actor = Depends(requires("classify.predict")), ctx=Depends(get_ctx)):
    clf = classification.classifier(ctx)
    return ok({"source": clf.source,
               "items": classification.predict_texts(clf, [i.model_dump() for i in body.items])})


@router.get("/taxonomy", summary="JR/T 0169 业务类别与投诉原因代码表 / axes B and C")
def taxonomy(actor: Actor = Depends(requires("classify.predict")), ctx=Depends(get_ctx)):
    return ok(classification.classifier(ctx).taxonomy.to_dict())


@router.get("/complaints/{cid}", summary="投诉的分类结果与纠正历史 / a complaint's labels")
def get_labels(cid: Id, actor: Actor = Depends(requires("complaint.read")), ctx=Depends(get_ctx)):
    return ok(classification.prediction(ctx, cid))


@router.post("/complaints/{cid}/classify", summary="（重新）分类一件投诉 / classify a stored complaint")
def classify_one(cid: Id, actor: Actor = Depends(requires("classify.correct")), ctx=Depends(get_ctx)):
    if classification.classify_stored(ctx, [cid]) == 0:
        from xiaobao.services.errors import NotFound

        raise NotFound(f"投诉 {cid} 不存在", complaint_id=cid)
    return ok(classification.prediction(ctx, cid))


@router.put("/complaints/{cid}/labels", summary="纠正分类（一步完成，记入审计并用于训练）/ correct labels")
def correct(cid: Id, body: CorrectionIn, actor: Actor = Depends(requires("classify.correct")),
            ctx=Depends(get_ctx)):
    return ok(classification.correct(ctx, cid, actor, category=body.category, axis_b=body.axis_b,
                                     reason=body.reason))


@router.get("/points", summary="诉点趋势（与上一等长期间对比）/ complaint-points trend")
def points(start: Moment | None = Query(None, alias="from"), end: Moment | None = Query(None, alias="to"),
           min_count: int = Query(1, ge=1), actor: Actor = Depends(requires("classify.report")),
           ctx=Depends(get_ctx)):
    if (start is None) != (end is None):
        raise InvalidValue("from/to", "须同时给出开始与结束时间，或都不给（默认最近 30 天）")
    if start is None:
        start, end = classification.month_window(ctx.now())
    return ok(classification.points_report(ctx, start, end, min_count=min_count))


@router.get("/status", summary="学习状态：在用模型、各版本留出集指标、纠正记录数、待人工分类 / learning loop")
def status(actor: Actor = Depends(requires("classify.train")), ctx=Depends(get_ctx)):
    return ok(classification.learning_status(ctx))


@router.get("/models", summary="模型版本 / model versions")
def models(actor: Actor = Depends(requires("classify.train")), ctx=Depends(get_ctx)):
    return ok({"models": classification.models(ctx)})


@router.post("/models", status_code=201, summary="用团队纠正记录训练新模型 / train on corrections")
def train(body: TrainIn | None = None, actor: Actor = Depends(requires("classify.train")), ctx=Depends(get_ctx)):
    return ok(classification.train(ctx, actor, activate=body.activate if body else None), 201)
