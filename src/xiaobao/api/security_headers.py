"""Security headers on every response, API and console alike.

The console vendors htmx and ECharts and keeps its code in /ui/static/app.js, so scripts need nothing but
'self': no inline script, no eval. Styles allow inline attributes (a few templates and ECharts set them).
Strict-Transport-Security is sent only on requests that arrived over https (behind a TLS proxy uvicorn sets
the scheme from X-Forwarded-Proto for trusted proxies), since over plain http it would be ignored or, on a
laptop demo, lock the browser out of http://127.0.0.1.
"""

from __future__ import annotations

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
_COMMON = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# The interactive API docs load Swagger UI / ReDoc from a CDN; they keep FastAPI's page and a looser policy.
_DOCS = ("/docs", "/redoc")


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "").startswith(_DOCS)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _COMMON if k not in present and not (docs and k == b"content-security-policy")]
                if https:
                    extra.append(_HSTS)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
