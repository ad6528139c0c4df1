from fastapi import APIRouter, Depends, Query

from xiaobao.domain.complaint import STATUS_NAMES_EN, STATUS_NAMES_ZH
from xiaobao.domain.tiers import TIER_NAMES_EN, TIER_NAMES_ZH
from xiaobao.services import audit, auth
from xiaobao.services.complaints import handling, queries
from xiaobao.services.actors import Actor
from xiaobao.api.deps import current_actor, get_ctx, requires
from xiaobao.api.schemas import UserIn

router = APIRouter(tags=["管理 admin"])


@router.get("/meta", summary="渠道、状态、层级、分类 / reference data")
def meta(actor: Actor = Depends(current_actor), ctx=Depends(get_ctx)):
    r = ctx.rules
    return {
        "channels": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "regulator": c.regulator,
                      "clock_policy": c.clock_policy} for c in r.channels.values()],
        "statuses": [{"code": k, "name_zh": v, "name_en": STATUS_NAMES_EN[k]} for k, v in STATUS_NAMES_ZH.items()],
        "tiers": [{"code": str(t), "name_zh": TIER_NAMES_ZH[t], "name_en": TIER_NAMES_EN[t]} for t in TIER_NAMES_ZH],
        "categories": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en} for c in r.categories.values()],
        "clock_policies": {code: {"name_zh": p.name_zh, "stages": [s.days for s in p.stages],
                                  "citation": str(p.citation) if p.citation else None}
                           for code, p in r.regime.policies.items()},
    }


@router.get("/stats/overview", summary="概览统计 / overview counts")
def overview(actor: Actor = Depends(requires("complaint.read")), ctx=Depends(get_ctx)):
    return queries.counts(ctx)


@router.post("/jobs/escalate", summary="临期自动升级 / escalate complaints near their deadline")
def escalate(actor: Actor = Depends(requires("jobs.run")), ctx=Depends(get_ctx)):
    moved = handling.escalate_due(ctx, actor)
    return {"escalated": [{"id": i, "from": a, "to": b} for i, a, b in moved]}


@router.get("/audit/verify", summary="校验审计哈希链 / verify the audit chain")
def verify(actor: Actor = Depends(requires("audit.verify")), ctx=Depends(get_ctx)):
    v = audit.verify(ctx)
    return {"ok": v.ok, "problems": [{"seq": p.seq, "problem": p.problem} for p in v.problems],
            "head": None if v.head is None else {"seq": v.head[0], "hash": v.head[1]},
            "checkpoints": v.checkpoints, "notes": v.notes}


@router.get("/audit/entries", summary="审计记录 / audit entries of an entity")
def entries(entity_type: str = Query(...), entity_id: str = Query(...),
            actor: Actor = Depends(requires("audit.read")), ctx=Depends(get_ctx)):
    with ctx.store.uow(write=False) as uow:
        return uow.audit.for_entity(entity_type, entity_id)


@router.post("/users", status_code=201, summary="新建用户 / create a user")
def create_user(body: UserIn, actor: Actor = Depends(requires("user.manage")), ctx=Depends(get_ctx)):
    auth.create_user(ctx, by=actor.username, **body.model_dump())
    return {"username": body.username, "role": body.role}


@router.get("/users", summary="用户列表 / users")
def list_users(actor: Actor = Depends(requires("user.manage")), ctx=Depends(get_ctx)):
    with ctx.store.uow(write=False) as uow:
        return [{k: u[k] for k in ("username", "display_name", "role", "team", "staff_id", "active")}
                for u in uow.users.all()]
