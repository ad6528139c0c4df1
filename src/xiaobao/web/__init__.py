"""The 消保 console: server-rendered pages (Jinja2 + htmx, charts by ECharts) over the same services the
API and the CLI call. Mounted under /ui by `install(app)`; assets are vendored, nothing comes from a CDN.

Page modules live in `web/pages/`; each exposes `router` (and optionally `NAV`, a list of NavItem) and is
picked up here, so an area adds its pages without editing a shared registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from xiaobao.web import errors, nav

STATIC = Path(__file__).parent / "static"


def page_modules():
    from xiaobao.web import pages

    for info in sorted(pkgutil.iter_modules(pages.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{pages.__name__}.{info.name}")


def install(app: FastAPI) -> None:
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    for module in page_modules():
        app.include_router(module.router, include_in_schema=False)
        nav.register(getattr(module, "NAV", ()))
    errors.install(app)

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/", status_code=307)
