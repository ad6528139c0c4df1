"""Every operation × every role, generated from the routes themselves: a role without the operation's
permission (rules/roles.yaml) gets 403 naming it; a role with it is never refused for its role."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from xiaobao.api import routers
from xiaobao.rules import load

ROLES = ("agent", "expert", "care", "supervisor", "compliance", "auditor", "admin", "marketing")


def _permission(route: APIRoute) -> str | None:
    """The permission its `requires(...)` dependency checks, read from the dependency's closure."""
    for dep in route.dependant.dependencies:
        for cell in getattr(dep.call, "__closure__", None) or ():
            if isinstance(cell.cell_contents, str) and "." in cell.cell_contents:
                return cell.cell_contents
        found = _sub(dep)
        if found:
            return found
    return None


def _sub(dep) -> str | None:
    for d in dep.dependencies:
        for cell in getattr(d.call, "__closure__", None) or ():
            if isinstance(cell.cell_contents, str) and "." in cell.cell_contents:
                return cell.cell_contents
    return None


def _operations():
    out = []
    for info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"{routers.__name__}.{info.name}")
        for route in module.router.routes:
            if isinstance(route, APIRoute):
                for method in route.methods:
                    out.append((method, route.path, _permission(route)))
    return sorted(out)


# Checked inside the service on purpose: a refused unmask is itself written to the access log.
CHECKED_IN_SERVICE = {("POST", "/privacy/unmask"): "pii.unmask"}
# Bodies that pass validation where the permission is checked only after it.
BODIES = {("POST", "/privacy/unmask"): lambda ctx: {
    "token": f"<enc:CN_MOBILE:{ctx.vault.encrypt('13912345678', 'pii.CN_MOBILE')}>", "purpose": "核实投诉人身份"}}
OPERATIONS = [(m, p, perm or CHECKED_IN_SERVICE.get((m, p))) for m, p, perm in _operations()]
PERMISSIONS = load().permissions


def test_every_operation_needs_a_permission_but_logging_in_and_out_and_reference_data():
    open_ops = [(m, p) for m, p, perm in OPERATIONS if perm is None]
    assert open_ops == [("GET", "/auth/me"), ("GET", "/meta"), ("POST", "/auth/login"), ("POST", "/auth/logout")]


@pytest.fixture(scope="module")
def tokens(security_app, security_ctx):
    from xiaobao.services.auth import create_user

    create_user(security_ctx, username="marketing", password="correct-horse-1", role="marketing")
    client = TestClient(security_app)
    return {r: client.post("/auth/login", json={"username": r, "password": "correct-horse-1"}).json()["token"]
            for r in ROLES}


@pytest.mark.parametrize(("method", "path", "permission"), [o for o in OPERATIONS if o[2]],
                         ids=[f"{m} {p}" for m, p, perm in OPERATIONS if perm])
def test_roles_are_refused_exactly_when_they_lack_the_permission(security_app, security_ctx, tokens, method, path,
                                                                 permission):
    client = TestClient(security_app)
    body = BODIES[(method, path)](security_ctx) if (method, path) in BODIES else {}
    url = re.sub(r"\{[^}]+\}", "1", path)
    for role in ROLES:
        r = client.request(method, url, headers={"Authorization": f"Bearer {tokens[role]}"},
                           json=body if method in ("POST", "PUT", "PATCH") else None)
        refused_for_role = r.status_code == 403 and r.json().get("details", {}).get("permission") == permission
        assert refused_for_role == (not PERMISSIONS.allows(role, permission)), (role, r.status_code, r.text[:200])
        assert r.status_code < 500, (role, r.status_code, r.text[:300])
