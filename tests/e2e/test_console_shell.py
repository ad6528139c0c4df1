"""Login, role-aware navigation, language switch, keyboard access — in a real browser."""

from __future__ import annotations

from xiaobao.domain.roles import ROLE_NAMES_ZH, Role

from .conftest import shot


def test_login_page_refuses_wrong_password_in_chinese(browser, base_url):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base_url)
    page = context.new_page()
    page.goto("/ui/")
    assert "/ui/login" in page.url  # not logged in: sent to the login form, keeping where we were going
    page.get_by_label("用户名").fill("agent1")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_test_id("login-error").inner_text() == "用户名或密码错误"
    shot(page, "login")
    context.close()


def test_navigation_depends_on_role(login):
    agent = login("agent1")
    agent_nav = agent.get_by_role("navigation", name="主导航").get_by_role("link").all_inner_texts()
    compliance = login("compliance1")
    compliance_nav = compliance.get_by_role("navigation", name="主导航").get_by_role("link").all_inner_texts()
    assert agent_nav and compliance_nav
    assert agent_nav != compliance_nav
    assert agent.get_by_test_id("current-user").inner_text().endswith(ROLE_NAMES_ZH[Role.AGENT])


def test_language_switch_to_english_and_back(login):
    page = login("supervisor1")
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Log out").is_visible()
    page.get_by_role("link", name="中文").click()
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.get_by_role("button", name="退出").is_visible()


def test_skip_link_is_first_tab_stop(login):
    page = login("supervisor1")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
