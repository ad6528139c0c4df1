"""One app over one database for the attack suite: schemathesis and the role matrix call it many times."""

from __future__ import annotations

import pytest

from tests.conftest import FrozenClock, record
from datetime import datetime
from xiaobao.config import Settings
from xiaobao.engines.privacy.vault import Vault
from xiaobao.rules import load
from xiaobao.services.context import Context
from xiaobao.store.migrate import upgrade
from xiaobao.store.uow import Store

PASSWORD = "correct-horse-1"
ROLES = ("agent", "expert", "care", "supervisor", "compliance", "auditor", "admin")  # marketing: test_role_matrix


@pytest.fixture(scope="module")
def security_ctx(tmp_path_factory):
    from xiaobao.services.auth import create_user
    from xiaobao.services.complaints.intake import storing

    tmp = tmp_path_factory.mktemp("security")
    url = f"sqlite:///{tmp / 'x.db'}"
    upgrade(url)
    settings = Settings(database_url=url, keyfile=str(tmp / "keys.json"), argon2="1,1024,1")
    store = Store(url)
    ctx = Context(store=store, rules=load(), vault=Vault.generate(), settings=settings,
                  now=FrozenClock(datetime(2026, 11, 20, 10, 0, 0)))
    teams = {"agent": "frontline", "expert": "expert", "care": "care", "supervisor": "escalation"}
    for i, role in enumerate(ROLES):
        create_user(ctx, username=role, password=PASSWORD, role=role, team=teams.get(role), staff_id=f"S{i:03d}")
    for n in range(1, 6):
        storing.submit(ctx, record(n), actor="admin")
    yield ctx
    store.dispose()


@pytest.fixture(scope="module")
def security_app(security_ctx):
    from xiaobao.api.app import create_app

    return create_app(security_ctx)


@pytest.fixture(scope="module")
def token_of(security_app):
    from fastapi.testclient import TestClient

    client = TestClient(security_app)
    cache: dict[str, str] = {}

    def token(username: str, fresh: bool = False) -> str:
        if fresh or username not in cache:
            r = client.post("/auth/login", json={"username": username, "password": PASSWORD})
            if fresh:
                return r.json()["token"]
            cache[username] = r.json()["token"]
        return cache[username]
    return token
