"""A real browser (Debian's Chromium via Playwright) logs in and sees the list."""
import threading
from datetime import date

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


def test_an_officer_keeps_the_record_through_two_years(live_server, page, world, use_db, freeze_today):
    """Admitted 2025-03-01: a patent granted, industrialised, a product certified
    14 months in, a certificate renewed — through the pages, as an officer would."""
    freeze_today(date(2026, 6, 1))
    base = f"{live_server}/enterprises/{world.dy_ent.id}"
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "dy")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")

    def add(part, **values):
        page.goto(base)
        page.click(f"#{part}s a:has-text('新增')")
        _fill(page, values)
        page.click("#part-form input[type=submit]")
        page.wait_for_url(base)

    def change(part, **values):
        page.goto(base)
        page.click(f"#{part}s a:has-text('修改')")
        _fill(page, values)
        page.click("#part-form input[type=submit]")
        page.wait_for_url(base)

    add("qualification", type="high_tech", level="national", certificate_no="GR202342000001",
        valid_from="2023-06-01", valid_to="2026-07-31")
    add("patent", number="ZL202410000009.1", kind="invention", application_date="2024-02-01", origin="self",
        core="1")
    assert "审查中" in page.inner_text("#patents")
    change("patent", status="valid", granted_on="2025-04-10")
    change("patent", industrialized="1", industrialized_on="2025-09-01", reason="投产")
    add("product", name="高频覆铜板", main="1", added_on="2025-09-01")
    change("product", patent_intensive="1", certificate_no="PIP-2026-017", certified_on="2026-05-06")

    timeline = page.inner_text(".timeline")
    assert "新增产业化专利" in timeline and "新认定专利密集型产品" in timeline
    assert "由记录变更自动识别" in timeline
    assert "建议培育出库（a）" in page.inner_text("#actions")
    assert "高频覆铜板" in page.inner_text("#actions")

    page.goto(base)
    page.click("#qualifications a:has-text('续期')")
    _fill(page, {"certificate_no": "GR202642000777", "approved_on": "2026-05-20", "valid_from": "2026-05-20",
                 "valid_to": "2029-05-19"})
    page.click("#part-form input[type=submit]")
    page.wait_for_url(base)
    assert "GR202642000777" in page.inner_text("#qualifications")

    # as of a past day: what was known then
    page.fill("#as_of", "2025-03-31")
    page.click("#as-of-form button")
    page.wait_for_selector("#as-of-banner")
    assert "审查中" in page.inner_text("#patents")
    assert "高频覆铜板" not in page.inner_text("#products")
    page.fill("#as_of", "2025-12-31")
    page.click("#as-of-form button")
    page.wait_for_selector("#as-of-banner")
    assert "有效" in page.inner_text("#patents") and "高频覆铜板" in page.inner_text("#products")
    assert "（2026-05-06）" not in page.inner_text("#products")
    page.click("#as-of-banner a")
    page.wait_for_selector("#actions")

    # the history of the patent names every change with its effective day
    page.click("#patents a:has-text('历史')")
    history = page.inner_text("#history")
    assert "2025-04-10" in history and "2025-09-01" in history and "投产" in history


def _fill(page, values):
    for name, value in values.items():
        selector = f"#part-form [name={name}]"
        if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def test_the_enterprise_page_prints_without_navigation_or_buttons(live_server, page, world):
    pypdf = pytest.importorskip("pypdf")
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "dy")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/enterprises/{world.dy_ent.id}")
    page.emulate_media(media="print")
    assert not page.is_visible("nav.navbar") and page.is_visible(".print-footer")
    assert all(not b.is_visible() for b in page.query_selector_all(".btn"))
    import io
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    # Chromium embeds the CJK font without a text map, so the PDF's Latin text is what reads back.
    words = "".join(p.extract_text() for p in pdf.pages)
    assert world.dy_ent.uscc in words and "2026-" in words  # the record and the footer's date
    assert "English" not in words and "API" not in words  # the navigation and its menu are not printed
    assert f"1 / {len(pdf.pages)}" in words  # page numbers in the footer
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points


def test_an_officer_takes_a_flag_from_the_home_page(live_server, page, world, use_db):
    """工作台 → the flag's page → acknowledge and assign it to a colleague (issue #15)."""
    from pool.monitoring import scan as monitoring

    from . import model_factories as mf

    with use_db() as session:
        from models import County
        mf.user(session, "dy_2", county=session.get(County, world.dy.id))
        monitoring.scan(session, date.today())  # world.dy_ent has nothing recorded: flags
        session.commit()
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "dy")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/")
    page.wait_for_selector("#worklist .task")
    assert "高风险提示" in page.inner_text("#worklist")
    page.click("#worklist .task[data-task='flags:high'] h3 a")
    page.wait_for_selector("#monitor-filters, #flags")
    page.click("#flags tbody tr >> nth=0 >> td >> nth=1 >> a")
    page.wait_for_selector("#flag-history")
    page.click("button:has-text('确认知悉'), input[value='确认知悉']")
    page.wait_for_selector("text=已确认知悉")
    page.select_option("select[name=assignee]", label="dy_2")
    page.click("input[value='指派']")
    page.wait_for_selector("text=已更新负责人")
    assert "dy_2" in page.inner_text("#assignee")
    assert "指派给dy_2" in page.inner_text("#flag-history")
