"""Console sections on both databases: black/gray leads (graph, review, evidence export, flag queue),
marketing review (findings marked in the text, APR, approval fingerprint) and collection QA (calls,
flagged utterances, dispute and decision, scorecards) — through the pages, checked against the services."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import PASSWORD, console_login, record
from xiaobao.api.app import create_app
from xiaobao.services.collection import calls as collection
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.marketing import materials as marketing
from xiaobao.services.auth import create_user
from xiaobao.services.blackgray import leads, review

GANG_TEXT = ("本人{name}于{year}年在贵司借款{amount}元，因{story}无力偿还，贵司催收严重影响生活。"
             "现要求停息挂账、减免全部利息罚息、本金分{n}期偿还，否则将向银保监会、人民银行投诉并起诉。"
             "委托代理人张律师，联系电话 139-1234-5678。")
STORIES = ["疫情失业收入骤降", "生病住院花光积蓄", "生意失败负债累累", "家人重病需要照顾", "公司裁员没有收入",
           "车祸受伤无法工作"]
NAMES = ["王伟", "李娜", "赵敏", "钱坤", "孙丽", "周杰"]

AD = "大学生专享！在校学生凭学生证即可申请，100%通过，日利率低至0.05%。"
OPEN = {"speaker": "collector", "text": "您好，我是示例消费金融的贷后专员李娜，工号3021。"}
THREAT = [OPEN, {"speaker": "callee", "text": "我现在真的没钱。"},
          {"speaker": "collector", "text": "你不还钱我们就上门。", "start": 12.5, "end": 14.0}]


def gang(i: int) -> dict:
    text = GANG_TEXT.format(name=NAMES[i % 6], year=2023 + i % 3, amount=10000 + 1237 * i, story=STORIES[i % 6],
                            n=24 + 12 * (i % 4))
    return record(100 + i, external_id=f"GANG-{i:03d}", customer_name=NAMES[i % 6], customer_id_number="",
                  customer_phone=f"1380013{i:04d}", text=text, received_at=f"2026-11-{10 + i % 8:02d} 09:30:00",
                  category="other")


def call(n: int, **over) -> dict:
    r = {"call_id": f"CALL-{n:04d}", "agency": "安信资产", "collector_id": "S000", "debtor_id": f"D{n % 2}",
         "started_at": f"2026-11-{10 + n:02d}T10:00:00+08:00", "duration_s": 90, "callee_relation": "debtor",
         "transcript": [OPEN, {"speaker": "collector", "text": "请您尽快登录APP还款。"}]}
    r.update(over)
    return r


@pytest.fixture
def people(ctx, users):
    create_user(ctx, username="marketing", password=PASSWORD, role="marketing", staff_id="S200")
    return ctx


@pytest.fixture
def client(people):
    with TestClient(create_app(people)) as c:
        yield c


def login(client: TestClient, username: str, lang: str = "zh") -> None:
    client.cookies.clear()
    r = console_login(client, username)
    assert r.status_code == 303, r.text
    if lang != "zh":
        client.cookies.set("xb_lang", lang)


def csrf(html: str) -> str:
    return re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', html).group(1)


def post(client: TestClient, url: str, page_html: str, data: dict) -> object:
    return client.post(url, data=data, headers={"X-CSRF-Token": csrf(page_html), "HX-Request": "true"})


def chart_option(html: str, chart_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{chart_id}-option">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def marked(html: str) -> list[str]:
    """Finding refs of every <mark> on the page (a mark may cover several overlapping findings)."""
    found = re.findall(r'<mark class="finding[^"]*" data-findings="([^"]*)"', html)
    return [ref for refs in found for ref in refs.split()]


# ---- black/gray --------------------------------------------------------------------------------------
@pytest.fixture
def gang_lead(people):
    for i in range(6):
        intake.submit(people, gang(i), actor="t")
    leads.refresh_leads(people)
    return leads.get_lead(people, leads.list_leads(people)["items"][0]["id"])


def test_lead_page_draws_one_node_per_customer_and_the_shared_phone_masked(client, gang_lead, people):
    login(client, "supervisor")
    listing = client.get("/ui/blackgray")
    assert listing.status_code == 200 and f'href="/ui/blackgray/leads/{gang_lead["id"]}"' in listing.text
    refreshed = post(client, "/ui/blackgray/refresh", listing.text, {})
    assert refreshed.headers["HX-Redirect"] == "/ui/blackgray?refreshed=1" and leads.list_leads(people)["total"] == 1
    r = client.get(f"/ui/blackgray/leads/{gang_lead['id']}")
    assert r.status_code == 200
    graph = chart_option(r.text, "lead-graph")["series"][0]
    customers = [n for n in graph["data"] if n["category"] == 0]
    distinct = {tuple(sorted(m["customer"].items())) for m in gang_lead["members"]}
    assert len(customers) == len(distinct) == gang_lead["customers"] == 6
    assert sum(n["value"] for n in customers) == len(gang_lead["members"])
    assert {n["url"] for n in customers} == {f"/ui/complaints/{m['complaint_id']}" for m in gang_lead["members"]}
    phone = gang_lead["artefacts"][0]["value"]
    artefact = next(n for n in graph["data"] if n["category"] == 1 and phone in n["name"])
    assert sum(1 for link in graph["links"] if link["target"] == artefact["id"]) == 6
    assert "13912345678" not in r.text and "139-1234-5678" not in r.text  # texts shown masked, even to pii.view
    assert 'data-testid="lead-review"' in r.text and 'data-testid="export-xlsx"' in r.text


def test_lead_review_needs_csrf_then_confirms_and_the_package_downloads(client, gang_lead, people):
    login(client, "compliance")
    page = client.get(f"/ui/blackgray/leads/{gang_lead['id']}").text
    refused = client.post(f"/ui/blackgray/leads/{gang_lead['id']}/review", data={"decision": "confirm"})
    assert refused.status_code == 403 and leads.get_lead(people, gang_lead["id"])["status"] == "open"
    done = post(client, f"/ui/blackgray/leads/{gang_lead['id']}/review", page,
                {"decision": "confirm", "note": "同一代理人"})
    assert done.status_code == 200 and done.headers["HX-Redirect"].endswith("?done=confirmed")
    after = leads.get_lead(people, gang_lead["id"])
    assert (after["status"], after["reviewed_by"], after["review_note"]) == ("confirmed", "compliance", "同一代理人")
    shown = client.get(done.headers["HX-Redirect"]).text
    assert '<span class="value" data-testid="lead-status">已确认</span>' in shown

    xlsx = client.get(f"/ui/blackgray/leads/{gang_lead['id']}/export?format=xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert sum(1 for _ in wb["成员投诉"].iter_rows(min_row=2)) == len(gang_lead["members"])
    pkg = client.get(f"/ui/blackgray/leads/{gang_lead['id']}/export?format=json").json()
    assert pkg["lead"]["status"] == "confirmed" and len(pkg["complaints"]) == len(gang_lead["members"])


def test_black_gray_pages_follow_the_permission_matrix(client, gang_lead):
    login(client, "marketing")
    assert client.get("/ui/blackgray").status_code == 403
    assert client.get(f"/ui/blackgray/leads/{gang_lead['id']}").status_code == 403
    login(client, "expert")  # may read leads, may not decide or export them
    page = client.get(f"/ui/blackgray/leads/{gang_lead['id']}")
    assert page.status_code == 200 and 'data-testid="lead-review"' not in page.text
    assert 'data-testid="export-xlsx"' not in page.text
    refused = post(client, f"/ui/blackgray/leads/{gang_lead['id']}/review", page.text, {"decision": "reject"})
    assert refused.status_code == 403
    assert client.get(f"/ui/blackgray/leads/{gang_lead['id']}/export").status_code == 403
    login(client, "agent")
    assert client.get("/ui/blackgray/queue").status_code == 403
    nav = client.get("/ui/collection").text
    assert 'href="/ui/blackgray"' not in nav and 'href="/ui/collection"' in nav


def test_flag_queue_lists_flagged_complaints_and_records_a_review(client, gang_lead, people):
    login(client, "supervisor")
    page = client.get("/ui/blackgray/queue")
    queued = review.queue(people)
    assert page.status_code == 200 and queued["total"] == 6
    assert all(f'data-complaint-id="{r["complaint_id"]}"' in page.text for r in queued["items"])
    cid = queued["items"][0]["complaint_id"]
    r = post(client, f"/ui/blackgray/flags/{cid}/review", page.text, {"decision": "reject", "note": "真实诉求"})
    assert r.status_code == 200 and 'data-reviewed="rejected"' in r.text
    assert review.flag_of(people, cid)["review_status"] == "rejected"
    assert review.queue(people)["total"] == 5


def test_lead_page_in_english(client, gang_lead):
    login(client, "supervisor", lang="en")
    r = client.get(f"/ui/blackgray/leads/{gang_lead['id']}")
    assert '<html lang="en">' in r.text and "Gang graph" in r.text and "Confirm as black/gray" in r.text
    graph = chart_option(r.text, "lead-graph")
    assert graph["legend"][0]["data"][0] == "Customer"


# ---- marketing ---------------------------------------------------------------------------------------
def test_material_submitted_marked_reviewed_and_fingerprinted(client, people):
    login(client, "marketing")
    new = client.get("/ui/marketing/new").text
    checked = post(client, "/ui/marketing/check", new, {"content": AD, "title": "", "format": ""})
    expected = marketing.check(AD)
    assert checked.status_code == 200 and expected.findings
    assert set(marked(checked.text)) == {str(i + 1) for i, f in enumerate(expected.findings) if f.span}
    assert marketing.list_materials(people) == []  # a check stores nothing
    r = post(client, "/ui/marketing/materials", new, {"ref": "POSTER-1", "version": "v1", "channel": "poster",
                                                      "product": "消费分期", "title": "", "format": "", "content": AD})
    mid = int(re.search(r"/materials/(\d+)", r.headers["HX-Redirect"]).group(1))
    stored = marketing.get(people, mid)
    assert stored["status"] == "pending" and stored["submitted_by"] == "marketing"
    own = client.get(f"/ui/marketing/materials/{mid}").text
    assert 'data-testid="material-review"' not in own  # marketing may not review at all
    refused = post(client, f"/ui/marketing/materials/{mid}/review", own, {"decision": "approve", "comment": "x"})
    assert refused.status_code == 403

    login(client, "compliance")
    page = client.get(f"/ui/marketing/materials/{mid}").text
    spans = [f for f in stored["findings"] if f["span"]]
    assert len(set(marked(page))) == len(spans)
    assert len(re.findall(r'<li class="sev-\w+" data-finding=', page)) == len(stored["findings"])
    apr = max(a for x in expected.rates for a in x["apr"])
    assert f'data-testid="apr-computed">{apr:.2f}%' in page and 'data-testid="apr-shown">未展示' in page
    bare = post(client, f"/ui/marketing/materials/{mid}/review", page, {"decision": "approve", "comment": ""})
    assert bare.status_code == 422 and "理由" in bare.text and marketing.get(people, mid)["status"] == "pending"
    ok = post(client, f"/ui/marketing/materials/{mid}/review", page,
              {"decision": "approve", "comment": "已整改线下物料"})
    assert ok.headers["HX-Redirect"].endswith("?done=approve")
    shown = client.get(ok.headers["HX-Redirect"]).text
    assert marketing.get(people, mid)["status"] == "approved"
    assert f'data-testid="approval-fingerprint">{marketing.fingerprint(AD)}<' in shown


def test_marketing_list_and_roles(client, people):
    author = marketing.actor_named(people, "marketing", "marketing.submit")
    marketing.submit(people, author, {"ref": "SMS-1", "version": "v1", "channel": "sms", "product": "现金贷",
                                      "content": AD})
    login(client, "auditor")  # reads materials, may not submit or review
    listing = client.get("/ui/marketing").text
    assert "SMS-1" in listing and 'href="/ui/marketing/new"' in listing
    assert 'data-testid="submit-button"' not in client.get("/ui/marketing/new").text
    login(client, "expert")  # checks content only: the section opens on the check form
    r = client.get("/ui/marketing", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/marketing/new"
    assert client.get("/ui/marketing/materials/1").status_code == 403
    login(client, "agent")
    assert client.get("/ui/marketing/new").status_code == 403


# ---- collection --------------------------------------------------------------------------------------
@pytest.fixture
def calls(people):
    rows = [call(1, transcript=THREAT), call(2), call(3, agency="恒信资产", collector_id="C9")]
    report = collection.import_rows(people, list(enumerate(rows, start=1)), actor="qa")
    assert report.inserted == 3
    return people


def test_calls_list_filters_as_the_service_does(client, calls):
    login(client, "supervisor")
    threat = client.get("/ui/collection?code=threat_violence")
    assert threat.status_code == 200
    listed = re.findall(r'<tr data-call-id="([^"]+)"', threat.text)
    service = collection.list_calls(calls, code="threat_violence")["items"]
    assert listed == [c["call_id"] for c in service] == ["CALL-0001"]
    by_agency = re.findall(r'<tr data-call-id="([^"]+)"', client.get("/ui/collection?agency=恒信资产").text)
    assert by_agency == ["CALL-0003"]
    assert client.get("/ui/collection?code=nonsense").status_code == 422
    token = client.post("/auth/login", json={"username": "auditor", "password": PASSWORD}).json()["token"]
    api = client.get("/collection/calls?agency=安信资产&violating=true", headers={"Authorization": f"Bearer {token}"})
    assert [c["call_id"] for c in api.json()["items"]] == ["CALL-0001"]  # the API lists through the same service
    blank = client.get("/ui/collection?agency=&collector=&code=&violating=all&disputed=all&debtor=&from=&to=")
    assert blank.status_code == 200 and len(re.findall(r'<tr data-call-id=', blank.text)) == 3  # empty fields: no bound
    assert len(re.findall(r'<tr data-call-id=', client.get("/ui/collection?from=2026-11-12&to=2026-11-13").text)) == 2


def test_call_page_marks_the_flagged_utterance_and_dispute_then_decision(client, calls):
    c = collection.get_call(calls, "CALL-0001")
    spans = [f for f in c["findings"] if f["start"] is not None]
    assert spans
    login(client, "agent")  # collector S000: their own call
    page = client.get("/ui/collection/calls/CALL-0001").text
    assert sorted(set(marked(page))) == sorted(str(f["id"]) for f in spans)
    threat = next(f for f in c["findings"] if f["code"] == "threat_violence")
    assert f'<mark class="finding finding-danger" data-findings="{threat["id"]}"' in page
    assert 'data-testid="decision-form"' not in page
    r = post(client, f"/ui/collection/findings/{threat['id']}/dispute", page,
             {"reason": "只是说明可能上门核实", "call_id": "CALL-0001"})
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/ui/collection/calls/CALL-0001?done=disputed"
    assert post(client, f"/ui/collection/findings/{threat['id']}/decision", page,
                {"decision": "overturned", "reason": "x", "call_id": "CALL-0001"}).status_code == 403
    assert [x["call_id"] for x in collection.list_calls(calls, disputed=True)["items"]] == ["CALL-0001"]

    login(client, "supervisor")
    page = client.get("/ui/collection/calls/CALL-0001").text
    assert 'data-testid="decision-form"' in page and "只是说明可能上门核实" in page
    r = post(client, f"/ui/collection/findings/{threat['id']}/decision", page,
             {"decision": "overturned", "reason": "语境为告知上门核实流程", "call_id": "CALL-0001"})
    assert r.headers["HX-Redirect"].endswith("?done=overturned")
    after = collection.get_call(calls, "CALL-0001")
    assert next(f for f in after["findings"] if f["id"] == threat["id"])["status"] == "overturned"
    assert after["compliant"] == (len(after["findings"]) == 1)


def test_agent_cannot_dispute_another_collectors_call(client, calls):
    fid = collection.get_call(calls, "CALL-0001")["findings"][0]["id"]
    collection.import_rows(calls, [(1, call(9, collector_id="C9", transcript=THREAT))], actor="qa")
    other = collection.get_call(calls, "CALL-0009")["findings"][0]["id"]
    login(client, "agent")
    page = client.get("/ui/collection/calls/CALL-0009").text
    assert 'data-testid="dispute-form"' not in page
    r = post(client, f"/ui/collection/findings/{other}/dispute", page, {"reason": "不是我", "call_id": "CALL-0009"})
    assert r.status_code == 403 and collection.get_call(calls, "CALL-0009")["findings"][0]["status"] == "open"
    login(client, "auditor")
    page = client.get("/ui/collection/calls/CALL-0001").text
    refused = post(client, f"/ui/collection/findings/{fid}/dispute", page, {"reason": "x", "call_id": "CALL-0001"})
    assert refused.status_code == 403


def test_scorecard_figures_are_the_services(client, calls):
    login(client, "compliance")
    r = client.get("/ui/collection/scorecards?from=2026-11-01&to=2026-11-30")
    card = collection.scorecard(calls, day_from=date(2026, 11, 1), day_to=date(2026, 11, 30))
    assert r.status_code == 200
    for row in card["rows"]:
        cells = re.search(rf'<tr data-agency="{row["agency"]}".*?data-testid="row-rate">([^<]+)<', r.text, re.S)
        assert cells.group(1) == f"{row['violation_rate'] * 100:.1f}%"
    codes = chart_option(r.text, "scorecard-codes")
    anxin = next(s for s in codes["series"] if s["name"] == "安信资产")
    threat = next(d for d in anxin["data"] if "code=threat_violence" in d["url"])
    row = next(r for r in card["rows"] if r["agency"] == "安信资产")
    assert threat["value"] == round(row["by_code"]["threat_violence"]["rate"] * 100, 2) == 50.0
    drill = client.get(threat["url"])
    assert re.findall(r'<tr data-call-id="([^"]+)"', drill.text) == ["CALL-0001"]
    assert 'data-testid="total-calls">3<' in r.text


def test_calls_of_a_complaints_debtor(client, calls):
    c, _ = intake.submit(calls, record(1, customer_id_number="11010519491231002X"), actor="t")
    collection.import_rows(calls, [(1, call(7, debtor_id_number="11010519491231002X"))], actor="qa")
    login(client, "expert")
    r = client.get(f"/ui/collection?complaint={c.id}")
    linked = [x["call_id"] for x in collection.calls_for_complaint(calls, c.id)["calls"]]
    assert linked == ["CALL-0007"] and re.findall(r'<tr data-call-id="([^"]+)"', r.text) == linked
    assert 'data-testid="complaint-link"' in r.text


@pytest.mark.parametrize("area", ["blackgray", "marketing", "collection"])
def test_section_catalogs_have_the_same_keys_in_chinese_and_english(area):
    from pathlib import Path

    import yaml

    from xiaobao.web import i18n

    def keys(lang):
        out = {}
        i18n._flatten("", yaml.safe_load((Path(i18n._DIR) / lang / f"{area}.yaml").read_text("utf-8")), out, Path())
        return out
    zh, en = keys("zh"), keys("en")
    assert set(zh) == set(en) and len(zh) > 30
    assert all(re.findall(r"{\w+}", zh[k]) == re.findall(r"{\w+}", en[k]) for k in zh)  # same placeholders
