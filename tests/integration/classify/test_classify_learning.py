"""The team's learning loop, on SQLite and PostgreSQL: the labelling queue the classifier's "needs a person"
fills (a workbench filter), corrections taking complaints out of it, training a new version and switching
back from the console, and the same status through the API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import PASSWORD, console_login, record
from xiaobao.api.app import create_app
from xiaobao.domain.roles import Role
from xiaobao.services.classify import classification
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.complaints import queries
from xiaobao.services.actors import Actor
from xiaobao.store.classify.tables import classify_predictions
from xiaobao.store.audit import audit_log
from xiaobao.web.list_params import list_filters

AGENT = Actor("agent", Role.AGENT)
VAGUE = ["你好，请尽快联系我{}。", "我有事情要反映，请回电{}。", "麻烦处理一下我的问题{}。"]
CLEAR = {"debt_collection": "催收人员打电话骚扰我的家人和同事{}，威胁恐吓。",
         "credit_limit": "额度突然被冻结{}，借不出来，要求恢复额度。"}


def submit(ctx, n: int, text: str) -> int:
    c, _ = intake.submit(ctx, record(n, text=text, customer_phone=f"1390000{n:04d}", category="other"), actor="agent")
    return c.id


def queue(ctx) -> set[int]:
    return {x["id"] for x in queries.find(ctx, **list_filters(ctx, {"status": "all", "needs_label": "1"}),
                                          limit=500)["items"]}


def test_the_labelling_queue_holds_what_the_classifier_left_to_a_person_until_someone_labels_it(ctx, users):
    vague = [submit(ctx, i, VAGUE[i % 3].format(i)) for i in range(6)]
    clear = [submit(ctx, 100 + i, CLEAR["debt_collection"].format(i)) for i in range(3)]
    with ctx.store.uow(write=False) as uow:  # what the classifier stored, read straight from its table
        needs = set(uow.session.execute(select(classify_predictions.c.complaint_id)
                                        .where(classify_predictions.c.needs_person.is_(True))).scalars())
    assert needs == set(vague)
    status = classification.learning_status(ctx)
    assert status["active_model_id"] is None and status["corrections"] == 0
    assert queue(ctx) == set(vague) and status["needs_label"] == len(vague) == classification.needs_label_count(ctx)
    classification.correct(ctx, vague[0], AGENT, category="other", reason="只要求回电")
    assert queue(ctx) == set(vague[1:])
    after = classification.learning_status(ctx)
    assert (after["needs_label"], after["corrections"], after["labelled_complaints"]) == (5, 1, 1)
    assert after["corrections_since_active"] == 1
    # the negation is a filter too: everything else
    rest = {x["id"] for x in queries.find(ctx, status=["received"], needs_label=False, limit=500)["items"]}
    assert rest == {vague[0], *clear}


def _csrf(html: str) -> str:
    return re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', html).group(1)


def _login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    r = console_login(client, username)
    assert r.status_code == 303, r.text


def test_console_trains_a_version_from_the_corrections_and_switches_back_to_the_rules(ctx, users):
    n = 0
    for cat, tpl in CLEAR.items():
        for i in range(12):
            n += 1
            classification.correct(ctx, submit(ctx, n, tpl.format(i)), AGENT, category=cat, reason="标注")
    vague = submit(ctx, 999, VAGUE[0].format("x"))
    with TestClient(create_app(ctx)) as client:
        _login(client, "agent")
        board = client.get("/ui/workbench")
        assert 'data-testid="labelling-queue"' in board.text and f'data-count="{1}"' in board.text
        listed = client.get("/ui/workbench", params={"status": "all", "needs_label": "1"})
        assert f'href="/ui/complaints/{vague}"' in listed.text and "待人工分类：是" in listed.text
        assert client.get("/ui/classify").status_code == 403  # training is a supervisor's call
        assert 'href="/ui/classify"' not in board.text

        _login(client, "supervisor")
        page = client.get("/ui/classify")
        assert page.status_code == 200 and 'href="/ui/classify"' in page.text
        assert 'data-testid="model-in-use">第一天的规则词表' in page.text
        assert 'data-kpi="corrections" data-value="24"' in page.text and 'data-kpi="queue" data-value="1"' in page.text
        r = client.post("/ui/classify/train", headers={"X-CSRF-Token": _csrf(page.text), "HX-Request": "true"})
        assert r.status_code == 200, r.text
        model_id = int(re.search(r"model=(\d+)", r.headers["HX-Redirect"]).group(1))
        page = client.get(r.headers["HX-Redirect"])
        assert f'data-testid="model-in-use">版本 {model_id}' in page.text and 'data-testid="classify-done"' in page.text
        assert f'<tr data-model="{model_id}" data-active="true">' in page.text
        assert 'data-kpi="since" data-value="0"' in page.text
        assert classification.classifier(ctx).source == f"model:{model_id}"

        h = {"Authorization": "Bearer " + client.post("/auth/login", json={"username": "supervisor",
                                                                             "password": PASSWORD}).json()["token"]}
        api = client.get("/classify/status", headers=h).json()
        assert api["active_model_id"] == model_id and api["models"][0]["n_labels"] == 24
        assert api["models"][0]["accuracy"] is None  # 24 labels: too few to hold any out

        r = client.post("/ui/classify/models/0/activate", data={"reason": "新版本待复核"},
                        headers={"X-CSRF-Token": _csrf(page.text), "HX-Request": "true"})
        assert r.status_code == 200 and r.headers["HX-Redirect"] == "/ui/classify?done=activated"
        assert classification.classifier(ctx).source == "rules"
        assert 'data-testid="model-in-use">第一天的规则词表' in client.get("/ui/classify").text
    with ctx.store.uow(write=False) as uow:
        actions = [a for a in uow.session.execute(select(audit_log.c.action)).scalars() if a.startswith("classify.")]
    assert actions.count("classify.train") == 1 and actions.count("classify.activate") == 1


def test_cli_prints_the_learning_status(ctx, users, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from xiaobao.cli import app

    vague = [submit(ctx, i, VAGUE[i % 3].format(i)) for i in range(3)]
    classification.correct(ctx, vague[0], AGENT, category="other")
    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    out = CliRunner().invoke(app, ["classify", "status"])
    assert out.exit_code == 0, out.output
    assert "在用模型：第一天的规则词表" in out.output and "待人工分类：2 件" in out.output
    assert "纠正记录：1 条，涉及 1 件投诉" in out.output
    data = json.loads(CliRunner().invoke(app, ["classify", "status", "--json"]).output)
    assert (data["needs_label"], data["corrections"], data["active_model_id"]) == (2, 1, None)


def test_a_new_version_is_used_only_if_it_does_no_worse_than_the_classifier_in_use(ctx, users):
    n = 0
    for cat, tpl in (("service_attitude", VAGUE[0]), ("other", VAGUE[1]), ("credit_limit", CLEAR["credit_limit"])):
        for i in range(20):
            n += 1
            classification.correct(ctx, submit(ctx, n, tpl.format(f"编号{i}")), AGENT, category=cat)
    same = VAGUE[2].format("")
    for i in range(16):  # the same words labelled two ways: no model can get all of them right
        n += 1
        classification.correct(ctx, submit(ctx, n, same), AGENT, category=("other", "service_attitude")[i % 2])
    sup = Actor("supervisor", Role.SUPERVISOR)
    # The rules cannot tell the vague requests apart; a model trained on the team's labels can.
    first = classification.train(ctx, sup)
    m = first["metrics"]
    assert m["in_use_holdout"]["source"] == "rules" and m["holdout"]["n"] == 15
    assert m["holdout"]["accuracy"] >= m["in_use_holdout"]["accuracy"]
    assert first["active"] and m["activation"] == "not_worse_than_in_use"

    # A version that may look at one n-gram only is worse than the one in use: it is kept aside.
    from xiaobao.engines.classify.model import TrainSettings

    second = classification.train(ctx, sup, settings=TrainSettings(max_features=1))
    m2 = second["metrics"]
    assert m2["in_use_holdout"]["source"] == f"model:{first['model_id']}"
    assert m2["holdout"]["accuracy"] < m2["in_use_holdout"]["accuracy"]
    assert not second["active"] and m2["activation"] == "worse_than_in_use"
    assert classification.learning_status(ctx)["active_model_id"] == first["model_id"]
    forced = classification.train(ctx, sup, activate=True)
    assert forced["active"] and forced["metrics"]["activation"] == "asked"
    aside = classification.train(ctx, sup, activate=False)
    assert not aside["active"] and aside["metrics"]["activation"] == "kept_aside"
    assert classification.learning_status(ctx)["active_model_id"] == forced["model_id"]
    with TestClient(create_app(ctx)) as client:
        _login(client, "supervisor")
        page = client.get("/ui/classify").text
    row = page[page.index(f'<tr data-model="{second["model_id"]}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-active="false"' in row and 'data-testid="kept-aside"' in row and 'data-testid="in-use-accuracy"' in row
