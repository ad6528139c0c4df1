"""Who is acting: the authenticated user as services see it."""

from __future__ import annotations

from dataclasses import dataclass

from xiaobao.domain.roles import Role


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    staff_id: str | None = None
    team: str | None = None
    display_name: str = ""


SYSTEM = Actor("system", Role.ADMIN, display_name="系统")
