"""Personal data in any field, known or not, is stored masked with its original sealed, shown masked, and
revealed only to pii.view with an audit entry."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from xiaobao.api.app import create_app
from xiaobao.services.complaints.intake import storing
from xiaobao.services.privacy.protected_text import mask_whole
from xiaobao.store.complaints.tables import complaints

from tests.conftest import PASSWORD, record

CARD = "6222021234567893445"


def _raw_row(ctx, cid):
    with ctx.store.uow(write=False) as uow:
        return uow.session.execute(select(complaints).where(complaints.c.id == cid)).mappings().one()


def _login(client, user):
    return {"Authorization": "Bearer " + client.post("/auth/login", json={"username": user, "password": PASSWORD}).json()["token"]}


def test_unknown_fields_the_customer_number_and_the_branch_are_stored_masked_and_sealed(ctx, users):
    c, _ = storing.submit(ctx, record(1, customer_no="C2026000123456", respondent_branch="张伟的北京朝阳营业部 13912345678",
                                      bank_card=CARD, 紧急联系人电话="13800001111",
                                      contacts=[{"name": "李娜", "wechat": "lina_2026"}], note="普通备注"), actor="t")
    row = _raw_row(ctx, c.id)
    blob = json.dumps({k: row[k] for k in ("customer_no", "respondent", "extras")}, ensure_ascii=False)
    for secret in (CARD, "13800001111", "13912345678", "C2026000123456", "lina_2026", "李娜"):
        assert secret not in blob, secret
    assert row["extras"]["note"] == "普通备注"  # nothing personal: left as written
    assert {"customer_no", "respondent.branch", "extras.bank_card", "extras.contacts.0.wechat"} <= set(row["sealed_text"])


def test_an_agent_sees_masks_and_a_pii_view_role_reveals_with_audit(ctx, users):
    c, _ = storing.submit(ctx, record(2, bank_card=CARD, customer_no="C2026000999999"), actor="t")
    client = TestClient(create_app(ctx))
    shown = client.get(f"/complaints/{c.id}", headers=_login(client, "agent")).json()
    assert shown["extras"]["bank_card"] == mask_whole(CARD) and CARD not in json.dumps(shown)
    assert client.get(f"/complaints/{c.id}", params={"reveal": "true"}, headers=_login(client, "agent")).status_code == 403
    clear = client.get(f"/complaints/{c.id}", params={"reveal": "true"}, headers=_login(client, "supervisor")).json()
    assert clear["extras"]["bank_card"] == CARD and clear["customer_no"] == "C2026000999999"
    with ctx.store.uow(write=False) as uow:
        views = [e for e in uow.audit.for_entity("complaint", str(c.id)) if e["action"] == "pii.view"]
    assert views and "extras.bank_card" in views[0]["content"]["data"]["fields"]
    assert CARD not in json.dumps([e["content"] for e in views], ensure_ascii=False)


def test_a_row_stored_before_this_protection_is_shown_masked(ctx, users):
    from sqlalchemy import update

    c, _ = storing.submit(ctx, record(3), actor="t")
    with ctx.store.uow() as uow:  # as an older release left it: extras verbatim
        uow.session.execute(update(complaints).where(complaints.c.id == c.id).values(extras={"bank_card": CARD}))
        uow.commit()
    client = TestClient(create_app(ctx))
    assert CARD not in client.get(f"/complaints/{c.id}", headers=_login(client, "agent")).text


def test_a_username_that_is_personal_data_is_refused(ctx):
    import pytest

    from xiaobao.domain.errors import InvalidValue
    from xiaobao.services.auth import create_user

    with pytest.raises(InvalidValue, match="个人信息"):
        create_user(ctx, username="13912345678", password=PASSWORD, role="agent")
