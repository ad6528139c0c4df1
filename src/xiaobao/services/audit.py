"""Audit-chain verification."""

from __future__ import annotations

from xiaobao.domain.audit import ChainProblem
from xiaobao.services.context import Context


def verify(ctx: Context) -> tuple[list[ChainProblem], tuple[int, str] | None]:
    with ctx.store.uow(write=False) as uow:
        return uow.audit.verify(), uow.audit.head()
