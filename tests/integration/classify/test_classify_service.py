"""Classification stored and corrected, training on the team's corrections, points trend, API."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, record
from xiaobao.api.app import create_app
from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.roles import Role
from xiaobao.services.classify import classification
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.actors import Actor

AGENT = Actor("agent", Role.AGENT)
SUPERVISOR = Actor("supervisor", Role.SUPERVISOR)
COLLECTION = "催收人员打电话给我的通讯录联系人和家人，威胁恐吓。"
LIMIT = "额度突然被冻结了，借不出来。"


def submit(ctx, n, text, at="2026-11-18 09:30:00"):
    c, _ = intake.submit(ctx, record(n, text=text, received_at=at), actor="agent")
    return c.id


def test_classify_in_stores_prediction_and_points_in_the_callers_unit_of_work(ctx):
    cid = submit(ctx, 1, COLLECTION)
    with ctx.store.uow() as uow:
        c = uow.complaints.get(cid)
        preds = classification.classify_in(ctx, uow, [classification.item(cid, c)])
        uow.commit()
    assert preds[0].category == "debt_collection"
    stored = classification.prediction(ctx, cid)
    assert stored["axis_c"] == "11" and stored["category"] == "debt_collection"
    assert "collect_contacts" in {p["id"] for p in stored["points"]}


RISKY = "我已经多次投诉一直没有解决，再不处理我就向银保监投诉，并找媒体曝光。"
SUE = "再不解决我就起诉你们。"


def route_rule(ctx, cid):
    with ctx.store.uow(write=False) as uow:
        created = [e for e in uow.audit.for_entity("complaint", str(cid)) if e["action"] == "complaint.create"]
    return created[0]["content"]["data"]["route_rule"]


def test_escalation_risk_routes_a_complaint_up_at_intake_in_the_same_transaction(ctx):
    risky, _ = intake.submit(ctx, record(1, text=RISKY, category="pricing_fees"), actor="agent")
    calm, _ = intake.submit(ctx, record(2, text=LIMIT, category="pricing_fees", customer_phone="13700000002",
                                        customer_id_number=""), actor="agent")
    assert (risky.tier, risky.team) == ("L4", "escalation") and "escalation_risk" in risky.flags
    assert route_rule(ctx, risky.id) == "route.escalation_risk"
    stored = classification.prediction(ctx, risky.id)
    assert stored["escalation_flagged"] and stored["escalation_risk"] >= 0.6
    assert (calm.tier, calm.team) == ("L1", "frontline") and "escalation_risk" not in calm.flags
    assert not classification.prediction(ctx, calm.id)["escalation_flagged"]
    with ctx.store.uow(write=False) as uow:
        assert uow.complaints.get(risky.id).flags == risky.flags  # the flag explaining the route is kept


def test_a_repeat_complaint_that_threatens_to_sue_is_routed_by_its_risk_not_as_a_plain_repeat(ctx):
    first, _ = intake.submit(ctx, record(1, text=LIMIT, category="pricing_fees"), actor="agent")
    alone = classification.classifier(ctx).predict(SUE)
    assert not alone.escalation.flagged  # a threat to sue alone is below flag_at ...
    second, _ = intake.submit(ctx, record(2, text=SUE, category="pricing_fees", channel="hotline"), actor="agent")
    assert second.repeat_of_id == first.id  # ... but intake knew it repeats an open complaint before routing
    assert (second.tier, second.team) == ("L4", "escalation") and route_rule(ctx, second.id) == "route.escalation_risk"


def test_import_routes_each_row_by_its_escalation_risk(ctx, tmp_path):
    import json

    from xiaobao.services.complaints.intake import importing

    rows = [record(1, text=RISKY, category="pricing_fees", customer_phone="13600000001", customer_id_number=""),
            record(2, text=LIMIT, category="pricing_fees", customer_phone="13600000002", customer_id_number=""),
            record(3, text=LIMIT, category="pricing_fees", customer_phone="13600000003", customer_id_number=""),
            record(4, text=SUE, category="pricing_fees", customer_phone="13600000003", customer_id_number="",
                   channel="hotline")]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    report = importing.import_file(ctx, path, actor="agent")
    assert report.inserted == 4 and not report.errors
    with ctx.store.uow(write=False) as uow:
        got = {n: uow.complaints.by_key(ch, f"EXT-{n:06d}") for n, ch in ((1, "app"), (2, "app"), (3, "app"),
                                                                            (4, "hotline"))}
    assert {n: (c.tier, c.team) for n, c in got.items()} == {
        1: ("L4", "escalation"), 2: ("L1", "frontline"), 3: ("L1", "frontline"), 4: ("L4", "escalation")}
    assert got[4].repeat_of_id == got[3].id  # the in-batch repeat counted towards the risk before routing
    assert [route_rule(ctx, got[n].id) for n in (1, 4)] == ["route.escalation_risk"] * 2
    assert all(classification.prediction(ctx, c.id)["escalation_flagged"] == (n in (1, 4)) for n, c in got.items())


def test_batch_classification_is_idempotent(ctx):
    ids = [submit(ctx, i, COLLECTION if i % 2 else LIMIT) for i in range(1, 5)]
    assert classification.classify_stored(ctx) == 0  # intake classified every one already
    assert classification.classify_stored(ctx, ids) == 4  # re-running replaces, never duplicates
    r = classification.points_report(ctx, datetime(2026, 11, 1), datetime(2026, 12, 1))
    counts = {p["point_id"]: p["count"] for p in r["points"]}
    assert counts["collect_contacts"] == 2 and counts["limit_cut"] == 2


def test_a_correction_is_one_action_kept_audited_and_survives_reclassification(ctx):
    cid = submit(ctx, 1, "你好，请联系我。")
    out = classification.correct(ctx, cid, AGENT, category="credit_limit", reason="客户实为额度问题")
    assert out["before"]["category"] is None and out["after"] == {"category": "credit_limit", "axis_b": "02",
                                                                   "axis_c": "03"}
    classification.classify_stored(ctx, [cid])
    stored = classification.prediction(ctx, cid)
    assert stored["category"] == "credit_limit" and stored["corrected_by"] == "agent"
    assert [lab["category"] for lab in stored["labels"]] == ["credit_limit"]
    with ctx.store.uow(write=False) as uow:
        entries = [e for e in uow.audit.for_entity("complaint", str(cid)) if e["action"] == "classify.correct"]
        assert uow.complaints.get(cid).category == "credit_limit"
    assert entries and entries[0]["content"]["reason"] == "客户实为额度问题"


def test_an_unknown_category_names_the_field_and_changes_nothing(ctx):
    cid = submit(ctx, 1, COLLECTION)
    with pytest.raises(InvalidValue) as e:
        classification.correct(ctx, cid, AGENT, category="no_such")
    assert e.value.field == "category"
    with ctx.store.uow(write=False) as uow:
        assert uow.complaints.get(cid).category == "debt_collection"


def test_training_on_corrections_activates_a_model_that_answers(ctx):
    texts = {"debt_collection": ["催收打电话骚扰我的家人{}", "外包催收威胁我{}", "催收员辱骂我的朋友{}"],
             "credit_limit": ["额度被冻结{}", "突然降额无法借款{}", "额度关闭借不出来{}"]}
    n = 0
    for cat, tpls in texts.items():
        for i in range(4):
            for t in tpls:
                n += 1
                cid = submit(ctx, n, t.format(i))
                classification.correct(ctx, cid, AGENT, category=cat)
    r = classification.train(ctx, SUPERVISOR)
    assert r["active"] and set(r["classes"]) == {"debt_collection", "credit_limit"}
    assert r["metrics"]["from_corrections"] == 24
    clf = classification.classifier(ctx)
    assert clf.source == f"model:{r['model_id']}"
    assert clf.predict("额度被冻结了").suggestion == "credit_limit"
    classification.activate(ctx, SUPERVISOR, None, "回退")
    assert classification.classifier(ctx).source == "rules"


def test_points_trend_compares_with_the_previous_period(ctx):
    n = 0
    for at, k in (("2026-10-10 10:00:00", 2), ("2026-11-10 10:00:00", 5)):
        for _ in range(k):
            n += 1
            submit(ctx, n, COLLECTION, at=at)
    classification.classify_stored(ctx)
    r = classification.points_report(ctx, datetime(2026, 11, 1), datetime(2026, 12, 1))
    row = next(p for p in r["points"] if p["point_id"] == "collect_contacts")
    assert (row["count"], row["previous"], row["change_pct"]) == (5, 2, 150.0)
    assert len(row["complaint_ids"]) == 5


@pytest.fixture
def client(ctx, users):
    with TestClient(create_app(ctx)) as c:
        yield c


def login(client, username):
    r = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_api_predict_correct_and_report(client, ctx):
    h = login(client, "agent")
    r = client.post("/classify/predict", json={"items": [{"external_id": "X1", "text": COLLECTION}]}, headers=h)
    assert r.status_code == 200 and r.json()["items"][0]["axis_c_name"] == "债务催收方式和手段"
    cid = client.post("/complaints", json=record(1, text=LIMIT), headers=h).json()["id"]
    assert client.post(f"/classify/complaints/{cid}/classify", headers=h).status_code == 200
    r = client.put(f"/classify/complaints/{cid}/labels", json={"category": "credit_limit", "axis_b": "0201",
                                                                "reason": "确认"}, headers=h)
    assert r.status_code == 200 and r.json()["after"]["axis_b"] == "0201"
    bad = client.put(f"/classify/complaints/{cid}/labels", json={"category": "nope"}, headers=h)
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "category" and bad.json()["message_en"]
    assert client.get("/classify/points", headers=h).status_code == 403  # agents do not read the manager report
    r = client.get("/classify/points", params={"from": "2026-11-01T00:00:00", "to": "2026-12-01T00:00:00"},
                   headers=login(client, "supervisor"))
    assert r.status_code == 200 and any(p["point_id"] == "limit_cut" for p in r.json()["points"])
    assert client.post("/classify/models", headers=h).status_code == 403


def test_a_trained_model_carries_no_personal_data_from_its_training_texts(ctx):
    from xiaobao.engines.classify.model import LinearTextModel
    from xiaobao.store.classify.repository import ClassifyRepository

    texts = {"debt_collection": "本人欧阳娜娜，电话13912345678，催收打电话骚扰我的家人{}",
             "credit_limit": "借款人司马懿，住址：北京市朝阳区建国路88号，额度被冻结{}"}
    n = 100
    for cat, tpl in texts.items():
        for i in range(6):
            n += 1
            classification.correct(ctx, submit(ctx, n, tpl.format(i)), AGENT, category=cat)
    r = classification.train(ctx, SUPERVISOR)
    with ctx.store.uow(write=False) as uow:
        model = LinearTextModel.from_bytes(ClassifyRepository(uow.session).model(r["model_id"])["blob"])
    vocab = set(model.vocabulary)
    assert {"催收", "冻结"} <= vocab  # it learned the words
    leaked = [g for g in vocab if any(x in g for x in ("娜娜", "欧阳", "司马", "1391", "5678", "建国路", "88号"))]
    assert leaked == []
    assert classification.classifier(ctx).predict("额度被冻结了，借不出来").suggestion == "credit_limit"
