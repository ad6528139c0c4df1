"""Audit-chain verification."""

from __future__ import annotations

from ..domain.audit import ChainProblem
from .context import Context


def verify(ctx: Context) -> tuple[list[ChainProblem], tuple[int, str] | None]:
    with ctx.store.uow(write=False) as uow:
        return uow.audit.verify(), uow.audit.head()
