from fastapi import APIRouter, Depends, Query

from xiaobao.services.complaints import handling, queries, views
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.actors import Actor
from xiaobao.api.params import ALREADY_STORED, Id, Offset
from xiaobao.api.deps import get_ctx, requires
from xiaobao.api.responses import ok
from xiaobao.api.schemas import (AssignIn, CallbackIn, ComplaintIn, DecideIn, ExtendIn, MergeIn, Note, NotifyIn, PauseIn,
                       Reason, RefuseIn, RestartIn, ReviewDecisionIn, ReviewRequestIn, TransferIn, body_dict)

router = APIRouter(prefix="/complaints", tags=["投诉 complaints"])
READ, HANDLE = requires("complaint.read"), requires("complaint.handle")


@router.post("", status_code=201, responses=ALREADY_STORED,
             summary="登记投诉（按渠道+外部编号幂等）/ take in a complaint")
def create(body: ComplaintIn, actor: Actor = Depends(requires("complaint.create")),
           ctx=Depends(get_ctx)):
    c, created = intake.submit(ctx, body_dict(body), actor=actor.username)
    return ok({"created": created, **views.complaint_dict(ctx, c)}, 201 if created else 200)


@router.get("", summary="投诉队列与时限查询 / queues and clock queries")
def list_complaints(
    status: list[str] = Query(default=[]), channel: list[str] = Query(default=[]), tier: list[str] = Query(default=[]),
    team: str | None = None, assignee: str | None = None,
    due_within: int | None = Query(default=None, ge=0, le=365, description="N 日内到期（未办结）"),
    overdue: bool = False, paused: bool = False, in_review: bool = False, review_overdue: bool = False,
    limit: int = Query(default=50, ge=1, le=500), offset: Offset = 0,
    actor: Actor = Depends(READ), ctx=Depends(get_ctx),
):
    return ok(queries.find(ctx, status=status, channel=channel, tier=tier, team=team, assignee=assignee,
                        due_within_days=due_within, overdue=overdue, paused=paused, in_review=in_review,
                        review_overdue=review_overdue, limit=limit, offset=offset))


@router.get("/{cid}", summary="投诉详情（个人信息默认脱敏）/ complaint detail")
def get(cid: Id, reveal: bool = Query(False, description="显示未脱敏个人信息（需 pii.view 权限，记入审计）"),
        actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(views.get_complaint(ctx, cid, actor, reveal=reveal))


@router.get("/{cid}/timeline", summary="办理轨迹 / timeline")
def timeline(cid: Id, actor: Actor = Depends(READ), ctx=Depends(get_ctx)):
    return ok(views.timeline(ctx, cid))


def _out(ctx, c):
    return ok(views.complaint_dict(ctx, c))


@router.post("/{cid}/accept", summary="受理 / accept")
def accept(cid: Id, body: Note = Note(), actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.accept(ctx, cid, actor, body.note))


@router.post("/{cid}/start", summary="开始处理 / start handling")
def start(cid: Id, body: Note = Note(), actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.start(ctx, cid, actor, body.note))


@router.post("/{cid}/pause", summary="暂停计时（鉴定/调解）/ pause the clock")
def pause(cid: Id, body: PauseIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.pause(ctx, cid, actor, body.reason, notice_proof=body.notice_proof, note=body.note))


@router.post("/{cid}/resume", summary="恢复计时 / resume the clock")
def resume(cid: Id, body: Note = Note(), actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.resume(ctx, cid, actor, body.note))


@router.post("/{cid}/extend", summary="延长处理期限 / extend")
def extend(cid: Id, body: ExtendIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.extend(ctx, cid, actor, reason=body.reason, approver=body.approver,
                                     notice_proof=body.notice_proof))


@router.post("/{cid}/restart", summary="收到新事实，重新计时 / new facts restart the clock")
def restart(cid: Id, body: RestartIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.restart_for_new_facts(ctx, cid, actor, received=body.received, note=body.note))


@router.post("/{cid}/merge", summary="合并至原投诉 / merge into the complaint it repeats")
def merge(cid: Id, body: MergeIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.merge(ctx, cid, body.parent_id, actor, new_facts=body.new_facts, note=body.note))


@router.post("/{cid}/assign", summary="分派 / assign")
def assign(cid: Id, body: AssignIn, actor: Actor = Depends(requires("complaint.assign")), ctx=Depends(get_ctx)):
    return _out(ctx, handling.assign(ctx, cid, actor, body.assignee, body.reason))


@router.post("/{cid}/transfer", summary="转派层级/团队 / transfer")
def transfer(cid: Id, body: TransferIn, actor: Actor = Depends(requires("complaint.transfer")),
             ctx=Depends(get_ctx)):
    return _out(ctx, handling.transfer(ctx, cid, actor, tier=body.tier, team=body.team, reason=body.reason))


@router.post("/{cid}/decide", summary="出具处理意见 / decide")
def decide(cid: Id, body: DecideIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.decide(ctx, cid, actor, **body.model_dump()))


@router.post("/{cid}/notify", summary="告知处理意见（留存凭证）/ notify with proof")
def notify(cid: Id, body: NotifyIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.notify(ctx, cid, actor, channel=body.channel, proof=body.proof))


@router.post("/{cid}/callback", summary="回访与满意度 / callback")
def callback(cid: Id, body: CallbackIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.record_callback(ctx, cid, actor, satisfaction=body.satisfaction, note=body.note))


@router.post("/{cid}/close", summary="办结 / close")
def close(cid: Id, body: Note = Note(), actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.close(ctx, cid, actor, body.note))


@router.post("/{cid}/review-request", summary="登记核查申请 / register a review request")
def review_request(cid: Id, body: ReviewRequestIn, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.request_review(ctx, cid, actor, written_ref=body.written_ref))


@router.post("/{cid}/review-decision", summary="核查结论 / review decision")
def review_decision(cid: Id, body: ReviewDecisionIn, actor: Actor = Depends(requires("complaint.review")),
                    ctx=Depends(get_ctx)):
    return _out(ctx, handling.decide_review(ctx, cid, actor, outcome=body.outcome, reasons=body.reasons))


@router.post("/{cid}/refuse", summary="不予受理 / refuse (not filed by the consumer or an authorised agent)")
def refuse(cid: Id, body: RefuseIn, actor: Actor = Depends(requires("complaint.review")), ctx=Depends(get_ctx)):
    return _out(ctx, handling.refuse(ctx, cid, actor, reason=body.reason, notice_proof=body.notice_proof))


@router.post("/{cid}/withdraw", summary="撤诉 / withdraw")
def withdraw(cid: Id, body: Reason, actor: Actor = Depends(HANDLE), ctx=Depends(get_ctx)):
    return _out(ctx, handling.withdraw(ctx, cid, actor, body.reason))
