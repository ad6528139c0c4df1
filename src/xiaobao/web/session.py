"""Who is using the console: the same bearer tokens as the API, carried in an HttpOnly cookie.

State-changing requests also carry an X-CSRF-Token header (htmx adds it from the page) derived from
the session token, so another site cannot make a logged-in browser act.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Depends, Request

from xiaobao.domain.errors import DomainError
from xiaobao.services import auth
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Forbidden
from xiaobao.web import i18n

COOKIE = "xb_session"
LANG_COOKIE = "xb_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form."""


class CsrfRejected(Forbidden):
    pass


def get_ctx(request: Request) -> Context:
    return request.app.state.ctx


def lang_of(request: Request) -> str:
    return i18n.pick(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


def csrf_for(token: str) -> str:
    return hmac.new(b"xiaobao-console-csrf", token.encode(), hashlib.sha256).hexdigest()[:32]


def token_of(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def page_actor(request: Request, ctx: Context = Depends(get_ctx)) -> Actor:
    token = token_of(request)
    if not token:
        raise LoginRequired()
    try:
        actor = auth.resolve(ctx, token)
    except DomainError:
        raise LoginRequired() from None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, csrf_for(token)):
            raise CsrfRejected("请求缺少有效的 CSRF 令牌，请刷新页面后重试", permission="csrf")
    request.state.actor = actor
    return actor


def can(ctx: Context, actor: Actor, permission: str) -> bool:
    return ctx.rules.permissions.allows(actor.role, permission)


def require(ctx: Context, actor: Actor, permission: str) -> None:
    if not can(ctx, actor, permission):
        allowed = ", ".join(sorted(r.value for r in ctx.rules.permissions.roles_for(permission)))
        raise Forbidden(f"角色 {actor.role.value} 无权执行 {permission}（允许：{allowed}）", permission=permission)


def requires(permission: str):
    """Dependency: the logged-in actor, refused unless their role holds `permission`."""

    def dependency(actor: Actor = Depends(page_actor), ctx: Context = Depends(get_ctx)) -> Actor:
        require(ctx, actor, permission)
        return actor
    return dependency
