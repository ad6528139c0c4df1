"""Acting on a complaint needs the role *and* the case: its handler, its team while nobody holds it, or a
supervisor stepping in (recorded as an override). Reading never writes, whatever the role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from xiaobao.api.app import create_app
from xiaobao.domain.ownership import may_act
from xiaobao.services.complaints import handling, views
from xiaobao.services.complaints.intake import storing
from xiaobao.services.blackgray import leads
from xiaobao.store.audit import audit_log

from tests.conftest import PASSWORD, record
from tests.support.blackgray import gang


def _login(client, user):
    return {"Authorization": "Bearer " + client.post("/auth/login", json={"username": user, "password": PASSWORD}).json()["token"]}


@pytest.mark.parametrize(("assignee", "team", "user", "user_team", "override", "allowed", "recorded"), [
    ("li", "escalation", "li", "frontline", False, True, False),       # the handler, wherever they sit
    (None, "frontline", "wang", "frontline", False, True, False),      # the team picks up its own queue
    (None, "escalation", "wang", "frontline", False, False, False),    # another team's queue
    ("li", "frontline", "wang", "frontline", False, False, False),     # held by a colleague
    ("li", "escalation", "boss", "escalation", True, True, True),      # a supervisor steps in: on the record
])
def test_who_may_act(assignee, team, user, user_team, override, allowed, recorded):
    h = may_act(assignee=assignee, team=team, tier="L4", username=user, actor_team=user_team, may_override=override)
    assert (h.allowed, h.override) == (allowed, recorded)
    assert allowed or (h.reason_zh and h.reason_en)


def test_an_agent_cannot_decide_an_escalated_case_held_by_someone_else(ctx, users):
    c, _ = storing.submit(ctx, record(1, channel="regulator_12378"), actor="t")  # L4 escalation
    client = TestClient(create_app(ctx))
    sup, agent = _login(client, "supervisor"), _login(client, "agent")
    assert client.post(f"/complaints/{c.id}/assign", json={"assignee": "supervisor2"}, headers=sup).status_code == 200
    r = client.post(f"/complaints/{c.id}/accept", json={"note": "x"}, headers=agent)
    assert r.status_code == 403 and "supervisor2" in r.json()["message"] and r.json()["message_en"]
    assert views.get_complaint(ctx, c.id, handling.SYSTEM)["status"] == "received"


def test_a_supervisor_stepping_in_is_recorded_as_an_override(ctx, users):
    c, _ = storing.submit(ctx, record(2, channel="regulator_12378"), actor="t")
    client = TestClient(create_app(ctx))
    sup = _login(client, "supervisor")
    client.post(f"/complaints/{c.id}/assign", json={"assignee": "supervisor2"}, headers=sup)
    assert client.post(f"/complaints/{c.id}/accept", json={}, headers=sup).status_code == 200
    with ctx.store.uow(write=False) as uow:
        accepted = [e for e in uow.audit.for_entity("complaint", str(c.id)) if e["action"] == "status.accepted"]
    assert accepted[0]["content"]["override"] == {"role": "supervisor", "assignee": "supervisor2", "team": "escalation"}


def test_the_handler_acts_without_override(ctx, users):
    c, _ = storing.submit(ctx, record(3, category="other"), actor="t")  # L1 frontline
    client = TestClient(create_app(ctx))
    agent = _login(client, "agent")
    assert client.post(f"/complaints/{c.id}/accept", json={}, headers=agent).status_code == 200
    with ctx.store.uow(write=False) as uow:
        assert all("override" not in e["content"] for e in uow.audit.for_entity("complaint", str(c.id)))


def _audit_count(ctx) -> int:
    from sqlalchemy import func, select

    with ctx.store.uow(write=False) as uow:
        return uow.session.execute(select(func.count()).select_from(audit_log)).scalar()


def test_reading_leads_never_writes_and_a_read_only_role_cannot_rebuild_them(ctx, users):
    for i in range(6):
        storing.submit(ctx, gang(i), actor="t")
    client = TestClient(create_app(ctx))
    auditor = _login(client, "auditor")
    before = (_audit_count(ctx), leads.list_leads(ctx)["total"])
    assert client.get("/blackgray/leads", params={"refresh": "true"}, headers=auditor).status_code == 200
    assert (_audit_count(ctx), leads.list_leads(ctx)["total"]) == before
    assert client.post("/blackgray/leads/refresh", headers=auditor).status_code == 403
    assert client.post("/blackgray/leads/refresh", headers=_login(client, "compliance")).json()["leads"] == 1
