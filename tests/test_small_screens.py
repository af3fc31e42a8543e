"""A phone, 375 × 667 (issue #15): the main lists, the 工作台, the outbox and the
enterprise page never scroll sideways, every row shows its name and its status
without scrolling (priority columns: ``.col-wide`` gives way, ``.narrow-only``
folds its values under the name), in Chinese and in English, with no serious
or critical axe-core violation."""

import pytest

from .test_accessibility import AXE, violations
from .test_browser import live_server, page  # noqa: F401 - fixtures
from .test_browser_workflows import ASKED_ON, graduating, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}

# page → (a row, what names it, what gives its status); each must be in view.
ROWS = {
    "/": ("#worklist .task", "h3", ".task-count"),
    "/enterprises/": ("#enterprise-list tbody tr", "td:first-child > a", ".badge"),
    "/monitor/": ("#flags tbody tr", "td:nth-child(3) > a", "td:first-child .badge"),
    "/exits/": ("#exit-requests tbody tr", "td:first-child > a", ".badge"),
    "/monitor/outbox": ("#outbox tbody tr", "td:nth-child(3) > a", "td:first-child"),
}

# For each row: the name and the status, each shown (the first visible match),
# inside the window's width, and the name not squeezed into a column of single characters.
OUT_OF_VIEW = """([each, name, status]) => {
  const width = window.innerWidth, problems = [];
  const rows = [...document.querySelectorAll(each)];
  if (!rows.length) problems.push('no rows: ' + each);
  rows.forEach((row, i) => {
    for (const [what, selector, least] of [['name', name, 64], ['status', status, 16]]) {
      const shown = [...row.querySelectorAll(selector)].find(e => e.checkVisibility());
      if (!shown) { problems.push(`row ${i}: no ${what}`); continue; }
      const box = shown.getBoundingClientRect();
      if (box.left < 0 || box.right > width + 0.5) problems.push(`row ${i}: ${what} at ${box.left}–${box.right}`);
      if (box.width < least) problems.push(`row ${i}: ${what} only ${box.width}px wide`);
    }
  });
  return problems;
}"""


@pytest.fixture
def busy_day(use_db, world, graduating, freeze_today):
    """Flags, a mail, a record with every kind of part, and two exit requests
    (one pending, one returned), all dated around ASKED_ON."""
    from models import County, Enterprise, ExitRequest, User
    from pool.eligibility.policy import Policy
    from pool.membership import exit_requests
    from pool.monitoring import outbox, scan

    from . import model_factories as mf

    freeze_today(ASKED_ON)
    with use_db() as session:
        officer, admin = session.get(User, world.dy_officer.id), session.get(User, world.admin.id)
        snapshot = Policy().in_force(ASKED_ON)
        requests = [exit_requests.confirm_exit(session, session.get(Enterprise, enterprise_id), actor=officer,
                                               kind="graduation", rule="a", on=ASKED_ON, today=ASKED_ON,
                                               reason="新认定专利密集型产品“高频覆铜板”，满足出库条件（a）",
                                               snapshot=snapshot)
                    for enterprise_id, _name in graduating]
        assert all(isinstance(r, ExitRequest) for r in requests)
        exit_requests.send_back(session, requests[1], actor=admin, reason="请补充专利密集型产品认定证书的扫描件")
        mf.parts_of_each_kind(session, session.get(Enterprise, world.dy_ent.id), officer)
        mf.enterprise(session, session.get(County, world.dy.id), "大冶市黄金山工业新区智能装备制造股份有限公司")
        scan.scan(session, ASKED_ON)
        outbox.enqueue(session, "alert/test/dy", reason="alert", to_addr="officer.with.a.long.address@example.gov.cn",
                       subject="【培育库】大冶市新增 2 项高风险提示（2026-02-01）", text_body="正文")
        session.commit()


def check_pages(page, live_server, urls) -> dict:
    """Each page's problems: sideways scrolling, rows out of view, axe violations."""
    found = {}
    for url in urls:
        page.goto(live_server + url)
        problems = []
        scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > width:
            problems.append(f"page is {scroll}px wide in a {width}px window")
        if url in ROWS:
            problems += page.evaluate(OUT_OF_VIEW, list(ROWS[url]))
        else:  # an enterprise's page: its name and state at the top
            problems += page.evaluate(OUT_OF_VIEW, ["main", "h1", "h1 + .badge"])
        problems += violations(page)
        found[url] = problems
    return found


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_main_pages_read_on_a_phone(live_server, page, world, busy_day, language):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci)")
    page.set_viewport_size(PHONE)
    login(page, live_server, "admin")
    page.goto(f"{live_server}/lang/{language}")
    urls = ["/", "/enterprises/", "/monitor/", "/exits/", "/monitor/outbox", f"/enterprises/{world.dy_ent.id}"]
    found = check_pages(page, live_server, urls)
    assert found == {url: [] for url in urls}
    page.goto(live_server + "/exits/")  # the administrator decides from the phone: the form is in view
    button = page.locator("#exit-requests input[type=submit]").first.bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= PHONE["width"]


def test_an_officers_pages_read_on_a_phone(live_server, page, world, busy_day):
    page.set_viewport_size(PHONE)
    login(page, live_server, "dy")
    urls = ["/", "/enterprises/", "/monitor/", "/exits/", f"/enterprises/{world.dy_ent.id}"]
    found = check_pages(page, live_server, urls)
    assert found == {url: [] for url in urls}
    page.goto(f"{live_server}/enterprises/{world.dy_ent.id}")
    # the record's tables keep their lines and scroll inside the page, not the page itself
    patents = page.locator("#patents .table-responsive")
    assert patents.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.locator("#patents tbody td").first.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
