"""Users, their bearer tokens (stored only as hashes) and login throttling: tables and repositories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from xiaobao.domain.login_throttle import Attempts
from xiaobao.store.base import BigId, metadata

users = Table(
    "users", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("team", String(60)),
    Column("staff_id", String(64)),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

# Failed logins per key: "account:<keyed digest of the username>" or "address:<keyed digest of the client
# address>" — never the typed username itself (a mistyped password or a phone number often lands there).
login_attempts = Table(
    "login_attempts", metadata,
    Column("key", String(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
    Column("locked_until", DateTime),
    Column("locks", Integer, nullable=False, default=0),
)

_ACTIVE_USER = (select(users).join(api_tokens, api_tokens.c.username == users.c.username)
                .where(api_tokens.c.token_hash == bindparam("token_hash"), api_tokens.c.revoked.is_(False),
                       api_tokens.c.expires_at > bindparam("now"), users.c.active.is_(True)))


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, username: str) -> dict[str, Any] | None:
        row = self.session.execute(select(users).where(users.c.username == username)).mappings().first()
        return dict(row) if row else None

    def add(self, **values) -> None:
        self.session.execute(insert(users).values(**values))

    def update(self, username: str, **values) -> None:
        self.session.execute(update(users).where(users.c.username == username).values(**values))

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.session.execute(select(users).order_by(users.c.username)).mappings()]


class TokenRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, token_hash: str, username: str, created_at: datetime, expires_at: datetime) -> None:
        self.session.execute(insert(api_tokens).values(token_hash=token_hash, username=username,
                                                       created_at=created_at, expires_at=expires_at, revoked=False))

    def get(self, token_hash: str) -> dict[str, Any] | None:
        row = self.session.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).mappings().first()
        return dict(row) if row else None

    def active_user(self, token_hash: str, now: datetime) -> dict[str, Any] | None:
        """The active user behind an unrevoked, unexpired token: one indexed join per request."""
        row = self.session.execute(_ACTIVE_USER, {"token_hash": token_hash, "now": now}).mappings().first()
        return dict(row) if row else None

    def revoke(self, token_hash: str) -> None:
        self.session.execute(update(api_tokens).where(api_tokens.c.token_hash == token_hash).values(revoked=True))


class LoginAttemptRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, key: str, *, for_update: bool = False) -> Attempts | None:
        q = select(login_attempts).where(login_attempts.c.key == key)
        row = self.session.execute(q.with_for_update() if for_update else q).mappings().first()
        return Attempts(row["failures"], row["window_start"], row["locked_until"], row["locks"]) if row else None

    def put(self, key: str, a: Attempts) -> None:
        values = {"failures": a.failures, "window_start": a.window_start, "locked_until": a.locked_until,
                  "locks": a.locks}
        if self.get(key) is not None:
            self.session.execute(update(login_attempts).where(login_attempts.c.key == key).values(**values))
        else:
            self.session.execute(insert(login_attempts).values(key=key, **values))

    def clear(self, key: str) -> None:
        self.session.execute(delete(login_attempts).where(login_attempts.c.key == key))
