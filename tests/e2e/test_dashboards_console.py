"""Dashboards and reports in a real browser, on the 400-complaint demo: the numbers the charts draw equal
counts made here from the database rows (plain SQL and Python, not the dashboard queries), a click on a
chart and on a table link lands on a list of exactly that many complaints, and a report downloaded in the
browser opens in openpyxl with the right figures and is in the audit trail with its SHA-256."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import text

from .conftest import shot, wait_charts

OPEN = {"received", "accepted", "in_progress", "paused", "decided"}
CHARTS = ("chart-points-heatmap", "chart-points-channel", "chart-trend", "chart-clock", "chart-fcr",
          "chart-satisfaction", "chart-shares", "chart-families")


def _rows(ctx, start: date, end: date) -> list[dict]:
    """Complaints received from `start` to `end` (both included), straight from the table."""
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, channel, category, product, received_at, status, decided_at, due_date, clock_policy, "
            "clock_level, satisfaction, repeat_of_id, flags, review_requested_at FROM complaints "
            "WHERE received_at >= :a AND received_at < :b"),
            {"a": datetime.combine(start, datetime.min.time()),
             "b": datetime.combine(end + timedelta(days=1), datetime.min.time())}).mappings().all()
    out = []
    for r in rows:
        r = dict(r)
        for k in ("received_at", "decided_at", "review_requested_at"):
            if isinstance(r[k], str):
                r[k] = datetime.fromisoformat(r[k])
        if isinstance(r["due_date"], str):
            r["due_date"] = date.fromisoformat(r["due_date"])
        r["flags"] = json.loads(r["flags"]) if isinstance(r["flags"], str) else (r["flags"] or [])
        out.append(r)
    return out


def _outcome(r: dict, today: date) -> str:
    if r["decided_at"] is not None:
        return "on_time" if r["due_date"] is None or r["decided_at"].date() <= r["due_date"] else "late"
    if r["status"] in OPEN:
        return "overdue" if r["status"] != "paused" and r["due_date"] and r["due_date"] < today else "pending"
    return "ended"


def _first_contact(ctx, rows: list[dict]) -> int:
    """Decided, routed to L1 at intake, no transfer before the decision, no 核查 asked: from the audit rows."""
    with ctx.store.engine.connect() as conn:
        events = conn.execute(text("SELECT entity_id, action, at, content FROM audit_log WHERE entity_type = 'complaint' "
                                   "AND action IN ('complaint.create', 'transfer')")).all()
    created, transfers = {}, {}
    for eid, action, at, content in events:
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        if action == "complaint.create":
            body = json.loads(content) if isinstance(content, str) else content
            created[int(eid)] = body["after"]["tier"]
        else:
            transfers.setdefault(int(eid), []).append(at)
    return sum(1 for r in rows if r["decided_at"] and r["review_requested_at"] is None
               and created.get(r["id"]) == "L1" and not any(t <= r["decided_at"] for t in transfers.get(r["id"], [])))


def _listed(page) -> int:
    """How many complaints the workbench list says it holds (its heading: 投诉列表（N 件）)."""
    return int(re.search(r"(\d+)", page.locator("#queue-title").inner_text()).group(1))


def _values(series: dict) -> list:
    return [d["value"] if isinstance(d, dict) else d for d in series["data"]]


def test_dashboard_charts_show_the_numbers_in_the_database_and_drill_down(login, console_ctx):
    today = console_ctx.today()
    start = today - timedelta(days=179)
    rows = _rows(console_ctx, start, today)
    assert len(rows) > 300  # the demo's six months

    page = login("supervisor1")
    page.goto("/ui/dashboards?preset=180d")
    drawn = [c for c in CHARTS if page.locator(f"#{c}").count()]  # no families chart when there are none
    assert set(CHARTS) - set(drawn) <= {"chart-families"}
    opts = wait_charts(page, *drawn)
    assert page.js_errors == []

    # KPI cards
    kpi = lambda key, attr="data-value": page.locator(f"[data-kpi={key}]").get_attribute(attr)  # noqa: E731
    assert int(kpi("received")) == len(rows)
    outcomes = Counter(_outcome(r, today) for r in rows)
    assert int(kpi("overdue")) == outcomes["overdue"]
    assert (int(kpi("compliance", "data-num")), int(kpi("compliance", "data-den"))) == (
        outcomes["on_time"], outcomes["on_time"] + outcomes["late"] + outcomes["overdue"])
    decided = sum(1 for r in rows if r["decided_at"])
    assert (int(kpi("fcr", "data-num")), int(kpi("fcr", "data-den"))) == (_first_contact(console_ctx, rows), decided)
    assert int(kpi("repeat", "data-num")) == sum(1 for r in rows if r["repeat_of_id"])
    assert int(kpi("blackgray", "data-num")) == sum(1 for r in rows if "blackgray_suspect" in r["flags"])

    # Clock compliance bars: decided within 15 / 30 / 60 days, late, overdue, pending, ended.
    days_of = {("nfra_standard", 0): 15, ("nfra_standard", 1): 30, ("nfra_standard", 2): 60,
               ("pboc_forwarded", 0): 15, ("pboc_forwarded", 1): 60}
    within = Counter(days_of[(r["clock_policy"], r["clock_level"])] for r in rows if _outcome(r, today) == "on_time")
    expected_bars = [within[d] for d in sorted(within)] + [outcomes[k] for k in ("late", "overdue", "pending", "ended")]
    assert _values(opts["chart-clock"]["series"][0]) == expected_bars

    # First-contact resolution and satisfaction pies.
    fcr = _first_contact(console_ctx, rows)
    assert _values(opts["chart-fcr"]["series"][0]) == [fcr, decided - fcr]
    sat = Counter(r["satisfaction"] or "_none" for r in rows)
    assert _values(opts["chart-satisfaction"]["series"][0]) == [
        sat[k] for k in ("satisfied", "basically_satisfied", "dissatisfied", "unreachable", "_none")]
    assert _values(opts["chart-shares"]["series"][0]) == [int(kpi("repeat", "data-num")), int(kpi("blackgray", "data-num"))]

    # Heatmap: [product index, category index, count] against the axis labels.
    heat = opts["chart-points-heatmap"]
    products, categories = heat["xAxis"][0]["data"], heat["yAxis"][0]["data"]
    names = {c.code: c.name_zh for c in console_ctx.rules.categories.values()}
    got = {(categories[y], products[x]): v for x, y, v in _values(heat["series"][0])}
    # Complaints other browser tests take in through the intake form may have no category yet: 未分类.
    want = Counter((names.get(r["category"], r["category"]) if r["category"] else "未分类", r["product"] or "未填写")
                   for r in rows)
    assert got == dict(want)

    # Trend: weekly buckets (the range is longer than 62 days), total line first.
    trend = opts["chart-trend"]
    first_monday = start - timedelta(days=start.weekday())
    weekly = Counter((r["received_at"].date() - first_monday).days // 7 for r in rows)
    assert _values(trend["series"][0]) == [weekly.get(i, 0) for i in range(len(trend["xAxis"][0]["data"]))]
    app_name = console_ctx.rules.channels["app"].name_zh
    app_series = next(s for s in trend["series"] if s["name"] == app_name)
    app_weekly = Counter((r["received_at"].date() - first_monday).days // 7 for r in rows if r["channel"] == "app")
    assert _values(app_series) == [app_weekly.get(i, 0) for i in range(len(app_series["data"]))]

    # Top families: lead members received in the range, leads neither rejected nor merged.
    ids = {r["id"] for r in rows}
    with console_ctx.store.engine.connect() as conn:
        members = conn.execute(text("SELECT m.lead_id, m.complaint_id, l.status FROM bg_lead_members m "
                                    "JOIN bg_leads l ON l.id = m.lead_id")).all()
    per_lead = Counter(lead for lead, cid, status in members if cid in ids and status not in ("merged", "rejected"))
    if per_lead:
        assert sorted(_values(opts["chart-families"]["series"][0]), reverse=True) == sorted(per_lead.values(),
                                                                                         reverse=True)[:10]
    else:
        assert page.get_by_test_id("families-empty").is_visible()

    # Definitions are on the page.
    assert "一线座席（L1）" in page.get_by_test_id("fcr-definition").inner_text()
    shot(page, "dashboards")

    # Click the first bar of the clock chart (decided within 15 days): the list behind it.
    page.locator("#chart-clock").scroll_into_view_if_needed()
    box = page.locator("#chart-clock").bounding_box()
    x, y = page.evaluate("() => window.xbCharts['chart-clock'].convertToPixel({seriesIndex: 0}, "
                         "[window.xbCharts['chart-clock'].getOption().series[0].data[0].value / 2, 0])")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/ui/workbench?**decided_within=15**")
    assert _listed(page) == expected_bars[0]
    assert page.get_by_test_id("complaints-table").locator("tbody tr").count() == min(expected_bars[0], 50)

    # A table link under a chart: the overdue row of the clock table.
    page.go_back()
    page.get_by_test_id("table-clock").locator("tr[data-row=overdue] a").click()
    page.wait_for_url("**clock_outcome=overdue**")
    assert _listed(page) == outcomes["overdue"]

    # A KPI card: repeat complaints.
    page.go_back()
    page.locator("[data-kpi=repeat] a").click()
    page.wait_for_url("**repeat=1**")
    assert _listed(page) == sum(1 for r in rows if r["repeat_of_id"])


def test_dashboard_in_english_and_forbidden_to_agents(login):
    page = login("compliance1", lang="en")
    page.goto("/ui/dashboards")
    wait_charts(page, "chart-trend", "chart-clock")
    assert page.get_by_role("heading", name="Consumer-protection dashboards").is_visible()
    agent = login("agent1")
    assert "/ui/dashboards" not in agent.get_by_role("navigation", name="主导航").inner_html()
    response = agent.goto("/ui/dashboards")
    assert response.status == 403


def test_report_downloads_in_the_browser_and_opens_in_openpyxl(login, console_ctx, tmp_path):
    today = console_ctx.today()
    last = today.replace(day=1) - timedelta(days=1)
    month = f"{last:%Y-%m}"
    received = len(_rows(console_ctx, last.replace(day=1), last))
    page = login("supervisor1")
    page.goto("/ui/reports")
    preview = page.get_by_test_id("report-preview")
    assert preview.get_attribute("data-key") == month  # the latest complete month by default
    assert int(page.get_by_test_id("report-received").inner_text()) == received
    shot(page, "reports")
    with page.expect_download() as info:
        page.locator(f"[data-download='monthly:{month}']").click()
    download = info.value
    assert download.suggested_filename == f"complaint-monthly-{month}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    wb = load_workbook(path)
    assert wb.sheetnames[:4] == ["封面", "总体情况", "A-业务办理渠道", "渠道明细"]
    summary = {r[0]: r[1] for r in wb["总体情况"].iter_rows(min_row=3, values_only=True)}
    assert summary["受理投诉"] == received
    channel_total = [r for r in wb["渠道明细"].iter_rows(min_row=3, values_only=True) if r[0] == "合计"][0][2]
    assert channel_total == received
    with console_ctx.store.engine.connect() as conn:
        content = conn.execute(text("SELECT content FROM audit_log WHERE action = 'report.export' "
                                    "AND entity_id = :e ORDER BY seq DESC LIMIT 1"), {"e": f"monthly:{month}"}).scalar()
    content = json.loads(content) if isinstance(content, str) else content
    assert content["data"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
