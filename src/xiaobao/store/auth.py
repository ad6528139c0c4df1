"""Users and their bearer tokens (stored only as hashes): tables and repositories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, String, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

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
