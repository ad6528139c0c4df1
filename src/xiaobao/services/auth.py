"""Users, passwords (Argon2id) and bearer tokens (random, stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.roles import Role
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import AuthFailed, Conflict
from xiaobao.store.errors import ConstraintViolation

MIN_PASSWORD = 8


def _hasher(ctx: Context) -> PasswordHasher:
    t, m, p = (int(x) for x in ctx.settings.argon2.split(","))
    return PasswordHasher(time_cost=t, memory_cost=m, parallelism=p)
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(ctx: Context, *, username: str, password: str, role: str, display_name: str = "",
                team: str | None = None, staff_id: str | None = None, by: str = "system") -> None:
    try:
        role = Role(role)
    except ValueError:
        raise InvalidValue("role", f"角色须为 {', '.join(r.value for r in Role)} 之一") from None
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidValue("username", "用户名只能包含字母、数字、点、下划线和连字符")
    if len(password) < MIN_PASSWORD:
        raise InvalidValue("password", f"密码至少{MIN_PASSWORD}位")
    now = ctx.now()
    with ctx.store.uow() as uow:
        if uow.users.get(username):
            raise Conflict(f"用户 {username} 已存在")
        try:
            uow.users.add(username=username, display_name=display_name or username, role=str(role), team=team,
                          staff_id=staff_id, password_hash=_hasher(ctx).hash(password), active=True, created_at=now)
        except ConstraintViolation:
            raise Conflict(f"用户 {username} 已存在") from None
        uow.audit.append(now, by, "user.create", "user", username,
                         {"after": {"role": str(role), "team": team, "staff_id": staff_id}})
        uow.commit()


def login(ctx: Context, username: str, password: str) -> tuple[str, Actor]:
    now = ctx.now()
    with ctx.store.uow() as uow:
        user = uow.users.get(username)
        ok = False
        if user is not None and user["active"]:
            try:
                ok = _hasher(ctx).verify(user["password_hash"], password)
            except (VerificationError, InvalidHashError):
                ok = False
        if not ok:
            uow.audit.append(now, username[:64] or "?", "auth.login_failed", "user", username[:64] or "?", {})
            uow.commit()
            raise AuthFailed("用户名或密码错误")
        token = secrets.token_urlsafe(32)
        uow.tokens.add(_token_hash(token), username, now, now + timedelta(hours=ctx.settings.token_ttl_hours))
        uow.audit.append(now, username, "auth.login", "user", username, {})
        uow.commit()
    return token, _actor(user)


def _actor(user: dict) -> Actor:
    return Actor(user["username"], Role(user["role"]), user["staff_id"], user["team"], user["display_name"])


def resolve(ctx: Context, token: str) -> Actor:
    now = ctx.now()
    with ctx.store.uow(write=False) as uow:
        user = uow.tokens.active_user(_token_hash(token), now)
    if user is None:
        raise AuthFailed("令牌无效、已过期或用户已停用，请重新登录")
    return _actor(user)


def logout(ctx: Context, token: str) -> None:
    with ctx.store.uow() as uow:
        uow.tokens.revoke(_token_hash(token))
        uow.commit()
