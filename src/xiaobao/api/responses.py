"""JSON responses rendered by orjson straight from service dicts.

FastAPI would otherwise walk every returned dict through `jsonable_encoder` and the stdlib encoder;
for a complaint (nested dicts, dates) that was a measurable share of a create request's CPU.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response


def _default(o: Any):
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


class FastJSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default, option=orjson.OPT_NON_STR_KEYS)


def ok(content: Any, status_code: int = 200) -> FastJSON:
    return FastJSON(content, status_code=status_code)
