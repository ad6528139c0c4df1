"""Users, passwords (Argon2id) and bearer tokens (random, stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.login_throttle import ThrottlePolicy, after_failure, remaining_lock
from xiaobao.domain.roles import Role
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import AuthFailed, Conflict, TooManyAttempts
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
    from xiaobao.services.privacy.gateway import mask_for_display

    if mask_for_display(username) != username:  # it would sit in clear in every audit entry the user makes
        raise InvalidValue("username", "用户名不能是手机号、证件号等个人信息，请使用工号或拼音")
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


@lru_cache(maxsize=8)
def _dummy_hash(argon2: str) -> str:
    """A hash of nothing anyone knows, at the configured cost: an unknown username costs the same Argon2 run as
    a known one, so the response time does not tell which usernames exist."""
    t, m, p = (int(x) for x in argon2.split(","))
    return PasswordHasher(time_cost=t, memory_cost=m, parallelism=p).hash(secrets.token_urlsafe(24))


def _policies(ctx: Context) -> tuple[ThrottlePolicy, ThrottlePolicy]:
    st = ctx.settings
    shared = {"window": timedelta(minutes=st.login_window_minutes), "first_lock": timedelta(minutes=st.login_lock_minutes),
              "max_lock": timedelta(minutes=st.login_lock_max_minutes)}
    return (ThrottlePolicy(max_failures=st.login_max_failures, **shared),
            ThrottlePolicy(max_failures=st.login_address_max_failures, **shared))


def _throttle_keys(ctx: Context, username: str, address: str | None) -> list[tuple[str, ThrottlePolicy]]:
    account, per_address = _policies(ctx)
    keys = [("account:" + ctx.vault.blind_index("login-account:" + username.lower())[:64], account)]
    if address:
        keys.append(("address:" + ctx.vault.blind_index("login-address:" + address)[:64], per_address))
    return keys


def _shown_username(username: str) -> str:
    """What the audit keeps of a username nobody has: masked like any personal value, or its first character."""
    from xiaobao.services.privacy.gateway import mask_for_display

    masked = mask_for_display(username)
    if masked != username:
        return masked[:64]
    return (username[:1] + "***") if username else ""


def _refuse_if_locked(uow, keys, now: datetime) -> None:
    waits = [w for key, _ in keys if (w := remaining_lock(uow.logins.get(key), now)) is not None]
    if waits:
        seconds = math.ceil(max(waits).total_seconds())
        raise TooManyAttempts(f"登录失败次数过多，请 {math.ceil(seconds / 60)} 分钟后再试", retry_after_s=seconds)


def login(ctx: Context, username: str, password: str, *, address: str | None = None) -> tuple[str, Actor]:
    """Check a password; failures are counted per account and per client address (both as keyed digests) and
    past the limit the key is locked with back-off, the right password refused too until the lock ends."""
    now = ctx.now()
    keys = _throttle_keys(ctx, username, address)
    with ctx.store.uow(write=False) as uow:
        _refuse_if_locked(uow, keys, now)
        user = uow.users.get(username)
    known = bool(user is not None and user["active"])
    # Verified outside the write transaction: Argon2 takes most of a second at production cost.
    stored = user["password_hash"] if user is not None and known else _dummy_hash(ctx.settings.argon2)
    ok: bool
    try:
        ok = bool(_hasher(ctx).verify(stored, password))
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and known
    with ctx.store.uow() as uow:
        if not ok:
            for key, policy in keys:
                uow.logins.put(key, after_failure(uow.logins.get(key, for_update=True), now, policy))
            entity = ("user", username) if user is not None else ("login", keys[0][0].split(":", 1)[1][:16])
            uow.audit.append(now, "anonymous", "auth.login_failed", entity[0], entity[1],
                             {"username": _shown_username(username) if user is None else username,
                              "address_key": keys[1][0].split(":", 1)[1][:16] if len(keys) > 1 else None})
            uow.commit()
            raise AuthFailed("用户名或密码错误")
        uow.logins.clear(keys[0][0])
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
