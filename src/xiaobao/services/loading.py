"""Loading what a use case acts on, or refusing with NotFound."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from xiaobao.services.errors import NotFound

T = TypeVar("T")


def load_or_404(getter: Callable[[], T | None], what_zh: str, what_en: str, *, missing_zh: str = "不存在",
                **ids: Any) -> T:
    """`getter()`, or NotFound "<what_zh> <missing_zh>" (e.g. "营销物料 #3 不存在") with `ids` as its details.

    `what_en` documents the call site in English; API responses carry the gloss of the error code
    ("Not found"), as for every other error."""
    found = getter()
    if found is None:
        raise NotFound(f"{what_zh} {missing_zh}", **ids)
    return found
