"""Errors on console pages render as pages (or, for htmx requests, as a message in the page's flash area);
the API keeps its JSON errors."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from xiaobao.domain.errors import DomainError
from xiaobao.web.session import LoginRequired

STATUS = {"invalid_value": 422, "illegal_transition": 409, "approval_required": 422, "recusal_required": 409,
          "deadline_passed": 409, "not_found": 404, "forbidden": 403, "auth_failed": 401, "conflict": 409}


def _is_console(request: Request) -> bool:
    return request.url.path.startswith("/ui")


def install(app: FastAPI) -> None:
    api_domain = app.exception_handlers.get(DomainError)
    api_validation = app.exception_handlers.get(RequestValidationError)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        target = "/ui/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request") == "true":
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        if not _is_console(request):
            return await api_domain(request, exc)
        return _render_error(request, STATUS.get(exc.code, 400), exc.message, exc.code)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        if not _is_console(request):
            return await api_validation(request, exc)
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid"}
        field = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "form"))
        return _render_error(request, 422, f"字段无效：{field}（{first['msg']}）", "invalid_value")


def _render_error(request: Request, status: int, message: str, code: str):
    from xiaobao.web.render import is_htmx, page

    if is_htmx(request):
        # htmx swaps this into the flash area whatever element asked (see static/app.js responseHandling).
        return page(request, "_flash.html", status_code=status, message=message, code=code, level="error",
                    headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    return page(request, "error.html", status_code=status, message=message, code=code)
