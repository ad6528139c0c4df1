"""The FastAPI application: `create_app(ctx)`; OpenAPI at /docs."""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from xiaobao import __version__
from xiaobao.services.context import Context
from xiaobao.api import errors, privacy_middleware
from xiaobao.api.security_headers import SecurityHeaders
from xiaobao.api.routers import (
    admin,
    auth,
    blackgray,
    classify,
    collection,
    complaints,
    dashboards,
    marketing,
    privacy,
    reports,
)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # Handlers are synchronous and spend their time in the database; many more threads than the
    # database can serve only contend for the GIL — and a thread holding the audit-chain lock then
    # waits up to a switch interval after every round trip. A small pool keeps the tail short.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.ctx.settings.api_threads
    yield


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan, responses=errors.ERROR_RESPONSES,
        title="xiaobao 消保平台 API", version=__version__,
        description="投诉受理、分层处理、监管时限与审计。Complaint intake, tiered handling, regulatory clocks, audit.",
    )
    app.state.ctx = ctx
    errors.install(app)
    privacy_middleware.mount(app, ctx)  # XIAOBAO_PRIVACY_GATEWAY: JSON responses anonymised by path prefix
    app.include_router(auth.router)
    app.include_router(complaints.router)
    app.include_router(admin.router)
    app.include_router(blackgray.router)
    app.include_router(marketing.router)
    app.include_router(privacy.router)
    app.include_router(classify.router)
    app.include_router(collection.router)
    app.include_router(dashboards.router)
    app.include_router(reports.router)

    @app.get("/health", tags=["管理 admin"], summary="健康检查 / health")
    def health():
        return {"ok": True, "version": __version__}

    from xiaobao import web  # the console: pages over the same services, mounted under /ui

    web.install(app)
    app.add_middleware(SecurityHeaders)  # outermost: error pages and the gateway's rewritten bodies get them too
    return app


def app_from_env() -> FastAPI:
    """Factory for multi-process serving: each worker opens its own context from XIAOBAO_* settings."""
    from xiaobao import logs
    from xiaobao.config import Settings
    from xiaobao.services.context import open_context

    logs.install()
    return create_app(open_context(Settings(), migrate=False))
