"""Black/gray leads, marketing review and collection QA in a real browser, on the demo data: review a lead
and download its evidence, approve a material, dispute and decide a collection finding, read a scorecard —
every figure checked against the services the pages call."""

from __future__ import annotations

import re
from datetime import timedelta

from openpyxl import load_workbook

from xiaobao.services.collection import calls as collection
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.marketing import materials as marketing
from xiaobao.services.blackgray import leads

from .conftest import shot, wait_charts

GANG_TEXT = ("本人{name}于{year}年在贵司借款{amount}元，因{story}无力偿还，贵司催收严重影响生活。"
             "现要求停息挂账、减免全部利息罚息、本金分{n}期偿还，否则将向银保监会、人民银行投诉并起诉。"
             "委托代理人张律师，联系电话 139-1234-5678。")
STORIES = ["疫情失业收入骤降", "生病住院花光积蓄", "生意失败负债累累", "家人重病需要照顾", "公司裁员没有收入"]
NAMES = ["王伟", "李娜", "赵敏", "钱坤", "孙丽"]

AD_TITLE = "新客专享"
AD = "大学生专享！在校学生凭学生证即可申请，100%通过，日利率低至0.05%，最高可借5万元。"


def marks_on(page, scope: str = "main") -> set[str]:
    refs = page.eval_on_selector_all(f"{scope} mark.finding", "els => els.map(e => e.dataset.findings)")
    return {r for refs_ in refs for r in refs_.split()}


def _open_lead(ctx) -> dict:
    """An open lead of the demo; should the demo hold none, one filed the way a proxy agency files them —
    the same template and the agent's phone from five customers — through the real intake."""
    listed = leads.list_leads(ctx, status="open", limit=500)["items"]
    if not listed:
        now = ctx.now()
        for i in range(5):
            text = GANG_TEXT.format(name=NAMES[i], year=2023 + i % 3, amount=10000 + 1237 * i, story=STORIES[i],
                                    n=24 + 12 * (i % 4))
            intake.submit(ctx, {
                "external_id": f"E2E-GANG-{i}", "channel": "app", "customer_name": NAMES[i],
                "customer_phone": f"1380013{i:04d}", "text": text, "request": "停息挂账", "category": "other",
                "product": "消费分期", "received_at": (now - timedelta(hours=5 - i)).strftime("%Y-%m-%d %H:%M:%S"),
            }, actor="e2e")
        leads.refresh_leads(ctx)
        listed = leads.list_leads(ctx, status="open", limit=500)["items"]
    assert listed, "an open black/gray lead to review"
    return max(listed, key=lambda x: (x["customers"], -x["id"]))


def test_review_a_lead_in_the_graph_and_download_its_evidence(login, console_ctx, tmp_path):
    lead = _open_lead(console_ctx)
    label, status = "确认为黑灰产", "confirmed"
    detail = leads.get_lead(console_ctx, lead["id"])

    page = login("compliance1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="黑灰产线索").click()
    page.wait_for_url("**/ui/blackgray")
    assert page.locator(f'tr[data-lead-id="{lead["id"]}"]').count() == 1
    shot(page, "blackgray-leads")
    page.locator(f'tr[data-lead-id="{lead["id"]}"] a').first.click()
    page.wait_for_url(f"**/ui/blackgray/leads/{lead['id']}")

    option = wait_charts(page, "lead-graph")["lead-graph"]
    nodes = option["series"][0]["data"]
    customers = [n for n in nodes if n["category"] == 0]
    assert len(customers) == len({tuple(sorted(m["customer"].items())) for m in detail["members"]})
    members = int(page.get_by_test_id("lead-members").inner_text())
    assert sum(n["value"] for n in customers) == len(detail["members"]) == members
    assert page.locator("#lead-graph canvas").count() >= 1
    described = page.locator("#lead-graph").get_attribute("aria-label")  # ECharts aria: the canvas described
    assert "关系图" in described and all(n["name"] in described for n in customers)
    assert page.get_by_test_id("members-table").locator("tbody tr").count() == len(detail["members"])

    # Decide with the keyboard only: the decision, the note, then Enter on the button.
    page.get_by_label(label).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "review-note"
    page.keyboard.type("浏览器测试：同一模板批量投诉")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "提交审核结论"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ui/blackgray/leads/{lead['id']}?done={status}")
    assert page.get_by_test_id("lead-status").inner_text() == {"confirmed": "已确认", "rejected": "已排除"}[status]
    after = leads.get_lead(console_ctx, lead["id"])
    assert (after["status"], after["reviewed_by"]) == (status, "compliance1")
    wait_charts(page, "lead-graph")
    shot(page, "blackgray-lead")

    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == f"lead-{lead['id']}-evidence.xlsx"
    wb = load_workbook(target, read_only=True)
    assert sum(1 for _ in wb["成员投诉"].iter_rows(min_row=2)) == len(detail["members"])
    assert dict(r for r in wb["线索概要"].iter_rows(values_only=True) if r[0] in ("审核状态",))["审核状态"] == status
    assert not page.js_errors


def test_submit_then_approve_a_material_with_its_findings_marked(login, console_ctx):
    author = login("marketing1")
    author.goto("/ui/marketing/new")
    author.get_by_label("物料编号", exact=True).fill("E2E-POSTER-01")
    author.get_by_label("版本号", exact=True).fill("v1")
    author.get_by_label("投放渠道", exact=True).select_option("poster")
    author.get_by_label("产品", exact=True).fill("消费分期")
    author.get_by_label("标题", exact=True).fill(AD_TITLE)
    author.get_by_label("正文", exact=True).fill(AD)
    author.get_by_role("button", name="自动审核（不入库）").click()
    author.get_by_test_id("analysis").wait_for()
    expected = marketing.check(AD, None, AD_TITLE)
    assert expected.findings
    assert int(author.get_by_test_id("findings-count").inner_text()) == len(expected.findings)
    author.get_by_test_id("submit-button").click()
    author.wait_for_url(re.compile(r"/ui/marketing/materials/\d+\?done=submitted"))
    mid = int(re.search(r"/materials/(\d+)", author.url).group(1))
    stored = marketing.get(console_ctx, mid)
    assert stored["status"] == "pending" and stored["ref"] == "E2E-POSTER-01"

    page = login("compliance1")
    page.goto(f"/ui/marketing/materials/{mid}")
    with_span = [f for f in stored["findings"] if f["span"]]
    assert len(marks_on(page, "[data-testid=material-text]")) == len(with_span) > 0
    assert page.get_by_test_id("findings-list").locator("li").count() == len(stored["findings"])
    computed = max(a for r in expected.rates for a in r["apr"])
    assert page.get_by_test_id("apr-computed").inner_text() == f"{computed:.2f}%"
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("已核实：海报撤下学生相关表述后再投放")
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_url(f"**/ui/marketing/materials/{mid}?done=approve")
    assert marketing.get(console_ctx, mid)["status"] == "approved"
    assert page.get_by_test_id("material-status").inner_text() == "已通过"
    assert page.get_by_test_id("approval-fingerprint").inner_text() == marketing.fingerprint(AD)
    shot(page, "marketing-review")
    assert not page.js_errors


def _open_flagged_call(ctx) -> tuple[str, dict]:
    for item in collection.list_calls(ctx, violating=True, disputed=False, limit=200)["items"]:
        call = collection.get_call(ctx, item["call_id"])
        for f in call["findings"]:
            if f["status"] == "open" and f["start"] is not None:
                return item["call_id"], f
    raise AssertionError("the demo has flagged collection calls")


def test_dispute_a_flagged_utterance_and_decide_it(login, console_ctx):
    call_id, finding = _open_flagged_call(console_ctx)
    call = collection.get_call(console_ctx, call_id)

    expert = login("expert1")
    expert.goto("/ui/collection")
    expert.get_by_label("违规类型").select_option(finding["code"])
    expert.get_by_role("button", name="筛选").click()
    expert.wait_for_url(f"**code={finding['code']}**")
    total = collection.list_calls(console_ctx, code=finding["code"], limit=1)["total"]
    assert expert.get_by_test_id("calls-total").inner_text() == f"{total} 通"
    expert.goto(f"/ui/collection/calls/{call_id}")
    spans = {str(f["id"]) for f in call["findings"] if f["start"] is not None}
    assert marks_on(expert, "[data-testid=transcript]") == spans
    flagged_turns = expert.eval_on_selector_all("[data-testid=transcript] li.flagged",
                                                "els => els.map(e => +e.dataset.turn)")
    assert set(flagged_turns) == {f["turn"] for f in call["findings"] if f["turn"] is not None}
    item = expert.locator(f'li[data-finding-id="{finding["id"]}"]')
    item.get_by_text("申诉", exact=True).click()
    item.get_by_label("申诉理由").fill("录音中为转述客户原话，非催收员本人表述")
    item.get_by_role("button", name="提交申诉").click()
    expert.wait_for_url(f"**/ui/collection/calls/{call_id}?done=disputed")
    assert expert.locator(f'li[data-finding-id="{finding["id"]}"]').get_attribute("data-status") == "disputed"

    lead = login("supervisor1")
    lead.goto(f"/ui/collection/calls/{call_id}")
    item = lead.locator(f'li[data-finding-id="{finding["id"]}"]')
    assert "录音中为转述客户原话" in item.inner_text()
    item.get_by_label("维持原判").check()
    item.get_by_label("裁定理由").fill("复听录音，确为催收员本人表述")
    item.get_by_role("button", name="提交裁定").click()
    lead.wait_for_url(f"**/ui/collection/calls/{call_id}?done=upheld")
    decided = next(f for f in collection.get_call(console_ctx, call_id)["findings"] if f["id"] == finding["id"])
    assert decided["status"] == "upheld" and decided["disputes"][0]["decided_by"] == "supervisor1"
    shot(lead, "collection-call")
    assert not expert.js_errors and not lead.js_errors


def test_scorecards_show_the_services_figures(login, console_ctx):
    page = login("supervisor1")
    page.goto("/ui/collection/scorecards")
    charts = wait_charts(page, "scorecard-trend", "scorecard-codes")
    card = collection.scorecard(console_ctx)
    assert card["rows"]
    assert int(page.get_by_test_id("total-calls").inner_text()) == sum(r["calls"] for r in card["rows"])
    for r in card["rows"]:
        row = page.locator(f'tr[data-agency="{r["agency"]}"]')
        assert row.get_by_test_id("row-rate").inner_text() == f"{r['violation_rate'] * 100:.1f}%"
    busiest = max(card["rows"], key=lambda r: r["calls"])
    series = next(s for s in charts["scorecard-trend"]["series"] if s["name"] == busiest["agency"])
    drawn = [d["value"] if isinstance(d, dict) else d for d in series["data"] if d is not None]
    assert drawn == [round(t["violation_rate"] * 100, 2) for t in busiest["trend"]]
    shot(page, "collection-scorecards")
    assert not page.js_errors


def test_sections_in_english(login, console_ctx):
    page = login("supervisor1", lang="en")
    page.goto("/ui/collection/scorecards")
    assert page.get_by_role("heading", level=1).inner_text() == "Agency and collector scorecards"
    option = wait_charts(page, "scorecard-codes")["scorecard-codes"]
    names = collection.inspector(console_ctx.settings.rules_dir).policy.codes
    assert all(label in {c.name_en for c in names.values()} for label in option["yAxis"][0]["data"])
    page.goto("/ui/marketing")
    assert page.get_by_role("heading", level=1).inner_text() == "Marketing material review"
