"""Browser-facing headers on every response, and values the database or calendar cannot hold refused as 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(security_app):
    return TestClient(security_app)


@pytest.fixture(scope="module")
def admin(token_of):
    return {"Authorization": f"Bearer {token_of('admin')}"}


@pytest.mark.parametrize("path", ["/health", "/ui/login", "/complaints", "/ui/static/app.js", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, admin, path):
    r = client.get(path, headers=admin)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in r.headers  # plain http: HSTS would be ignored, or lock a laptop out


def test_hsts_is_sent_over_https(security_app):
    r = TestClient(security_app, base_url="https://testserver").get("/health")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_console_pages_have_no_inline_script(client, admin, token_of):
    from xiaobao.web.session import COOKIE

    client.cookies.set(COOKIE, token_of("admin"))
    page = client.get("/ui/workbench").text
    client.cookies.clear()
    assert "onclick=" not in page and "<script>" not in page  # only src= scripts and JSON data blocks


@pytest.mark.parametrize(("path", "field"), [
    ("/complaints?offset=9223372036854775808", "offset"),
    ("/complaints/9223372036854775808", "cid"),
    ("/complaints/0", "cid"),
    ("/dashboards/points?from=0001-01-01", "from"),
    ("/dashboards?from=9999-12-31", "from"),
    ("/collection/scorecards?from=0001-01-01", "from"),
    ("/reports/annual?year=99999", "year"),
])
def test_out_of_range_values_are_refused_naming_the_field(client, admin, path, field):
    r = client.get(path, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_value" and field in r.json()["message"]


def test_a_boolean_field_takes_only_true_or_false(client, admin):
    r = client.post("/blackgray/calibrate", json={"apply": 0}, headers=admin)
    assert r.status_code == 422 and "apply" in r.json()["message"]
    assert client.post("/blackgray/calibrate", json={"apply": False}, headers=admin).status_code == 200


def test_every_operation_declares_the_errors_it_can_return(security_app):
    for path, ops in security_app.openapi()["paths"].items():
        for method, op in ops.items():
            assert {"401", "403", "404", "409", "422"} <= set(op["responses"]), f"{method.upper()} {path}"
