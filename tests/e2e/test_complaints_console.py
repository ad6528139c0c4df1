"""The complaint workbench and detail page in a real browser: a complaint worked from intake to close,
clocks coloured by urgency, filters that return what the query service returns, bulk assignment,
masked personal data, keyboard use, and the English page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import expect

from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.complaints import queries, views
from xiaobao.web.pages.complaints import casefile as workbench
from xiaobao.services.actors import Actor
from xiaobao.services.blackgray import leads as bg_leads
from xiaobao.services.blackgray import review as bg_review
from xiaobao.services.blackgray.triage import SUSPECT_FLAG

from .conftest import shot

# The palette in static/app.css: the colour a handler sees for each urgency class.
CLOCK_COLOURS = {"clock-overdue": "rgb(164, 22, 26)", "clock-urgent": "rgb(179, 71, 0)",
                 "clock-soon": "rgb(255, 214, 102)", "clock-ok": "rgb(30, 107, 52)", "clock-idle": "rgb(227, 231, 236)"}


def expected_clock_class(days_left: int | None, overdue: bool) -> str:
    if overdue or (days_left is not None and days_left < 0):
        return "clock-overdue"
    if days_left is None:
        return "clock-idle"
    return "clock-urgent" if days_left <= 2 else "clock-soon" if days_left <= 5 else "clock-ok"


def actor_of(ctx, username: str) -> Actor:
    from xiaobao.domain.roles import Role

    with ctx.store.uow(write=False) as uow:
        u = uow.users.get(username)
    return Actor(u["username"], Role(u["role"]), u["staff_id"], u["team"], u["display_name"])


def table_ids(page) -> list[int]:
    return [int(x) for x in page.locator("[data-testid=complaints-table] tbody tr[data-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.id)")]


def open_action(page, action: str):
    details = page.locator(f'details[data-action="{action}"]')
    details.locator("summary").click()
    return details


def submit_action(page, details, status_name: str, event: str):
    details.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text(status_name)
    expect(page.locator("[data-testid=timeline] li").last).to_have_attribute("data-action", event)
    expect(page.locator("#flash .flash-success")).to_be_visible()


def test_a_complaint_is_worked_from_intake_to_close(login, console_ctx):
    page = login("agent1")
    page.goto("/ui/workbench")
    page.get_by_role("link", name="登记投诉").click()
    external_id = f"E2E-{uuid.uuid4().hex[:10]}"
    page.get_by_label("渠道").select_option("hotline")
    page.get_by_label("外部编号").fill(external_id)
    page.get_by_label("姓名").fill("韩梅梅")
    page.get_by_label("手机号").fill("13812340001")
    page.get_by_label("证件号码").fill("110101199003070038")
    page.get_by_label("投诉内容（事实与理由）").fill("催收人员连续三天晚上十点以后打电话，还打给我的同事，影响工作。")
    page.get_by_label("诉求").fill("停止夜间催收和联系第三人")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/ui/complaints/\d+\?notice=created$"))
    cid = int(re.search(r"/ui/complaints/(\d+)", page.url).group(1))
    expect(page.locator("#flash")).to_contain_text("投诉已登记")
    expect(page.get_by_test_id("status")).to_have_text("待受理")
    expect(page.get_by_test_id("pii-phone")).to_have_text("138****0001")

    submit_action(page, open_action(page, "accept"), "已受理", "status.accepted")
    submit_action(page, open_action(page, "start"), "处理中", "status.in_progress")
    decide = open_action(page, "decide")
    decide.get_by_label("处理结果").select_option("partially_upheld")
    decide.get_by_label("核实情况").fill("经调取通话录音核实：催收员在22时后致电并联系了投诉人同事。")
    decide.get_by_label("处理依据").fill("《银行业保险业消费投诉处理管理办法》第十九条；公司催收管理办法第八条")
    decide.get_by_label("处理理由").fill("夜间催收及联系第三人违反催收规定，已暂停该催收员作业并致歉。")
    submit_action(page, decide, "已出具处理意见", "decide")
    notify = open_action(page, "notify")
    notify.get_by_label("告知方式").select_option("sms")
    notify.get_by_label("告知凭证").fill("SMS-E2E-0001")
    submit_action(page, notify, "已告知", "notify")
    callback = open_action(page, "callback")
    callback.get_by_label("满意度").select_option("basically_satisfied")
    submit_action(page, callback, "已告知", "callback")
    expect(page.get_by_test_id("satisfaction")).to_contain_text("基本满意")
    submit_action(page, open_action(page, "close"), "已办结", "status.closed")

    c = views.get_complaint(console_ctx, cid, actor_of(console_ctx, "agent1"))
    assert (c["external_id"], c["status"], c["satisfaction"]) == (external_id, "closed", "basically_satisfied")
    assert c["decision"]["result"] == "partially_upheld" and len(c["decision"]["remedies"]) == 3
    shown = page.locator("[data-testid=timeline] li").evaluate_all("items => items.map(i => i.dataset.action)")
    assert shown == [e["action"] for e in views.timeline(console_ctx, cid)] == [
        "complaint.create", "status.accepted", "status.in_progress", "decide", "notify", "callback", "status.closed"]
    assert page.js_errors == []


def test_clock_badges_are_coloured_by_days_left(login, console_ctx):
    page = login("supervisor1")
    page.goto("/ui/workbench")
    expected = {c["id"]: expected_clock_class(c["clock"]["days_left"], c["clock"]["overdue"])
                for c in queries.find(console_ctx, status=list(workbench.OPEN_STATUSES), limit=50)["items"]}
    rows = page.locator("[data-testid=complaints-table] tbody tr[data-id]").evaluate_all("""rows => rows.map(r => {
        const clock = r.querySelector('.clock');
        return [Number(r.dataset.id), [...clock.classList].find(c => c.startsWith('clock-')),
                getComputedStyle(clock).backgroundColor];
    })""")
    assert len(rows) == len(expected) > 5
    for cid, cls, colour in rows:
        assert cls == expected[cid], cid
        assert colour == CLOCK_COLOURS[cls], (cid, cls)
    assert {"clock-ok", "clock-overdue"} <= {cls for _, cls, _ in rows}
    shot(page, "workbench")


def test_workbench_filters_show_what_the_query_service_finds(login, console_ctx):
    page = login("supervisor1")
    page.goto("/ui/workbench")
    page.get_by_label("已超期").check()
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"overdue=1"))
    overdue = queries.find(console_ctx, status=list(workbench.OPEN_STATUSES), overdue=True, limit=50)
    assert overdue["total"] > 0 and table_ids(page) == [c["id"] for c in overdue["items"]]
    classes = page.locator("[data-testid=complaints-table] .clock").evaluate_all("els => els.map(e => e.className)")
    assert classes and all("clock-overdue" in c for c in classes)

    page.get_by_label("已超期").uncheck()
    page.get_by_label("疑似黑灰产").check()
    page.get_by_label("状态").select_option("all")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"blackgray=1"))
    flagged = queries.find(console_ctx, flags=[SUSPECT_FLAG], limit=50)
    assert flagged["total"] > 1 and table_ids(page) == [c["id"] for c in flagged["items"]]
    assert page.locator("[data-testid=complaints-table] tbody tr .badge-danger").count() >= len(flagged["items"])

    queue = page.locator("[data-testid=queues] a[data-tier=L2]")  # a queue tab keeps the link shareable
    count = int(queue.locator(".badge").first.inner_text())
    queue.click()
    page.wait_for_url(re.compile(r"tier=L2"))
    assert count == queries.find(console_ctx, status=list(workbench.OPEN_STATUSES), tier=["L2"], limit=1)["total"]
    assert page.locator("#queue-title").inner_text().endswith(f"（{count} 件）")


def test_bulk_assign_two_complaints(login, console_ctx):
    target = actor_of(console_ctx, "agent3")
    candidates = [c for c in queries.find(console_ctx, status=list(workbench.OPEN_STATUSES), tier=["L1"],
                                          team="frontline", limit=50)["items"]
                  if c["assignee"] != "agent3" and target.staff_id not in (c["respondent"].get("staff_ids") or [])]
    chosen = [c["id"] for c in candidates[:2]]
    assert len(chosen) == 2
    page = login("supervisor1")
    page.goto("/ui/workbench?tier=L1&team=frontline")
    for cid in chosen:
        page.get_by_label(f"选择投诉 #{cid}").check()
    page.get_by_label("分派给").select_option("agent3")
    page.get_by_label("理由", exact=True).fill("E2E 批量分派")
    page.get_by_role("button", name="批量分派").click()
    results = page.get_by_test_id("bulk-results")
    expect(results).to_be_visible()
    assert results.locator("tbody tr").evaluate_all("rows => rows.map(r => [Number(r.dataset.id), r.dataset.ok])") \
        == [[cid, "true"] for cid in chosen]
    expect(page.locator("#flash")).to_contain_text("成功 2 件，失败 0 件")
    for cid in chosen:
        assert views.get_complaint(console_ctx, cid, target)["assignee"] == "agent3"
        expect(page.locator(f'[data-testid=complaints-table] tr[data-id="{cid}"] .cx-assignee')).to_have_text("agent3")
        assert views.timeline(console_ctx, cid)[-1]["actor"] == "supervisor1"


def test_personal_data_is_masked_for_agents_and_revealed_for_supervisors(login, console_ctx):
    c = next(c for c in queries.find(console_ctx, status=list(workbench.OPEN_STATUSES), limit=50)["items"]
             if c["customer"].get("phone"))
    with console_ctx.store.uow(write=False) as uow:
        token = uow.complaints.get(c["id"]).pii["phone"]
    clear = console_ctx.vault.decrypt(token, "phone")
    agent = login("agent1")
    agent.goto(f"/ui/complaints/{c['id']}")
    expect(agent.get_by_test_id("pii-phone")).to_have_text(c["customer"]["phone"])
    assert "****" in c["customer"]["phone"] and clear not in agent.content()
    assert agent.get_by_test_id("reveal").count() == 0

    sup = login("supervisor1")
    sup.goto(f"/ui/complaints/{c['id']}")
    expect(sup.get_by_test_id("pii-phone")).to_have_text(c["customer"]["phone"])
    sup.get_by_test_id("reveal").click()
    expect(sup.get_by_test_id("pii-phone")).to_have_text(clear)
    expect(sup.get_by_test_id("revealed")).to_be_visible()
    assert views.timeline(console_ctx, c["id"])[-1]["action"] == "pii.view"
    expect(sup.locator("[data-testid=timeline] li").last).to_have_attribute("data-action", "pii.view")


GANG_TEXT = ("本人{name}于2024年在贵司借款{amount}元，因{story}无力偿还，贵司催收严重影响生活。现要求停息挂账、"
             "减免全部利息罚息、本金分{n}期偿还，否则将向银保监会、人民银行投诉并起诉。委托代理人张律师，联系电话 139-1234-5678。")
GANG_STORIES = ("疫情失业收入骤降", "生病住院花光积蓄", "生意失败负债累累", "家人重病需要照顾", "公司裁员没有收入", "车祸受伤无法工作")
GANG_NAMES = ("王伟", "李娜", "赵敏", "钱坤", "孙丽", "周杰")


def a_lead(ctx) -> dict:
    """A black/gray lead of the demo; when the demo has none, an agency's templated complaints filed
    for six customers through one agent phone make one (as the black/gray platform tests do)."""
    found = bg_leads.list_leads(ctx, limit=1)["items"]
    if found:
        return found[0]
    now = ctx.now()
    for i in range(6):
        intake.submit(ctx, {"external_id": f"E2E-GANG-{uuid.uuid4().hex[:8]}", "channel": "app",
                            "received_at": (now - timedelta(days=6 - i)).strftime("%Y-%m-%d %H:%M:%S"),
                            "customer_name": GANG_NAMES[i], "customer_phone": f"1380013{i:04d}",
                            "text": GANG_TEXT.format(name=GANG_NAMES[i], amount=10000 + 1237 * i,
                                                     story=GANG_STORIES[i], n=24 + 12 * (i % 4)),
                            "request": "停息挂账，减免利息罚息"}, actor="agent1")
    bg_leads.refresh_leads(ctx)
    return bg_leads.list_leads(ctx, limit=1)["items"][0]


def test_detail_highlights_findings_and_links_the_family_and_its_lead(login, console_ctx):
    lead = a_lead(console_ctx)
    members = [m["complaint_id"] for m in bg_leads.get_lead(console_ctx, lead["id"])["members"]]
    member = members[-1]
    text = views.get_complaint(console_ctx, member, actor_of(console_ctx, "supervisor1"))["text"]
    phrases = {s["evidence"]["matched"] for s in bg_review.flag_of(console_ctx, member)["signals"]
               if "matched" in (s.get("evidence") or {}) and s["evidence"]["matched"] in text}
    page = login("supervisor1")
    page.goto(f"/ui/complaints/{member}")
    assert page.locator("[data-testid=complaint-text] mark.finding").count() > 0
    danger = page.locator("[data-testid=complaint-text] mark.finding-danger").all_inner_texts()
    assert set(danger) <= phrases and (bool(danger) == bool(phrases))  # black/gray lexicon hits, and only those
    expect(page.locator(f'[data-testid=blackgray] a[href="/ui/blackgray/leads/{lead["id"]}"]')).to_be_visible()
    grouped = page.locator("[data-testid=related] li").evaluate_all(
        "items => items.filter(i => /family|gang/.test(i.dataset.relations)).map(i => Number(i.dataset.id))")
    assert set(members) - {member} <= set(grouped)
    shot(page, "complaint-detail")
    other = members[0]
    page.locator(f'[data-testid=related] li[data-id="{other}"] a').click()
    page.wait_for_url(f"**/ui/complaints/{other}")
    expect(page.locator(f'[data-testid=related] li[data-id="{member}"]')).to_be_visible()


def test_keyboard_reaches_an_action_and_every_control_is_labelled(login, console_ctx):
    c, _ = intake.submit(console_ctx, {"external_id": f"E2E-KB-{uuid.uuid4().hex[:8]}", "channel": "app",
                                       "customer_name": "李雷", "customer_phone": "13812340002",
                                       "received_at": console_ctx.now().strftime("%Y-%m-%d %H:%M:%S"),
                                       "text": "App 显示的还款金额与合同不一致，多扣了费用。", "request": "退还多扣费用"},
                         actor="agent1")
    page = login("agent1")
    page.goto(f"/ui/complaints/{c.id}")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
    assert unlabelled == []
    page.locator('details[data-action="accept"] summary').focus()
    page.keyboard.press("Enter")
    expect(page.locator('details[data-action="accept"]')).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    page.keyboard.type("键盘受理")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("已受理")
    assert views.timeline(console_ctx, c.id)[-1]["reason"] == "键盘受理"

    page.goto("/ui/workbench")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
    assert unlabelled == []


def test_workbench_and_detail_in_english(login, console_ctx):
    page = login("supervisor1")
    page.goto("/ui/workbench")
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    expect(page.get_by_role("heading", name="Complaint workbench")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Complaints")).to_be_visible()
    expect(page.get_by_label("Overdue")).to_be_visible()
    first = table_ids(page)[0]
    page.goto(f"/ui/complaints/{first}")
    expect(page.get_by_role("heading", name=f"Complaint #{first}")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    status = queries.find(console_ctx, status=list(workbench.OPEN_STATUSES), limit=1)["items"][0]["status"]
    from xiaobao.domain.complaint import STATUS_NAMES_EN

    expect(page.get_by_test_id("status")).to_have_text(STATUS_NAMES_EN[status])
    assert "办理轨迹" not in page.content()
