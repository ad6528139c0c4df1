"""The complaint workbench and detail pages without a browser: the console's routes over the same
services as the API, on SQLite and PostgreSQL (login form, CSRF header, htmx fragments)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.conftest import console_login, record
from xiaobao.api.app import create_app
from xiaobao.services.complaints import handling, queries, views
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.web.pages.complaints import casefile as workbench
from xiaobao.services.actors import Actor
from xiaobao.web.pages.complaints.detail import segments

LOCALES = Path(__file__).resolve().parents[3] / "src" / "xiaobao" / "web" / "locales"


@pytest.fixture
def app(ctx, users):
    return create_app(ctx)


class Console:
    """One logged-in browser: the session cookie, and the CSRF header htmx sends."""

    def __init__(self, app, username: str, lang: str = "zh"):
        self.client = TestClient(app)
        if lang != "zh":
            self.client.cookies.set("xb_lang", lang)
        r = console_login(self.client, username, next="/ui/workbench")
        assert r.status_code == 303 and r.headers["location"] == "/ui/workbench", r.text
        page = self.client.get("/ui/workbench")
        assert page.status_code == 200, page.text
        self.csrf = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text).group(1)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data=None, csrf: bool = True):
        headers = {"HX-Request": "true", **({"X-CSRF-Token": self.csrf} if csrf else {})}
        return self.client.post(url, data=data or {}, headers=headers)


def actor(ctx, username: str) -> Actor:
    from xiaobao.domain.roles import Role

    with ctx.store.uow(write=False) as uow:
        u = uow.users.get(username)
    return Actor(u["username"], Role(u["role"]), u["staff_id"], u["team"], u["display_name"])


def status_of(html: str) -> str:
    return re.search(r'id="casefile" data-id="\d+" data-status="([a-z_]+)"', html).group(1)


def timeline_of(html: str) -> list[str]:
    block = html.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li data-action="([a-z_.]+)"', block)


def row_ids(html: str) -> list[int]:
    table = html.split('data-testid="complaints-table"', 1)[1].split("</table>", 1)[0]
    return [int(x) for x in re.findall(r'<tr data-id="(\d+)"', table)]


def actions_of(html: str) -> list[str]:
    return re.findall(r'<details class="cx-action" data-action="([a-z_]+)"', html)


# ---- intake ---------------------------------------------------------------------------------------
def test_intake_form_registers_a_complaint_once_and_opens_it(app, ctx):
    agent = Console(app, "agent")
    form = {**record(1), "received_at": "2026-11-19T09:30"}
    r = agent.post("/ui/complaints", form)
    assert r.status_code == 200, r.text
    target = r.headers["HX-Redirect"]
    cid = int(re.match(r"/ui/complaints/(\d+)\?notice=created$", target).group(1))
    stored = views.get_complaint(ctx, cid, actor(ctx, "supervisor"), reveal=True)
    assert stored["external_id"] == "EXT-000001" and stored["customer"]["phone"] == "13900000001"
    assert stored["received_at"].isoformat() == "2026-11-19T09:30:00"
    assert (stored["request"], stored["category"], stored["product"]) == ("停止联系第三人并道歉", "debt_collection", "消费分期")
    again = agent.post("/ui/complaints", form)
    assert again.headers["HX-Redirect"] == f"/ui/complaints/{cid}?notice=existing"
    assert queries.find(ctx)["total"] == 1
    page = agent.get(target)
    assert "投诉已登记" in page.text and status_of(page.text) == "received"


def test_intake_form_names_every_bad_field_in_chinese(app):
    agent = Console(app, "agent")
    r = agent.post("/ui/complaints", {**record(1), "customer_name": "", "customer_id_number": "110105194912310021"})
    assert r.status_code == 422
    fields = dict(re.findall(r'data-field="([a-z_]+)">([^<]+)<', r.text))
    assert "姓名" in fields["customer_name"] and "校验位" in fields["customer_id_number"]
    assert 'id="intake-form"' in r.text  # the form comes back to be corrected, values kept
    assert 'value="EXT-000001"' in r.text


def test_roles_without_create_permission_get_no_intake_form(app):
    auditor = Console(app, "auditor")
    assert auditor.get("/ui/complaints/new").status_code == 403
    assert "/ui/complaints/new" not in auditor.get("/ui/workbench").text


# ---- handling -------------------------------------------------------------------------------------
def test_a_complaint_is_worked_from_intake_to_close_through_the_console(app, ctx):
    agent = Console(app, "agent")
    cid = int(agent.post("/ui/complaints", record(1, category="other")).headers["HX-Redirect"].split("/")[3].split("?")[0])
    steps = [
        ("accept", {"note": "已电话联系投诉人"}, "accepted", "status.accepted"),
        ("start", {}, "in_progress", "status.in_progress"),
        ("decide", {"result": "partially_upheld", "verification": "经调取通话录音核实：催收员联系了第三人",
                    "basis": "投诉办法第十九条", "reasons": "联系第三人违反催收规定",
                    "remedies": ["可申请核查", "可申请调解"]}, "decided", "decide"),
        ("notify", {"channel": "sms", "proof": "SMS-20261120-01"}, "notified", "notify"),
        ("callback", {"satisfaction": "satisfied", "note": "客户认可"}, "notified", "callback"),
        ("close", {"note": "办结"}, "closed", "status.closed"),
    ]
    for action, form, status, event in steps:
        r = agent.post(f"/ui/complaints/{cid}/{action}", form)
        assert r.status_code == 200, (action, r.text)
        assert status_of(r.text) == status
        assert timeline_of(r.text)[-1] == event
        assert 'hx-swap-oob="innerHTML"' in r.text and "flash-success" in r.text
    c = views.get_complaint(ctx, cid, actor(ctx, "agent"))
    assert c["status"] == "closed" and c["satisfaction"] == "satisfied"
    assert c["decision"]["remedies"] == ["可申请核查", "可申请调解"] and c["decision"]["by"] == "agent"
    assert timeline_of(agent.get(f"/ui/complaints/{cid}").text) == [e["action"] for e in views.timeline(ctx, cid)]


def test_refusals_come_back_as_the_chinese_message_in_the_flash(app, ctx):
    agent = Console(app, "agent")
    c, _ = intake.submit(ctx, record(1, category="other"), actor="agent")
    r = agent.post(f"/ui/complaints/{c.id}/close")
    assert r.status_code == 409 and r.headers["HX-Retarget"] == "#flash"
    assert "状态不允许" in r.text and "待受理" in r.text
    agent.post(f"/ui/complaints/{c.id}/accept")
    r = agent.post(f"/ui/complaints/{c.id}/decide", {"result": "upheld", "verification": "", "basis": "x",
                                                     "reasons": "y", "remedies": ["z"]})
    assert r.status_code == 422 and "核实情况" in r.text
    r = agent.post(f"/ui/complaints/{c.id}/extend", {"reason": "复杂", "approver": ""})
    assert r.status_code == 200 and status_of(r.text) == "accepted"  # 15 → 30 days needs no approver
    r = agent.post(f"/ui/complaints/{c.id}/extend", {"reason": "特别复杂", "approver": "expert",
                                                     "notice_proof": "SMS-1"})
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#flash" and "延期审批权限" in r.text


def test_state_changes_need_the_csrf_header(app, ctx):
    agent = Console(app, "agent")
    c, _ = intake.submit(ctx, record(1), actor="agent")
    r = agent.post(f"/ui/complaints/{c.id}/accept", csrf=False)
    assert r.status_code == 403
    assert views.get_complaint(ctx, c.id, actor(ctx, "agent"))["status"] == "received"


def test_actions_offered_follow_the_role_and_the_state(app, ctx):
    c, _ = intake.submit(ctx, record(1), actor="agent")
    agent, sup, auditor = Console(app, "agent"), Console(app, "supervisor"), Console(app, "auditor")
    agent_actions = actions_of(agent.get(f"/ui/complaints/{c.id}").text)
    assert agent_actions[:2] == ["accept", "start"] and "assign" not in agent_actions
    assert "notify" not in agent_actions and "review_decision" not in agent_actions
    assert {"assign", "refuse"} <= set(actions_of(sup.get(f"/ui/complaints/{c.id}").text))
    assert actions_of(auditor.get(f"/ui/complaints/{c.id}").text) == []
    assert auditor.post(f"/ui/complaints/{c.id}/accept").status_code == 403


# ---- personal data --------------------------------------------------------------------------------
def test_personal_data_is_masked_and_only_pii_view_roles_reveal_it_audited(app, ctx):
    c, _ = intake.submit(ctx, record(1, customer_phone="13712345678"), actor="agent")
    agent = Console(app, "agent")
    page = agent.get(f"/ui/complaints/{c.id}").text
    assert '<span class="pii" data-testid="pii-phone" data-masked="true">137****5678</span>' in page
    assert "13712345678" not in page and 'data-testid="reveal"' not in page
    assert agent.post(f"/ui/complaints/{c.id}/reveal").status_code == 403
    sup = Console(app, "supervisor")
    assert 'data-testid="reveal"' in sup.get(f"/ui/complaints/{c.id}").text
    r = sup.post(f"/ui/complaints/{c.id}/reveal")
    assert r.status_code == 200 and 'data-testid="pii-phone" data-masked="false">13712345678<' in r.text
    assert [e for e in views.timeline(ctx, c.id) if e["action"] == "pii.view"][-1]["actor"] == "supervisor"


# ---- the workbench --------------------------------------------------------------------------------
@pytest.fixture
def mixed(ctx, clock):
    """Complaints that differ in one filtered field each: flags, category, repeats, an overdue one."""
    made = {}
    made["elderly"], _ = intake.submit(ctx, record(1, flags="elderly", category="pricing_fees",
                                                   customer_id_number="110101199003070011"), actor="agent")
    made["collection"], _ = intake.submit(ctx, record(2, customer_id_number="110101199003070038"), actor="agent")
    made["repeat"], _ = intake.submit(ctx, record(3, customer_id_number="110101199003070038",
                                                  text="上次投诉后催收电话仍然打给我的同事。"), actor="agent")
    made["old"], _ = intake.submit(ctx, record(4, received_at="2026-10-01 09:00:00", channel="hotline",
                                               customer_id_number="110101199003070054", category="repayment"),
                                   actor="agent")
    return made


OPEN = list(workbench.OPEN_STATUSES)


@pytest.mark.parametrize("query,filters", [
    ("", {"status": OPEN}),  # a bare workbench is the open work
    ("status=open&flag=elderly", {"status": OPEN, "flags": ["elderly"]}),
    ("status=open&category=debt_collection", {"status": OPEN, "category": ["debt_collection"]}),
    ("status=open&repeat=1", {"status": OPEN, "repeat": True}),
    ("status=open&overdue=1", {"status": OPEN, "overdue": True}),
    ("status=all&channel=hotline", {"channel": ["hotline"]}),
    ("status=open&q=EXT-000002", {"status": OPEN, "search": "EXT-000002"}),
    ("status=open&assignee=_none", {"status": OPEN, "unassigned": True}),
    ("status=open&due_within=365", {"status": OPEN, "due_within_days": 365}),
    # A dashboard drill-down: the shared list vocabulary, no status = every status, as the figure counted.
    ("received_from=2026-11-18&received_to=2026-11-18&product=消费分期",
     {"received_from": datetime(2026, 11, 18), "received_to": datetime(2026, 11, 19), "product": ["消费分期"]}),
])
def test_workbench_rows_are_what_the_query_service_returns(app, ctx, mixed, query, filters):
    page = Console(app, "agent").get(f"/ui/workbench?{query}")
    assert page.status_code == 200
    expected = queries.find(ctx, **filters)
    assert row_ids(page.text) == [c["id"] for c in expected["items"]]
    assert expected["total"] >= 1
    assert f"（{expected['total']} 件）" in page.text


def test_a_bare_workbench_leaves_out_closed_work_and_a_drill_down_keeps_its_conditions(app, ctx, mixed):
    agent = actor(ctx, "agent")
    for step in ("accept", "start"):
        getattr(handling, step)(ctx, mixed["old"].id, agent)
    handling.withdraw(ctx, mixed["old"].id, agent, "客户来电撤诉")
    console = Console(app, "agent")
    assert mixed["old"].id not in row_ids(console.get("/ui/workbench").text)
    assert mixed["old"].id in row_ids(console.get("/ui/workbench?status=all").text)
    page = console.get("/ui/workbench?product=消费分期&received_from=2026-10-01").text
    assert mixed["old"].id in row_ids(page)  # no status in a drill-down: every status
    assert 'data-param="product"' in page and '<input type="hidden" name="received_from" value="2026-10-01">' in page
    assert 'name="back" value="status=all&amp;product=%E6%B6%88%E8%B4%B9%E5%88%86%E6%9C%9F&amp;received_from=2026-10-01"' in page
    english = console.get("/ui/workbench?lang=en").text  # the language switch is not a condition
    assert 'data-testid="extra-filters"' not in english and mixed["old"].id not in row_ids(english)


def test_filters_select_the_complaints_they_name(ctx, mixed):
    ids = lambda **f: {c["id"] for c in queries.find(ctx, **f)["items"]}
    assert ids(flags=["elderly"]) == {mixed["elderly"].id}
    assert ids(repeat=True) == {mixed["repeat"].id}
    assert ids(overdue=True) == {mixed["old"].id}
    assert ids(category=["repayment"]) == {mixed["old"].id}
    assert ids(search=str(mixed["collection"].id)) == {mixed["collection"].id}
    assert ids(search="ext-00000") == {c.id for c in mixed.values()}
    assert ids(flags=["elderly"], category=["debt_collection"]) == set()


def test_queues_count_open_complaints_per_tier_and_team_with_overdue(app, ctx, mixed):
    rows = {(q["tier"], q["team"]): q for q in workbench.queues(ctx)}
    assert sum(q["count"] for q in rows.values()) == 4
    assert rows[("L3", "care")]["count"] == 1  # the elderly customer is routed to care
    assert sum(q["overdue"] for q in rows.values()) == 1
    page = Console(app, "agent").get("/ui/workbench").text
    assert re.search(r'data-queue="L3/care".*?data-count="1"', page, re.DOTALL)


def test_a_shared_link_reproduces_the_filters(app, mixed):
    page = Console(app, "agent").get("/ui/workbench?category=debt_collection&repeat=1&status=all").text
    assert re.search(r'<option value="debt_collection" selected>', page)
    assert 'name="repeat" value="1" checked' in page
    assert '<option value="all" selected>' in page
    assert 'value="status=all&amp;category=debt_collection&amp;repeat=1"' in page  # bulk form returns here


def test_bulk_assign_assigns_each_and_reports_recusal_per_row(app, ctx):
    ok, _ = intake.submit(ctx, record(1), actor="agent")
    recuse, _ = intake.submit(ctx, record(2, respondent_staff_ids="S001"), actor="agent")  # expert's staff id
    sup = Console(app, "supervisor")
    r = sup.post("/ui/workbench/assign", {"ids": [str(ok.id), str(recuse.id)], "assignee": "expert",
                                          "reason": "派单", "back": "status=all"})
    assert r.status_code == 200
    results = dict(re.findall(r'<tr data-id="(\d+)" data-ok="(true|false)"', r.text))
    assert results == {str(ok.id): "true", str(recuse.id): "false"}
    assert "须回避" in r.text and "成功 1 件，失败 1 件" in r.text
    assert views.get_complaint(ctx, ok.id, actor(ctx, "agent"))["assignee"] == "expert"
    assert views.get_complaint(ctx, recuse.id, actor(ctx, "agent"))["assignee"] is None
    assert Console(app, "agent").post("/ui/workbench/assign", {"ids": [str(ok.id)], "assignee": "agent"}).status_code == 403


# ---- related complaints and findings --------------------------------------------------------------
def test_detail_shows_the_repeat_chain_and_marks_evidence_by_permission(app, ctx):
    first, _ = intake.submit(ctx, record(1, customer_id_number="110101199003070038"), actor="agent")
    text = "我已全权委托代理维权机构处理，催收人员多次拨打我的通讯录联系人。"
    second, _ = intake.submit(ctx, record(2, customer_id_number="110101199003070038", text=text), actor="agent")
    assert second.repeat_of_id == first.id
    rel = workbench.related(ctx, second.id)
    assert [(i["id"], i["relations"]) for i in rel["items"]] == [(first.id, ["repeat_of", "same_customer"])]
    sup = Console(app, "supervisor").get(f"/ui/complaints/{second.id}").text
    assert f'data-id="{first.id}" data-relations="repeat_of same_customer"' in sup
    marked = re.findall(r'<mark class="finding[^"]*" data-kind="([^"]+)" data-source="([a-z]+)"[^>]*>([^<]+)</mark>', sup)
    assert ("blackgray.lexicon.proxy_template", "blackgray", "代理维权") in marked
    agent = Console(app, "agent").get(f"/ui/complaints/{second.id}").text  # agents may not read black/gray results
    assert 'data-source="blackgray"' not in agent and 'data-testid="blackgray"' not in agent


def test_detail_lists_the_gang_a_complaint_was_scored_into_and_its_lead(app, ctx):
    from tests.support.blackgray import gang
    from xiaobao.services.blackgray import leads

    made = [intake.submit(ctx, gang(i), actor="agent")[0] for i in range(6)]
    lead = leads.get_lead(ctx, leads.list_leads(ctx)["items"][0]["id"]) if leads.refresh_leads(ctx)["leads"] else None
    assert lead is not None and {m["complaint_id"] for m in lead["members"]} == {c.id for c in made}
    rel = workbench.related(ctx, made[-1].id, blackgray=True)
    assert {i["id"] for i in rel["items"] if "gang" in i["relations"]} == {c.id for c in made[:-1]}
    assert [x["id"] for x in rel["leads"]] == [lead["id"]]
    assert workbench.related(ctx, made[-1].id)["items"] == []  # without blackgray.read: nothing of the gang
    page = Console(app, "supervisor").get(f"/ui/complaints/{made[-1].id}").text
    assert f'href="/ui/blackgray/leads/{lead["id"]}"' in page
    assert len(re.findall(r'data-relations="[^"]*gang[^"]*"', page)) == 5


def test_locate_prefers_a_span_that_holds_its_phrase_and_searches_otherwise():
    text = "催收人员冒充律师，发来律师函。"
    findings = [
        {"kind": "classify.point", "span": {"start": 4, "end": 6}, "evidence": {"phrase": "冒充"}},
        {"kind": "blackgray.lexicon.x", "span": None, "evidence": {"matched": "律师函"}},
        {"kind": "classify.point", "span": {"start": 0, "end": 2}, "evidence": {"phrase": "律师"}},  # stale span
    ]
    marks = workbench.locate(text, findings)
    assert [(m["start"], m["end"], text[m["start"]:m["end"]]) for m in marks] == \
        [(4, 6, "冒充"), (6, 8, "律师"), (11, 14, "律师函")]  # 律师 inside 律师函 yields to the longer mark
    pieces = segments(text, marks)
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, m in pieces if m] == ["冒充", "律师", "律师函"]


def test_detail_page_in_english(app, ctx):
    c, _ = intake.submit(ctx, record(1), actor="agent")
    page = Console(app, "agent", lang="en").get(f"/ui/complaints/{c.id}").text
    assert '<html lang="en">' in page
    assert "Timeline" in page and "Complainant" in page and "Received" in page
    assert "办理轨迹" not in page


def test_complaints_catalogs_have_the_same_keys_in_both_languages():
    def keys(d, prefix=""):
        out = set()
        for k, v in d.items():
            out |= keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + str(k)}
        return out

    zh = keys(yaml.safe_load((LOCALES / "zh" / "complaints.yaml").read_text("utf-8")))
    en = keys(yaml.safe_load((LOCALES / "en" / "complaints.yaml").read_text("utf-8")))
    assert zh == en and len(zh) > 100
