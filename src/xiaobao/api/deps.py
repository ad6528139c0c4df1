"""Dependencies: the context, and `requires(permission)` which authenticates and authorises."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xiaobao.services import auth
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import AuthFailed, Forbidden

bearer = HTTPBearer(auto_error=False)


async def get_ctx(request: Request) -> Context:  # async: no I/O, so no hop to the thread pool
    return request.app.state.ctx


def current_actor(creds: HTTPAuthorizationCredentials | None = Depends(bearer),
                  ctx: Context = Depends(get_ctx)) -> Actor:
    if creds is None or creds.scheme.lower() != "bearer":
        raise AuthFailed("需要登录：请在 Authorization 头中提供 Bearer 令牌")
    return auth.resolve(ctx, creds.credentials)


def requires(permission: str):
    async def dependency(actor: Actor = Depends(current_actor), ctx: Context = Depends(get_ctx)) -> Actor:
        if not ctx.rules.permissions.allows(actor.role, permission):
            allowed = ", ".join(sorted(r.value for r in ctx.rules.permissions.roles_for(permission)))
            raise Forbidden(f"角色 {actor.role.value} 无权执行 {permission}（允许：{allowed}）",
                            permission=permission)
        return actor
    return dependency
