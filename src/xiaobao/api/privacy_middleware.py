"""ASGI middleware applying a named privacy policy to JSON bodies on chosen path prefixes.

Responses (and, if asked, requests) with a JSON content type are buffered, anonymised by the policy
(fields by name, free text scanned) and re-emitted with a corrected Content-Length; anything else
streams through untouched. Mount it in front of routes whose output leaves the institution:

    app.add_middleware(PolicyMiddleware, policy="export", prefixes=("/partner/",))
    app.add_middleware(PolicyMiddleware, routes=[("/partner/", "export"), ("/research/", "analytics")])

With `routes`, the longest matching prefix names the policy. The running application mounts it from
configuration: `XIAOBAO_PRIVACY_GATEWAY="/partner/=export,/research/=analytics"` (see `config.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson

from xiaobao.services.privacy import gateway

if TYPE_CHECKING:
    from xiaobao.services.privacy.gateway import Anonymizer, Policy


class PolicyMiddleware:
    def __init__(self, app, policy: str = "display", prefixes: tuple[str, ...] = ("/",), requests: bool = False,
                 vault=None, rules_dir: str | None = None, routes: Sequence[tuple[str, str]] | None = None):
        self.app = app
        pairs = list(routes) if routes is not None else [(p, policy) for p in prefixes]
        # Longest prefix first; unknown policy names fail at start-up, not on the first request.
        self.routes = sorted(((p, gateway.configured_policy(name, rules_dir)) for p, name in pairs),
                             key=lambda r: -len(r[0]))
        self.prefixes = tuple(p for p, _ in self.routes)
        self.requests = requests
        self.vault = vault
        self.rules_dir = rules_dir  # masks and recognizers from the same rules as the policies

    def policy_for(self, path: str) -> Policy | None:
        for prefix, policy in self.routes:
            if path.startswith(prefix):
                return policy
        return None

    def _anonymizer(self, scope) -> Anonymizer:
        vault = self.vault
        if vault is None and "app" in scope:
            ctx = getattr(scope["app"].state, "ctx", None)
            vault = getattr(ctx, "vault", None)
        return gateway.anonymizer(vault, self.rules_dir)

    def _rewrite(self, anon: Anonymizer, body: bytes, policy: Policy) -> bytes | None:
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return orjson.dumps(anon.document(doc, policy).value)

    async def __call__(self, scope, receive, send):
        policy = self.policy_for(scope["path"]) if scope["type"] == "http" else None
        if policy is None:
            return await self.app(scope, receive, send)
        anon = self._anonymizer(scope)
        if self.requests and _is_json(scope.get("headers", [])):
            receive = await self._rewritten_request(anon, receive, policy)
        start: dict = {}
        chunks: list[bytes] = []

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                if not _is_json(message.get("headers", [])):
                    start["passthrough"] = True
                    return await send(message)
                start["message"] = message
                return None
            if message["type"] == "http.response.body" and not start.get("passthrough"):
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return None
                body = b"".join(chunks)
                new = self._rewrite(anon, body, policy) if body else None
                body = body if new is None else new
                msg = start["message"]
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**msg, "headers": headers})
                return await send({"type": "http.response.body", "body": body})
            return await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _rewritten_request(self, anon: Anonymizer, receive, policy: Policy):
        parts = []
        while True:
            message = await receive()
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(parts)
        new = self._rewrite(anon, body, policy) if body else None
        sent = {"done": False}

        async def replay():
            if not sent["done"]:
                sent["done"] = True
                return {"type": "http.request", "body": body if new is None else new, "more_body": False}
            return await receive()
        return replay


def mount(app, ctx) -> None:
    """Put the gateway in front of the prefixes `ctx.settings.privacy_gateway` names (none: nothing
    mounted). Policy names are checked now, so a typo stops the start-up rather than a request."""
    routes = ctx.settings.privacy_gateway
    if routes:
        for _prefix, name in routes:
            gateway.configured_policy(name, ctx.settings.rules_dir)
        app.add_middleware(PolicyMiddleware, routes=routes, vault=ctx.vault, rules_dir=ctx.settings.rules_dir)


def _is_json(headers) -> bool:
    for k, v in headers:
        if k.lower() == b"content-type":
            return b"json" in v.lower()
    return False
