"""The whole schema: importing this registers every area's tables on the shared metadata (for Alembic,
the unit of work and tests that truncate every table)."""

from __future__ import annotations

from xiaobao.store import audit, auth  # noqa: F401
from xiaobao.store.base import metadata
from xiaobao.store.blackgray import tables as blackgray_tables  # noqa: F401
from xiaobao.store.classify import tables as classify_tables  # noqa: F401
from xiaobao.store.collection import tables as collection_tables  # noqa: F401
from xiaobao.store.complaints import tables as complaint_tables  # noqa: F401
from xiaobao.store.marketing import tables as marketing_tables  # noqa: F401
from xiaobao.store.privacy import tables as privacy_tables  # noqa: F401

__all__ = ["metadata"]
