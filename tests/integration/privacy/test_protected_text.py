"""Complaint free text stored protected (issue 5), on SQLite and PostgreSQL: what is stored and shown
is masked, the original is sealed and only `pii.view` roles reveal it (audited), and every reader
that needs the real words — black/gray triage in another process, evidence export, classification
training — still gets them. Rows stored before the protection (legacy clear text) are masked when
shown and sealed by `protect_stored`."""

import json
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import column, create_engine, func, insert, inspect, select, text, update
from sqlalchemy import table as sql_table
from typer.testing import CliRunner

from tests.conftest import PASSWORD, PG_ADMIN_URL, record
from xiaobao.api.app import create_app
from xiaobao.cli import app as cli_app
from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.roles import Role
from xiaobao.engines.privacy.vault import VaultError
from xiaobao.services.classify import classification
from xiaobao.services.complaints.intake import importing, storing as intake
from xiaobao.services.privacy import protected_text
from xiaobao.services.complaints import views
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import export, leads, review, triage
from xiaobao.services.errors import Forbidden
from xiaobao.store.migrate import downgrade, upgrade
from xiaobao.store.audit import audit_log
from xiaobao.store.complaints.tables import complaints

PLANTED = {"name_in_context": "李秀英", "id": "11010519491231002X", "phone": "13812345678",
           "card": "6222021234567890128", "email": "lixiuying@163.com", "own_name": "王小明",
           "request_phone": "13987654321"}
TEXT = (f"我叫{PLANTED['name_in_context']}，身份证{PLANTED['id']}，手机{PLANTED['phone']}，工资卡{PLANTED['card']}"
        f"被贵司催收员擅自扣款，邮箱{PLANTED['email']}。{PLANTED['own_name']}本人要求退还。")
REQUEST = f"退还扣款，回电{PLANTED['request_phone']}"


def row_of(ctx, cid):
    with ctx.store.uow(write=False) as uow:
        return uow.session.execute(select(complaints.c.text, complaints.c.request, complaints.c.sealed_text)
                                   .where(complaints.c.id == cid)).one()


def leaks(s: str) -> list[str]:
    return [v for v in PLANTED.values() if v in s]


def login(client, username):
    r = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_stored_text_is_masked_and_the_original_sealed_bound_to_its_field(ctx, users):
    c, _ = intake.submit(ctx, record(1, text=TEXT, request=REQUEST), actor="t")
    stored = row_of(ctx, c.id)
    assert leaks(stored.text) == [] and leaks(stored.request) == []
    assert "138****5678" in stored.text and "王**本人" in stored.text and "139****4321" in stored.request
    assert len(stored.text) == len(TEXT)  # masks keep offsets: spans found on the original still fit
    assert set(stored.sealed_text) == {"text", "request"}
    assert ctx.vault.decrypt(stored.sealed_text["text"], "text") == TEXT
    assert ctx.vault.decrypt(stored.sealed_text["request"], "request") == REQUEST
    with pytest.raises(VaultError):  # field-bound: the text's ciphertext is not the request's
        ctx.vault.decrypt(stored.sealed_text["text"], "request")
    plain, _ = intake.submit(ctx, record(2, text="催收员给我单位同事打电话说我欠钱", request="停止骚扰"), actor="t")
    assert row_of(ctx, plain.id).sealed_text == {}  # nothing to hide: nothing sealed, and not legacy


def test_api_shows_masked_text_and_reveals_only_to_pii_view_with_audit(ctx, users):
    with TestClient(create_app(ctx)) as client:
        agent, comp = login(client, "agent"), login(client, "compliance")
        created = client.post("/complaints", json=record(1, text=TEXT, request=REQUEST), headers=agent)
        assert created.status_code == 201 and leaks(created.text) == []
        cid = created.json()["id"]
        shown = client.get(f"/complaints/{cid}", headers=agent).json()
        assert shown["pii_masked"] is True and "138****5678" in shown["text"] and leaks(json.dumps(shown)) == []
        assert leaks(client.get("/complaints", headers=agent).text) == []
        assert client.get(f"/complaints/{cid}", params={"reveal": True}, headers=agent).status_code == 403
        revealed = client.get(f"/complaints/{cid}", params={"reveal": True}, headers=comp).json()
        assert (revealed["text"], revealed["request"], revealed["pii_masked"]) == (TEXT, REQUEST, False)
    with ctx.store.uow(write=False) as uow:
        views_ = [r for r in uow.audit.for_entity("complaint", str(cid)) if r["action"] == "pii.view"]
    assert len(views_) == 1 and views_[0]["actor"] == "compliance"
    assert {"text", "request", "phone"} <= set(views_[0]["content"]["data"]["fields"])
    assert leaks(json.dumps(views_[0]["content"], ensure_ascii=False)) == []


def test_display_text_helper_masks_unless_permitted_reveal(ctx, users):
    c, _ = intake.submit(ctx, record(1, text=TEXT, request=REQUEST), actor="t")
    agent, comp = Actor("agent", Role.AGENT), Actor("compliance", Role.COMPLIANCE)
    masked = views.display_text(ctx, c, agent)
    assert masked["masked"] is True and leaks(masked["text"] + masked["request"]) == []
    with pytest.raises(Forbidden):
        views.display_text(ctx, c, agent, reveal=True)
    clear = views.display_text(ctx, c, comp, reveal=True)
    assert (clear["text"], clear["request"], clear["masked"]) == (TEXT, REQUEST, False)
    with ctx.store.uow(write=False) as uow:
        assert [r["actor"] for r in uow.audit.for_entity("complaint", str(c.id)) if r["action"] == "pii.view"] \
            == ["compliance"]
    assert leaks(json.dumps(views.get_complaint(ctx, c.id, agent), default=str, ensure_ascii=False)) == []


GANG = ("本人{name}在贵司借款{amount}元，因疫情失业无力偿还，现要求停息挂账、减免全部利息罚息、本金分{n}期偿还，"
        "否则将向银保监会投诉并起诉。委托代理人张律师，联系电话 139-1234-5678，微信 lawyer_zhang88。")
NAMES = ["王伟", "李娜", "赵敏", "钱坤", "孙丽", "周杰", "吴刚"]


def gang(i: int) -> dict:
    return record(100 + i, external_id=f"GANG-{i:03d}", customer_name=NAMES[i], customer_id_number="",
                  customer_phone=f"1380013{i:04d}", category="other", received_at=f"2026-11-{10 + i:02d} 09:30:00",
                  text=GANG.format(name=NAMES[i], amount=10000 + 1237 * i, n=24 + 12 * (i % 3)))


def test_triage_in_another_process_and_the_export_read_the_real_contacts(ctx, users, tmp_path):
    src = tmp_path / "gang.jsonl"
    src.write_text("".join(json.dumps(gang(i), ensure_ascii=False) + "\n" for i in range(6)), encoding="utf-8")
    assert importing.import_file(ctx, src, actor="t").inserted == 6
    with ctx.store.uow(write=False) as uow:
        texts = list(uow.session.execute(select(complaints.c.text)).scalars())
    assert all("139-1234-5678" not in t and "lawyer_zhang88" not in t for t in texts)
    triage.invalidate(ctx)  # a new process: its detector is built from the stored (masked) rows
    late, _ = intake.submit(ctx, gang(6), actor="t")
    flag = review.flag_of(ctx, late.id)
    assert flag["flagged"] is True and flag["gang_key"] is not None
    shared = [s for s in flag["signals"] if s["kind"] == "blackgray.shared_contact"]
    assert shared and shared[0]["evidence"]["other_customers"] == 6  # the phone and WeChat id in the texts
    leads.refresh_leads(ctx)
    lead = leads.list_leads(ctx)["items"][0]
    pkg = export.build_package(ctx, lead["id"], Actor("compliance", Role.COMPLIANCE))
    assert {"kind": "mobile", "value": "13912345678"} in [{k: a[k] for k in ("kind", "value")}
                                                         for a in pkg["shared_artefacts"]]
    assert all("lawyer_zhang88" in c["text"] for c in pkg["complaints"])  # pii.view: the original


def test_classification_trains_and_reclassifies_on_the_original_words(ctx, users, monkeypatch):
    made = [intake.submit(ctx, record(i, text=f"手机{13812345670 + i}被催收轰炸，要求停止。", category="other"),
                          actor="t")[0] for i in range(3)]
    for c in made:
        classification.correct(ctx, c.id, Actor("expert", Role.EXPERT), category="debt_collection", reason="催收")
    seen = []

    def fake_fit(texts, labels, settings):
        seen.extend(texts)
        raise classification.ModelError("stop here")

    monkeypatch.setattr(classification, "fit", fake_fit)
    with pytest.raises(InvalidValue, match="stop here"):
        classification.train(ctx, Actor("expert", Role.EXPERT))
    # the original words, not the stored masks (138****5670); the personal values themselves are left out
    # of what a model learns (classification.PERSONAL)
    assert seen == ["手机□被催收轰炸，要求停止。"] * 3
    predicted = []
    real = classification.classify_in
    monkeypatch.setattr(classification, "classify_in",
                        lambda ctx_, uow, items: predicted.extend(i.text for i in items) or real(ctx_, uow, items))
    assert classification.classify_stored(ctx, [made[0].id]) == 1
    assert predicted == ["手机13812345670被催收轰炸，要求停止。"]


def test_legacy_clear_rows_are_masked_when_shown_and_sealed_in_place(ctx, users, tmp_path, monkeypatch):
    c, _ = intake.submit(ctx, record(1, text=TEXT, request=REQUEST), actor="t")
    with ctx.store.uow() as uow:  # as a row stored before migration 0009 looks
        uow.session.execute(update(complaints).where(complaints.c.id == c.id)
                            .values(text=TEXT, request=REQUEST, sealed_text=None))
        uow.commit()
    agent, comp = Actor("agent", Role.AGENT), Actor("compliance", Role.COMPLIANCE)
    assert leaks(json.dumps(views.get_complaint(ctx, c.id, agent), default=str, ensure_ascii=False)) == []
    assert views.get_complaint(ctx, c.id, comp, reveal=True)["text"] == TEXT
    with ctx.store.uow(write=False) as uow:
        row = uow.blackgray.complaints_after(c.id - 1)[0]
    assert triage.record_of_row(ctx, row)[0]["text"] == TEXT
    assert protected_text.protect_stored(ctx, actor="admin") == {"complaints": 1, "sealed": 1}
    stored = row_of(ctx, c.id)
    assert leaks(stored.text + stored.request) == []
    assert ctx.vault.decrypt(stored.sealed_text["text"], "text") == TEXT
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "cli-keys.json"))
    (tmp_path / "cli-keys.json").write_text(ctx.vault.to_json(), encoding="utf-8")
    res = CliRunner().invoke(cli_app, ["pii", "protect-stored"])  # a second run finds nothing left in clear
    assert res.exit_code == 0 and "已处理 0 件" in res.output, res.output
    with ctx.store.uow(write=False) as uow:
        assert uow.session.execute(select(func.count()).select_from(audit_log)
                                   .where(audit_log.c.action == "pii.protect_text")).scalar() == 1


def _legacy_row(i: int) -> dict:
    from datetime import date, datetime
    return {"channel": "app", "external_id": f"OLD-{i}", "received_at": datetime(2026, 1, 5, 9), "text": TEXT,
            "request": REQUEST, "complainant_type": "person", "pii": {}, "masked": {}, "respondent": {},
            "flags": [], "status": "received", "tier": "L1", "clock_policy": "nfra_standard",
            "clock_started": date(2026, 1, 5), "clock_level": 0, "pauses": [], "due_estimated": False,
            "extras": {}, "created_at": datetime(2026, 1, 5, 9), "updated_at": datetime(2026, 1, 5, 9), "version": 1}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migration_0009_adds_the_column_and_leaves_existing_rows_as_legacy(engine, tmp_path):
    admin = None
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.db'}"
    else:
        name = f"xiaobao_mig_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        for head in ("0004", "0005", "0006", "0007", "0008"):  # every branch but this one
            upgrade(url, head)
        eng = create_engine(url)
        old = {c["name"] for c in inspect(eng).get_columns("complaints")}
        assert "sealed_text" not in old
        with eng.begin() as conn:
            conn.execute(insert(sql_table("complaints", *[column(k) for k in _legacy_row(0)])),
                         [{k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in _legacy_row(0).items()}])
        upgrade(url)
        with eng.connect() as conn:
            got = conn.execute(text("SELECT text, sealed_text IS NULL FROM complaints")).one()
        assert got[0] == TEXT and bool(got[1]) is True  # kept as it was: legacy clear text, masked when shown
        downgrade(url, "0009")  # undoes what came after the join (0010 on): back to the six branch heads
        downgrade(url, "0009@-1")
        assert "sealed_text" not in {c["name"] for c in inspect(eng).get_columns("complaints")}
        eng.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                                  "AND pid <> pg_backend_pid()"))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


# What a handler writes into a decision goes to the customer and is read by every role: a decision that
# repeats the complainant's name, phone or ID is stored and shown masked like the complaint's own text.
DECISION_REASONS = "经核实，王小明（手机13900000001）反映的催收员联系其同事属实，已对外包机构处罚。"
VERIFICATION = "调取录音3段，回拨13812345678核实，身份证11010519491231002X与合同一致。"


def _decide(ctx, cid, by):
    from xiaobao.services.complaints import handling
    handling.start(ctx, cid, by)
    return handling.decide(ctx, cid, by, result="upheld", reasons=DECISION_REASONS, basis="投诉办法第十九条",
                           verification=VERIFICATION, remedies=["可申请核查"])


def test_decision_and_review_text_is_stored_masked_shown_masked_and_revealed_with_audit(ctx, users):
    from xiaobao.services.complaints import handling
    agent, sup = Actor("agent", Role.AGENT, team="collection_expert"), Actor("supervisor", Role.SUPERVISOR)
    c, _ = intake.submit(ctx, record(1), actor="t")
    _decide(ctx, c.id, agent)
    with ctx.store.uow(write=False) as uow:
        stored = uow.session.execute(select(complaints.c.decision, complaints.c.sealed_text)
                                     .where(complaints.c.id == c.id)).one()
    as_json = json.dumps(stored.decision, ensure_ascii=False)
    assert "王小明" not in as_json and "13900000001" not in as_json and "13812345678" not in as_json
    assert "11010519491231002X" not in as_json  # the complainant's own ID, known even where no cue finds it
    assert stored.decision["reasons"].startswith("经核实，王**（手机139****0001）")
    assert stored.decision["basis"] == "投诉办法第十九条" and stored.decision["result"] == "upheld"
    assert ctx.vault.decrypt(stored.sealed_text["decision.reasons"], "decision.reasons") == DECISION_REASONS
    assert ctx.vault.decrypt(stored.sealed_text["decision.verification"], "decision.verification") == VERIFICATION
    with pytest.raises(VaultError):  # bound to its field, like the complaint's text
        ctx.vault.decrypt(stored.sealed_text["decision.reasons"], "text")

    shown = views.get_complaint(ctx, c.id, agent)
    assert shown["decision"]["reasons"] == stored.decision["reasons"]
    revealed = views.get_complaint(ctx, c.id, Actor("compliance", Role.COMPLIANCE), reveal=True)
    assert (revealed["decision"]["reasons"], revealed["decision"]["verification"]) == (DECISION_REASONS, VERIFICATION)
    with ctx.store.uow(write=False) as uow:
        seen = [r for r in uow.audit.for_entity("complaint", str(c.id)) if r["action"] == "pii.view"]
    assert {"decision.reasons", "decision.verification"} <= set(seen[-1]["content"]["data"]["fields"])

    handling.notify(ctx, c.id, agent, channel="sms", proof="SMS-1")
    handling.request_review(ctx, c.id, agent, written_ref="REV-1")
    review_reasons = "维持原处理意见；王小明所称扣款已于11月退回其尾号0001的手机号对应账户。"
    handling.decide_review(ctx, c.id, sup, outcome="upheld_original", reasons=review_reasons)
    got = views.get_complaint(ctx, c.id, agent)["review"]
    assert "王小明" not in got["reasons"] and got["outcome"] == "upheld_original"
    assert views.get_complaint(ctx, c.id, Actor("compliance", Role.COMPLIANCE),
                               reveal=True)["review"]["reasons"] == review_reasons


def test_a_legacy_row_decided_now_is_sealed_whole_and_a_legacy_decision_is_masked_when_shown(ctx, users):
    c, _ = intake.submit(ctx, record(1, text=TEXT, request=REQUEST), actor="t")
    agent = Actor("agent", Role.AGENT, team=c.team)  # a handler in the queue the complaint was routed to
    with ctx.store.uow() as uow:  # stored before protection: text in clear, no sealed_text
        uow.session.execute(update(complaints).where(complaints.c.id == c.id)
                            .values(text=TEXT, request=REQUEST, sealed_text=None))
        uow.commit()
    _decide(ctx, c.id, agent)
    stored = row_of(ctx, c.id)
    assert leaks(stored.text + stored.request) == []  # NULL still means "legacy", so the text is sealed too
    assert {"text", "request", "decision.reasons"} <= set(stored.sealed_text)
    assert protected_text.protect_stored(ctx, actor="admin") == {"complaints": 0, "sealed": 0}

    old, _ = intake.submit(ctx, record(2), actor="t")  # the same customer again: routed as a repeat
    _decide(ctx, old.id, Actor("agent", Role.AGENT, team=old.team))
    with ctx.store.uow() as uow:  # a decision written before its text was protected: in clear
        body = uow.session.execute(select(complaints.c.decision).where(complaints.c.id == old.id)).scalar_one()
        uow.session.execute(update(complaints).where(complaints.c.id == old.id)
                            .values(decision={**body, "reasons": DECISION_REASONS}))
        uow.commit()
    shown = views.get_complaint(ctx, old.id, agent)["decision"]["reasons"]
    assert "13900000001" not in shown and "手机139****0001" in shown
