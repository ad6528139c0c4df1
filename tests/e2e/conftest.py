"""Browser tests: the console served by uvicorn on the demo data, driven by Debian's chromium (headless)
through Playwright. Chromium comes from the system package; if it is missing, the test setup installs it
with apt-get (the project's own setup step), and fails with the reason if that is impossible.

A CJK font (fonts-wqy-microhei) is installed the same way, or screenshots would show Chinese as boxes.
Screenshots go to tests/e2e/artifacts/ (kept by CI as test artefacts); with XIAOBAO_DOCS_SCREENSHOTS=1 they
are also written to docs/screenshots/, which is how the README's pictures are refreshed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("XIAOBAO_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
DOCS = ROOT / "docs" / "screenshots"
PASSWORD = "xiaobao-demo"
VIEWPORT = {"width": 1366, "height": 768}


SYSTEM_PACKAGES = ("chromium", "fonts-wqy-microhei")  # the browser, and a CJK font so pages render Chinese
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _ensure_chromium() -> str:
    """Debian's chromium and a CJK font, installed with apt-get when missing (the project's own setup)."""
    if Path(CHROMIUM).exists() and CJK_FONT.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(f"浏览器测试需要 Debian 软件包 {' '.join(SYSTEM_PACKAGES)}，且本机没有 apt-get 可安装它们")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = [apt, "install", "-y", "-q", "--no-install-recommends", *SYSTEM_PACKAGES]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run([apt, "update", "-q"], env=env, capture_output=True, text=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.fail(f"无法安装 {' '.join(SYSTEM_PACKAGES)}（apt-get 退出码 {done.returncode}）：{done.stderr[-500:]}")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def console_ctx(tmp_path_factory):
    from xiaobao.config import Settings
    from xiaobao.services.context import open_context
    from xiaobao.demo.complaints import load_demo

    d = tmp_path_factory.mktemp("console")
    ctx = open_context(Settings(database_url=f"sqlite:///{d}/console.db", keyfile=str(d / "keys.json"),
                                argon2="1,1024,1"))
    load_demo(ctx, complaints=int(os.environ.get("XIAOBAO_E2E_COMPLAINTS", "400")))
    return ctx


@pytest.fixture(scope="session")
def base_url(console_ctx):
    import uvicorn

    from xiaobao.api.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(console_ctx), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("控制台服务未能在 30 秒内启动")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = _ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def login(browser, base_url):
    """login("supervisor1") → a logged-in Playwright page at 1366×768 in Simplified Chinese."""
    contexts = []

    def _login(username: str, lang: str = "zh"):
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN" if lang == "zh" else "en-US",
                                      base_url=base_url)
        context.set_default_timeout(15_000)
        if lang != "zh":
            context.add_cookies([{"name": "xb_lang", "value": lang, "url": base_url}])
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        page.goto("/ui/login")
        page.get_by_label("用户名" if lang == "zh" else "Username").fill(username)
        page.get_by_label("密码" if lang == "zh" else "Password").fill(PASSWORD)
        page.get_by_role("button", name="登录" if lang == "zh" else "Log in").click()
        page.wait_for_url(lambda url: "/ui/login" not in url)
        return page

    yield _login
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    """Screenshot of the whole page: a test artefact, and a docs picture when asked for."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("XIAOBAO_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / f"{name}.png")
    return path


def wait_charts(page, *ids: str) -> dict:
    """Wait until the named charts rendered; returns {id: option-as-ECharts-holds-it}."""
    for chart_id in ids:
        page.wait_for_function("id => window.xbCharts && window.xbCharts[id] && "
                               "document.getElementById(id).dataset.rendered === 'true'", arg=chart_id)
    return page.evaluate("ids => Object.fromEntries(ids.map(id => [id, window.xbCharts[id].getOption()]))",
                         list(ids))
