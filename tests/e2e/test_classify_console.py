"""The classification models page in a real browser, on the demo: reached from the navigation, its labelling
queue count is the number of complaints the workbench lists behind it, and the queue's own button in the
workbench says the same."""

from __future__ import annotations

import re

from .conftest import shot


def _listed(page) -> int:
    return int(re.search(r"(\d+)", page.locator("#queue-title").inner_text()).group(1))


def test_supervisor_reaches_the_learning_loop_and_its_labelling_queue(login, console_ctx):
    from xiaobao.services.classify import classification

    want = classification.needs_label_count(console_ctx)
    page = login("supervisor1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="分类模型").click()
    page.wait_for_url("**/ui/classify")
    loop = page.get_by_test_id("learning-loop")
    assert int(loop.locator("[data-kpi=queue]").get_attribute("data-value")) == want
    assert page.get_by_test_id("model-in-use").inner_text().strip()
    status = classification.learning_status(console_ctx)
    assert int(loop.locator("[data-kpi=corrections]").get_attribute("data-value")) == status["corrections"] > 0
    assert page.js_errors == []
    shot(page, "classify-models")
    page.get_by_test_id("labelling-queue").click()
    page.wait_for_url("**needs_label=**")
    assert _listed(page) == want
    badge = page.get_by_test_id("labelling-queue")  # the workbench's own button for the same queue
    assert int(badge.locator(".badge").get_attribute("data-count")) == want


def test_agents_do_not_see_the_models_page(login):
    page = login("agent1")
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="分类模型").count() == 0
    assert page.get_by_test_id("labelling-queue").count() == 1  # but they work the queue
