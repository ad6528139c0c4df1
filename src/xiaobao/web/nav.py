"""Role-aware navigation: an item shows only to roles holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

from xiaobao.services.actors import Actor
from xiaobao.services.context import Context


@dataclass(frozen=True)
class NavItem:
    key: str          # i18n key of the label, e.g. "nav.workbench"
    href: str
    permission: str   # rules/roles.yaml permission needed to see it
    order: int = 50


_ITEMS: dict[str, NavItem] = {}


def register(items) -> None:
    for item in items:
        _ITEMS[item.href] = item


def for_actor(ctx: Context, actor: Actor) -> list[NavItem]:
    allowed = ctx.rules.permissions.allows
    return [i for i in sorted(_ITEMS.values(), key=lambda i: (i.order, i.href)) if allowed(actor.role, i.permission)]
