"""Collection QA API: import and inspect calls, read results, dispute and decide, scorecards, complaint links."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from xiaobao.services.collection import calls as collection
from xiaobao.services.actors import Actor
from xiaobao.api.params import ALREADY_STORED, Day, Id, Offset
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(prefix="/collection", tags=["催收质检 collection"])
READ = requires("collection.read")


class CallsIn(BaseModel):
    calls: list[dict[str, Any]] = Field(..., min_length=1, max_length=5000,
                                        description="通话记录（字段同 CLI 契约，另可含 debtor_id_number/debtor_phone/callee_number）")


class DisputeIn(BaseModel):
    reason: str = Field(..., min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    decision: Literal["upheld", "overturned"]
    reason: str = Field(..., min_length=1, max_length=2000)


@router.post("/inspect", summary="离线质检（不入库）/ inspect without storing")
def inspect(body: CallsIn, actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    results, errors = collection.inspect_rows(enumerate(body.calls, start=1), ctx.settings.rules_dir)
    return ok({"results": [r.to_contract() for r in results], "errors": [e.__dict__ for e in errors]})


@router.post("/calls", status_code=201, responses=ALREADY_STORED,
             summary="导入通话并质检入库（按 call_id 幂等）/ import and inspect calls")
def import_calls(body: CallsIn, actor: Actor = Depends(requires("collection.import")), ctx=Depends(get_ctx)):
    report = collection.import_rows(ctx, enumerate(body.calls, start=1), actor=actor.username)
    return ok(report.to_dict(), 201 if report.inserted else 200)


@router.get("/calls", summary="通话列表（机构、催收员、违规代码、申诉中）/ list calls")
def list_calls(agency: str | None = None, collector_id: str | None = None, debtor_id: str | None = None,
               code: str | None = None, disputed: bool | None = None, violating: bool | None = None,
               date_from: Day | None = Query(None, alias="from"), date_to: Day | None = Query(None, alias="to"),
               limit: int = Query(50, ge=1, le=500), offset: Offset = 0,
               actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(collection.list_calls(ctx, agency=agency, collector_id=collector_id, debtor_id=debtor_id, code=code,
                                    disputed=disputed, violating=violating, day_from=date_from, day_to=date_to,
                                    limit=limit, offset=offset))


@router.get("/calls/{call_id}", summary="通话质检结果 / a call's findings and disputes")
def get_call(call_id: str, actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(collection.get_call(ctx, call_id))


@router.post("/findings/{finding_id}/dispute", summary="催收员申诉 / dispute a finding")
def dispute(finding_id: Id, body: DisputeIn, actor: Actor = Depends(requires("collection.dispute")),
            ctx=Depends(get_ctx)):
    return ok(collection.dispute(ctx, finding_id, actor, body.reason))


@router.post("/findings/{finding_id}/decision", summary="质检主管裁定 / decide a dispute")
def decide(finding_id: Id, body: DecisionIn, actor: Actor = Depends(requires("collection.decide")),
           ctx=Depends(get_ctx)):
    return ok(collection.decide(ctx, finding_id, actor, body.decision, body.reason))


@router.get("/scorecards", summary="机构/催收员评分卡 / scorecards per agency or collector")
def scorecards(by: Literal["agency", "collector"] = "agency", date_from: Day | None = Query(None, alias="from"),
               date_to: Day | None = Query(None, alias="to"),
               period: Literal["week", "month", "quarter"] = "month",
               actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(collection.scorecard(ctx, by=by, day_from=date_from, day_to=date_to, period=period))


@router.get("/complaints/{complaint_id}/calls", summary="投诉关联的债务人通话 / calls of a complaint's debtor")
def complaint_calls(complaint_id: Id, actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(collection.calls_for_complaint(ctx, complaint_id))
