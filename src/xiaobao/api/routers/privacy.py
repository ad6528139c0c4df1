"""Privacy gateway API: scan, anonymise under a named policy, audited unmask, access log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field

from xiaobao.services.privacy import gateway
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.api.deps import current_actor, get_ctx, requires
from xiaobao.api.responses import ok

router = APIRouter(prefix="/privacy", tags=["个人信息 privacy"])


class ScanIn(BaseModel):
    text: str = Field(..., max_length=1_000_000)


class AnonymiseIn(BaseModel):
    policy: str = "display"
    text: str | None = None
    document: Any = None


class UnmaskIn(BaseModel):
    token: str = Field(..., description="<enc:类型:v1:密钥:…>")
    purpose: str = Field(..., description="用途，记入访问日志")
    subject: str = ""


@router.post("/scan", summary="识别个人信息 / scan text for PII")
def scan(body: ScanIn, actor: Actor = Depends(requires("pii.scan")), ctx: Context = Depends(get_ctx)):
    return ok({"spans": gateway.scan(body.text, ctx.settings.rules_dir)})


@router.post("/anonymise", summary="按策略脱敏文本或 JSON 文档 / anonymise under a named policy")
def anonymise(body: AnonymiseIn, actor: Actor = Depends(requires("pii.scan")), ctx: Context = Depends(get_ctx)):
    out: dict[str, Any] = {}
    if body.text is not None:
        out.update(gateway.anonymise_text(ctx, body.text, body.policy))
    if body.document is not None:
        out.update(gateway.anonymise_document(ctx, body.document, body.policy))
    return ok(out)


@router.post("/gateway/{policy}", summary="网关：对任意 JSON 正文应用命名策略 / apply a policy to any JSON body")
def apply_policy(policy: str, document: Any = Body(...), actor: Actor = Depends(requires("pii.scan")),
                 ctx: Context = Depends(get_ctx)):
    return ok(gateway.anonymise_document(ctx, document, policy)["document"])


@router.post("/unmask", summary="解密（记录访问日志与审计） / audited unmask")
def unmask(body: UnmaskIn, actor: Actor = Depends(current_actor), ctx: Context = Depends(get_ctx)):  # checked and logged in the service, refusals too
    return ok(gateway.unmask(ctx, actor, body.token, body.purpose, body.subject))


@router.get("/access-log", summary="个人信息访问日志 / who unmasked what")
def access_log(limit: int = Query(100, ge=1, le=1000), actor_name: str | None = Query(None, alias="actor"),
               actor: Actor = Depends(requires("audit.read")), ctx: Context = Depends(get_ctx)):
    return ok({"entries": gateway.access_log(ctx, limit, actor_name)})
