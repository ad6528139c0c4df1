"""Login, logout, language switch, and the landing redirect."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from xiaobao.domain.errors import DomainError
from xiaobao.services import auth
from xiaobao.services.errors import TooManyAttempts
from xiaobao.services.actors import Actor
from xiaobao.web.i18n import LANGS
from xiaobao.web.nav import for_actor
from xiaobao.web.render import page
from xiaobao.web.session import COOKIE, LANG_COOKIE, get_ctx, lang_of, page_actor

router = APIRouter(prefix="/ui")


def _local(target: str | None, default: str = "/ui/") -> str:
    """Only same-site paths under /ui are followed after login (no open redirect)."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not parsed.path.startswith("/ui"):
        return default
    return target


# Before a session exists the CSRF token is a double-submit pair: a random value in a Strict, HttpOnly cookie
# and the same value in the form; another site can make a browser post the form but cannot read the cookie.
LOGIN_CSRF_COOKIE = "xb_login_csrf"


def _login_page(request: Request, *, status_code: int = 200, next: str = "/ui/", error: str | None = None,
                username: str = "", **extra):
    csrf = secrets.token_urlsafe(24)
    response = page(request, "login.html", status_code=status_code, next=next, error=error, username=username,
                    login_csrf=csrf, **extra)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/ui/login",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return _login_page(request, next=_local(next))


@router.post("/login")
def login(request: Request, username: str = Form(...), password: str = Form(...), next: str = Form("/ui/"),
          csrf: str = Form(""), ctx=Depends(get_ctx)):
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return _login_page(request, status_code=403, next=_local(next), username=username, error="login.csrf")
    try:
        token, _actor = auth.login(ctx, username.strip(), password,
                                   address=request.client.host if request.client else None)
    except TooManyAttempts as e:
        return _login_page(request, status_code=429, next=_local(next), username=username, error="login.locked",
                           minutes=max(1, -(-e.details["retry_after_s"] // 60)))
    except DomainError:
        return _login_page(request, status_code=401, next=_local(next), username=username, error="login.failed")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        max_age=ctx.settings.token_ttl_hours * 3600,
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request, actor: Actor = Depends(page_actor), ctx=Depends(get_ctx)):
    auth.logout(ctx, request.cookies[COOKIE])
    response = Response(status_code=200, headers={"HX-Redirect": "/ui/login"})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(code: str, request: Request):
    back = _local(request.headers.get("referer") and urlparse(request.headers["referer"]).path)
    response = RedirectResponse(back, status_code=303)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", path="/", max_age=365 * 86400)
    return response


@router.get("/")
def home(request: Request, actor: Actor = Depends(page_actor), ctx=Depends(get_ctx)):
    items = for_actor(ctx, actor)
    if items:
        return RedirectResponse(items[0].href, status_code=303)
    return page(request, "empty_home.html", lang=lang_of(request))
