"""The complaint-points (诉点) panel of the dashboards in a real browser, on the demo: the bars and the table
show the counts a plain SQL query over the stored points gives for the last 30 days and the 30 days before,
and a click on a bar, and on a table link, lands on a list of exactly that many complaints."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import text

from .conftest import shot, wait_charts


def _expected(ctx, today, top=15):
    """[(point id, name, count, previous)] for the last 30 days against the 30 before, from the stored rows."""
    start = datetime.combine(today - timedelta(days=29), datetime.min.time())
    end = datetime.combine(today + timedelta(days=1), datetime.min.time())
    prev_start = start - timedelta(days=30)
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT p.point_id, p.name_zh, c.received_at FROM classify_points p "
                                 "JOIN complaints c ON c.id = p.complaint_id")).all()
    now, before, names = Counter(), Counter(), {}
    for pid, name, at in rows:
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        if start <= at < end:
            now[pid] += 1
            names[pid] = max(names.get(pid, ""), name)
        elif prev_start <= at < start:
            before[pid] += 1
    ranked = sorted(now, key=lambda p: (-now[p], -before[p], p))[:top]
    return [(p, names[p], now[p], before[p]) for p in ranked]


def _change(count: int, previous: int) -> str:
    if previous == 0:
        return "新出现"
    if count == previous:
        return "持平"
    return f"{'↑' if count > previous else '↓'} {abs(round(100.0 * (count - previous) / previous, 1)):g}%"


def _listed(page) -> int:
    return int(re.search(r"(\d+)", page.locator("#queue-title").inner_text()).group(1))


def test_points_panel_shows_the_stored_points_and_drills_down(login, console_ctx):
    want = _expected(console_ctx, console_ctx.today())
    assert len(want) >= 10 and any(prev for *_, prev in want)  # the demo carries points in both periods

    page = login("supervisor1")
    page.goto("/ui/dashboards?preset=30d")
    opt = wait_charts(page, "chart-top-points")["chart-top-points"]
    assert page.js_errors == []
    assert opt["yAxis"][0]["data"] == [name for _p, name, _n, _prev in want]
    assert [d["value"] for d in opt["series"][0]["data"]] == [n for *_, n, _prev in want]
    assert [d["value"] for d in opt["series"][1]["data"]] == [prev for *_, prev in want]
    assert [d["label"]["formatter"] for d in opt["series"][0]["data"]] == [f"{n}  {_change(n, prev)}"
                                                                         for *_, n, prev in want]

    table = page.get_by_test_id("table-top-points")
    rows = table.locator("tbody tr")
    assert rows.count() == len(want)
    for i, (pid, _name, n, prev) in enumerate(want):
        row = rows.nth(i)
        assert (row.get_attribute("data-point"), int(row.get_attribute("data-count")),
                int(row.get_attribute("data-previous"))) == (pid, n, prev)
        assert row.locator("td.db-change").inner_text().strip() == _change(n, prev)
    page.get_by_test_id("top-points").scroll_into_view_if_needed()
    shot(page, "dashboards-points")

    # Click the first bar (the most frequent point this period): the complaints behind it.
    pid, name, n, prev = want[0]
    page.locator("#chart-top-points").scroll_into_view_if_needed()
    box = page.locator("#chart-top-points").bounding_box()
    bar = page.evaluate("() => window.xbCharts['chart-top-points'].getModel().getSeriesByIndex(0)"
                        ".getData().getItemLayout(0)")  # the drawn rectangle of this period's first bar
    page.mouse.click(box["x"] + bar["x"] + bar["width"] / 2, box["y"] + bar["y"] + bar["height"] / 2)
    page.wait_for_url("**/ui/workbench?**point=**")
    assert _listed(page) == n
    badge = page.get_by_test_id("extra-filters").locator("[data-param=point]")
    assert name in badge.inner_text()

    # A table link: the previous-period count of a point that had one.
    page.go_back()
    i, (pid, _name, _n, prev) = next((i, w) for i, w in enumerate(want) if w[3] > 0)
    page.get_by_test_id("table-top-points").locator("tbody tr").nth(i).locator("a[data-cell=previous]").click()
    page.wait_for_url("**point=**")
    assert _listed(page) == prev


def test_points_panel_in_english(login, console_ctx):
    page = login("compliance1", lang="en")
    page.goto("/ui/dashboards?preset=30d")
    wait_charts(page, "chart-top-points")
    assert page.get_by_role("heading", name=re.compile("Top complaint points")).is_visible()
    assert page.js_errors == []


def test_a_point_is_traced_to_its_branches_and_the_numbers_drill_down(login, console_ctx):
    pid, name, n, prev = _expected(console_ctx, console_ctx.today())[0]
    page = login("supervisor1")
    page.goto("/ui/dashboards?preset=30d")
    wait_charts(page, "chart-top-points")
    link = page.get_by_test_id("table-top-points").locator(f'tr[data-point="{pid}"] a[data-cell=trace]')
    link.focus()
    page.keyboard.press("Enter")  # keyboard only: the trace link is an ordinary link
    page.wait_for_url("**/ui/dashboards/points/**")
    summary = page.get_by_test_id("trace-summary")
    assert (int(summary.get_attribute("data-count")), int(summary.get_attribute("data-previous"))) == (n, prev)
    assert name in page.get_by_role("heading", level=1).inner_text()
    branches = page.get_by_test_id("trace-branch").locator("tbody tr[data-value]")
    counts = [int(branches.nth(i).get_attribute("data-count")) for i in range(branches.count())]
    assert sum(counts) == n and counts == sorted(counts, reverse=True)
    assert page.js_errors == []
    shot(page, "dashboards-point-trace")

    top = branches.first
    branch, count = top.get_attribute("data-value"), int(top.get_attribute("data-count"))
    top.locator("a[data-cell=count]").click()
    page.wait_for_url("**/ui/workbench?**branch=**")
    assert _listed(page) == count
    assert branch in page.get_by_test_id("extra-filters").locator("[data-param=branch]").inner_text() \
        or branch == "_none"
