"""ASGI middleware applying a named privacy policy to JSON bodies on chosen path prefixes.

Responses (and, if asked, requests) with a JSON content type are buffered, anonymised by the policy
(fields by name, free text scanned) and re-emitted with a corrected Content-Length; anything else
streams through untouched. Mount it in front of routes whose output leaves the institution:

    app.add_middleware(PolicyMiddleware, policy="export", prefixes=("/partner/",))
"""

from __future__ import annotations

import orjson

from ..engines.privacy.operators import Operators
from ..engines.privacy.policy import Anonymizer, get_policy


class PolicyMiddleware:
    def __init__(self, app, policy: str = "display", prefixes: tuple[str, ...] = ("/",), requests: bool = False,
                 vault=None, rules_dir: str | None = None):
        self.app = app
        self.policy = get_policy(policy, rules_dir)  # fail at start-up on an unknown policy name
        self.prefixes = tuple(prefixes)
        self.requests = requests
        self.vault = vault

    def _anonymizer(self, scope) -> Anonymizer:
        vault = self.vault
        if vault is None and "app" in scope:
            ctx = getattr(scope["app"].state, "ctx", None)
            vault = getattr(ctx, "vault", None)
        return Anonymizer(Operators(vault))

    def _rewrite(self, anon: Anonymizer, body: bytes) -> bytes | None:
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return orjson.dumps(anon.document(doc, self.policy).value)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            return await self.app(scope, receive, send)
        anon = self._anonymizer(scope)
        if self.requests and _is_json(scope.get("headers", [])):
            receive = await self._rewritten_request(anon, receive)
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
                new = self._rewrite(anon, body) if body else None
                body = body if new is None else new
                msg = start["message"]
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**msg, "headers": headers})
                return await send({"type": "http.response.body", "body": body})
            return await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _rewritten_request(self, anon: Anonymizer, receive):
        parts = []
        while True:
            message = await receive()
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(parts)
        new = self._rewrite(anon, body) if body else None
        sent = {"done": False}

        async def replay():
            if not sent["done"]:
                sent["done"] = True
                return {"type": "http.request", "body": body if new is None else new, "more_body": False}
            return await receive()
        return replay


def _is_json(headers) -> bool:
    for k, v in headers:
        if k.lower() == b"content-type":
            return b"json" in v.lower()
    return False
