"""Unit of work: one transaction, the repositories that share it, commit or nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from xiaobao.store.audit import AuditRepository
from xiaobao.store.auth import LoginAttemptRepository, TokenRepository, UserRepository
from xiaobao.store.blackgray.repository import BlackgrayRepository
from xiaobao.store.classify.repository import ClassifyRepository
from xiaobao.store.collection.repository import CollectionRepository
from xiaobao.store.complaints.repository import ComplaintRepository, ImportRunRepository
from xiaobao.store.complaints.tables import map_domain
from xiaobao.store.dashboards.repository import DashboardRepository
from xiaobao.store.db import make_engine
from xiaobao.store.marketing.repository import MarketingRepository
from xiaobao.store.privacy.repository import ComplaintTextRepository, PiiAccessRepository


class Store:
    """An engine and its session factory; `uow()` opens one transaction."""

    def __init__(self, url: str, **engine_kw):
        map_domain()
        self.url = url
        self.engine: Engine = make_engine(url, **engine_kw)
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        # Writers queue on a lock in this process. Every write transaction ends by appending to the
        # audit chain, so writes are serial in the database anyway (SQLite's one writer; the chain
        # head row on PostgreSQL); waiting here instead of in SQLite's busy handler (which sleeps in
        # steps up to 100 ms) or on a row lock (while other threads hold the GIL) keeps the tail short.
        self._write_lock = threading.RLock()
        # Set by the Context from the key file: the audit chain's digests are keyed with it.
        self.audit_key: bytes | None = None

    def uow(self, write: bool = True) -> "UnitOfWork":
        return UnitOfWork(self.factory, write, self._write_lock if write else None, self.audit_key)

    def refresh_statistics(self) -> None:
        """After a bulk load: SQLite never gathers planner statistics by itself, PostgreSQL's
        autovacuum gets there eventually; both plan better with them at once."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA optimize" if self.engine.dialect.name == "sqlite" else "ANALYZE complaints")
            conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository on the unit of work's session, built the first time it is asked for and then kept in
    the instance (a non-data descriptor: the instance attribute shadows it from then on). Most units of
    work touch two or three of the repositories; intake opens one per complaint or group commit."""

    def __init__(self, make: Callable[[Session], R]):
        self.make = make

    def __set_name__(self, owner, name: str):
        self.name = name

    def __get__(self, uow, owner=None) -> R:
        if uow is None:
            return self  # type: ignore[return-value]  # the descriptor itself, on the class
        repo = uow.__dict__[self.name] = self.make(uow.session)
        return repo


class UnitOfWork:
    """One transaction: commit() ends it; a further change needs a new unit of work."""

    complaints = _Repository(ComplaintRepository)
    users = _Repository(UserRepository)
    tokens = _Repository(TokenRepository)
    logins = _Repository(LoginAttemptRepository)
    imports = _Repository(ImportRunRepository)
    blackgray = _Repository(BlackgrayRepository)
    classify = _Repository(ClassifyRepository)
    collection = _Repository(CollectionRepository)
    marketing = _Repository(MarketingRepository)
    dashboards = _Repository(DashboardRepository)
    privacy = _Repository(PiiAccessRepository)
    complaint_texts = _Repository(ComplaintTextRepository)

    def __init__(self, factory: sessionmaker, write: bool = True, lock: threading.RLock | None = None,
                 audit_key: bytes | None = None):
        self._factory = factory
        self._write = write
        self._lock = lock
        self._audit_key = audit_key

    def __enter__(self) -> "UnitOfWork":
        if self._lock is not None:
            self._lock.acquire()
        self.session: Session = self._factory()
        # Writers announce themselves so SQLite takes its write lock up front (see store.db). Readers
        # on PostgreSQL run without BEGIN/ROLLBACK: under READ COMMITTED every statement takes its own
        # snapshot anyway, so the transaction bought nothing but two round trips.
        options = {"write": self._write}
        if not self._write and self.session.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        self.session.connection(execution_options=options)
        # Every write ends with an audit entry, and the repository needs the chain key: built at once.
        self.audit = AuditRepository(self.session, self._audit_key)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None:
                self.session.rollback()
        finally:
            self.session.close()
            if self._lock is not None:
                self._lock.release()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
