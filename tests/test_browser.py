"""A real browser (Debian's Chromium via Playwright) logs in and sees the list."""
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app

from .conftest import make_config

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(database_url, world):
    """The app on a free loopback port, CSRF on as in production."""
    app = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="zh-CN")
        yield context.new_page()
        browser.close()


def test_officer_logs_in_and_sees_own_enterprises(live_server, page, world):
    page.goto(live_server + "/")
    assert "/auth/login" in page.url
    page.fill("input[name=username]", "dy")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")
    page.click("text=企业名录")
    page.wait_for_selector("#enterprise-list")
    table = page.inner_text("#enterprise-list")
    assert world.dy_ent.name in table
    assert world.yx_ent.name not in table
    page.fill("input[name=q]", "磁湖")
    page.click("button:has-text('查询')")
    page.wait_for_selector("#enterprise-list")
    page.click(f"text={world.dy_ent.name}")
    assert page.inner_text("h1") == world.dy_ent.name
    # Logging out is a CSRF-protected POST from the user menu.
    page.click("nav .dropdown-toggle")
    page.click("text=退出登录")
    page.wait_for_selector("text=您已退出登录")


def test_confirmation_comes_from_the_static_script_under_a_strict_csp(live_server, page, world,
                                                                      use_db):
    """A check named like script: the confirm shows it as text, nothing else runs."""
    from .test_records_web import save_check
    from .test_script_injection import PAYLOAD

    application_id = save_check(use_db, world.dy.id, "dy", name=PAYLOAD)
    page.add_init_script("window.__csp = []; document.addEventListener("
                         "'securitypolicyviolation', e => window.__csp.push(e.violatedDirective));")
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    dialogs, answers = [], [False, True]

    def answer(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "dy")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")
    register = f"{live_server}/records/from-check/{application_id}"
    page.goto(register)
    page.click("button:has-text('确认登记')")  # dismissed: nothing is posted
    assert page.url == register
    assert page.evaluate("window.__csp") == []
    with page.expect_navigation():
        page.click("button:has-text('确认登记')")  # accepted
    page.wait_for_selector("text=已登记为申报企业")
    expected = f"确认将“{PAYLOAD}”登记为申报企业？登记后不能撤销。"
    assert dialogs == [("confirm", expected), ("confirm", expected)]
    assert page.evaluate("window.__csp") == []
    assert not [line for line in console if "Content Security Policy" in line], console
