"""The HTTP API: auth, role checks, masking, idempotent intake, errors that say what is wrong."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from xiaobao.api.app import create_app
from xiaobao import logs
from tests.conftest import PASSWORD, record


@pytest.fixture
def client(ctx, users):
    with TestClient(create_app(ctx)) as c:
        yield c


def login(client, username):
    r = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/complaints" in paths and "/complaints/{cid}/extend" in paths


def test_requests_without_a_valid_token_are_refused(client):
    assert client.get("/complaints").status_code == 401
    r = client.get("/complaints", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["error"] == "auth_failed"
    bad = client.post("/auth/login", json={"username": "agent", "password": "wrong-password"})
    assert bad.status_code == 401


def test_logout_revokes_the_token(client):
    h = login(client, "agent")
    assert client.post("/auth/logout", headers=h).status_code == 200
    assert client.get("/auth/me", headers=h).status_code == 401


def test_create_is_idempotent_201_then_200_and_returns_masked_personal_data(client):
    h = login(client, "agent")
    r1 = client.post("/complaints", json=record(1), headers=h)
    r2 = client.post("/complaints", json=record(1), headers=h)
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json()["id"] == r2.json()["id"] and r2.json()["created"] is False
    body = r1.json()
    assert body["customer"] == {"name": "王**", "phone": "139****0001", "id_number": "110***********002X"}
    assert body["pii_masked"] is True and "13900000001" not in r1.text


def test_invalid_intake_names_the_field_and_the_reason(client):
    h = login(client, "agent")
    r = client.post("/complaints", json=record(1, customer_id_number="110105194912310021", text=" "), headers=h)
    assert r.status_code == 422
    errors = {e["field"]: e["reason"] for e in r.json()["details"]["errors"]}
    assert "校验位" in errors["customer_id_number"] and "text" in errors


@pytest.mark.parametrize("role,allowed", [("agent", False), ("auditor", False), ("supervisor", True),
                                          ("compliance", True), ("admin", False)])
def test_only_permitted_roles_see_clear_personal_data_and_each_reveal_is_audited(client, role, allowed):
    cid = client.post("/complaints", json=record(1), headers=login(client, "agent")).json()["id"]
    h = login(client, role)
    r = client.get(f"/complaints/{cid}", params={"reveal": "true"}, headers=h)
    if not allowed:
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
        return
    assert r.status_code == 200 and r.json()["customer"]["phone"] == "13900000001"
    entries = client.get("/audit/entries", params={"entity_type": "complaint", "entity_id": cid},
                         headers=login(client, "auditor")).json()
    assert entries[-1]["action"] == "pii.view" and entries[-1]["actor"] == role


@pytest.mark.parametrize("role,method,path,body", [
    ("auditor", "post", "/complaints", record(9)),
    ("auditor", "post", "/complaints/{cid}/accept", {}),
    ("agent", "post", "/complaints/{cid}/assign", {"assignee": "expert"}),
    ("agent", "post", "/complaints/{cid}/review-decision", {"outcome": "changed", "reasons": "x"}),
    ("agent", "get", "/audit/verify", None),
    ("agent", "post", "/users", {"username": "x", "password": "12345678", "role": "agent"}),
    ("compliance", "post", "/jobs/escalate", None),
    ("auditor", "get", "/users", None),
])
def test_role_denials(client, role, method, path, body):
    cid = client.post("/complaints", json=record(1), headers=login(client, "agent")).json()["id"]
    r = getattr(client, method)(path.format(cid=cid), headers=login(client, role),
                                **({"json": body} if body is not None else {}))
    assert r.status_code == 403, r.text
    assert role in r.json()["message"]


def test_handling_through_the_api_and_illegal_transition_is_409(client):
    h = login(client, "agent")
    cid = client.post("/complaints", json=record(1, category="other"), headers=h).json()["id"]  # L1: agent's queue
    r = client.post(f"/complaints/{cid}/close", headers=h)
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    assert client.post(f"/complaints/{cid}/accept", json={"note": "已电话联系"}, headers=h).json()["status"] == "accepted"
    assert client.post(f"/complaints/{cid}/pause", json={"reason": "lunch", "notice_proof": "X"},
                       headers=h).status_code == 422
    no_proof = client.post(f"/complaints/{cid}/pause", json={"reason": "mediation", "notice_proof": ""}, headers=h)
    assert no_proof.status_code == 422 and no_proof.json()["details"]["field"] == "notice_proof"
    r = client.post(f"/complaints/{cid}/pause", json={"reason": "mediation", "notice_proof": "CONSENT-1"}, headers=h)
    assert r.json()["clock"]["paused"] is True and r.json()["clock"]["due_date"] is None
    assert client.get("/complaints", params={"paused": "true"}, headers=h).json()["total"] == 1
    sup = login(client, "supervisor")
    assert client.post(f"/complaints/{cid}/assign", json={"assignee": "expert"}, headers=sup).json()["assignee"] == "expert"
    timeline = client.get(f"/complaints/{cid}/timeline", headers=h).json()
    assert [t["action"] for t in timeline] == ["complaint.create", "status.accepted", "clock.pause", "assign"]


def test_audit_verify_endpoint_reports_an_intact_chain(client):
    client.post("/complaints", json=record(1), headers=login(client, "agent"))
    r = client.get("/audit/verify", headers=login(client, "auditor")).json()
    assert r["ok"] is True and r["head"]["seq"] >= 2


def test_personal_data_never_reaches_the_logs(ctx, users, tmp_path):
    log_file = tmp_path / "xiaobao.log"
    logs.install(level=logging.DEBUG, log_file=str(log_file))
    try:
        with TestClient(create_app(ctx)) as client:
            h = login(client, "agent")
            raw = record(1, customer_phone="13712345678", customer_id_number="11010519491231002X",
                         customer_name="赵敏")
            client.post("/complaints", json=raw, headers=h)
            client.post("/complaints", json=record(2, customer_id_number="110105194912310021"), headers=h)
            # A careless caller puts personal data in a URL: the log must still not carry it.
            client.get("/complaints", params={"team": "13712345678", "assignee": "11010519491231002X"}, headers=h)
            logging.getLogger("xiaobao.test").info("customer called from 13712345678 id 11010519491231002X")
    finally:
        root = logging.getLogger()
        for hd in [hd for hd in root.handlers if getattr(hd, "baseFilename", None) == str(log_file)]:
            hd.close()
            root.removeHandler(hd)
    written = log_file.read_text(encoding="utf-8")
    assert "customer called from 137****5678 id 110***********002X" in written
    for secret in ("13712345678", "11010519491231002X", "110105194912310021", "赵敏"):
        assert secret not in written


def test_a_malformed_body_gets_the_same_error_shape(client):
    h = login(client, "agent")
    body = record(1)
    del body["text"]
    r = client.post("/complaints", json=body, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "invalid_value"
    assert r.json()["details"]["errors"][0]["field"] == "text"
