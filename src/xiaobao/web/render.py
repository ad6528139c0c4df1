"""Template rendering with what every page needs: the user, their navigation, the language, the CSRF token."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from xiaobao.domain.roles import ROLE_NAMES_ZH
from xiaobao.web import format as fmt
from xiaobao.web import i18n, nav
from xiaobao.web.session import can, csrf_for, get_ctx, lang_of, token_of

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
env = templates.env
env.filters.update(fmt.FILTERS)
env.globals.update(fmt.GLOBALS)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def page(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
         **values: Any) -> HTMLResponse:
    ctx = get_ctx(request)
    lang = lang_of(request)
    actor = getattr(request.state, "actor", None)
    token = token_of(request)

    def t(key: str, **kw) -> str:
        return i18n.translate(lang, key, **kw)

    base = {
        "request": request, "t": t, "lang": lang, "html_lang": i18n.HTML_LANG[lang], "actor": actor,
        "role_name": (ROLE_NAMES_ZH.get(actor.role, actor.role.value) if lang == "zh" else actor.role.value)
        if actor else "",
        "nav": nav.for_actor(ctx, actor) if actor else [],
        "csrf": csrf_for(token) if token and actor else "",
        "can": (lambda perm: can(ctx, actor, perm)) if actor else (lambda perm: False),
        "today": ctx.today(), "htmx": is_htmx(request), "path": request.url.path,
    }
    base.update(values)
    return templates.TemplateResponse(request, template, base, status_code=status_code, headers=headers)


def json_script(value: Any, element_id: str) -> Markup:
    """Embed data for a chart as <script type=application/json>, safe against </script> in strings."""
    import json

    text = json.dumps(value, ensure_ascii=False, default=_default).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


def _default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(type(v).__name__)


env.globals["json_script"] = json_script
