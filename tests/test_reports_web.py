"""The report pages and downloads (/reports/…): files, filenames, scoping, bad dates."""
import csv
import io
import re
from datetime import date, datetime
from urllib.parse import quote

import openpyxl
import pytest

from models import County, Enterprise, User
from pool.io import exports
from pool.eligibility import uscc

from . import model_factories as mf
from .test_exports import build_history


@pytest.fixture
def history(world, use_db) -> dict[str, int]:
    """``build_history`` on the world's counties and officers (see test_exports)."""
    with use_db() as session:
        ids = build_history(session, session.get(County, world.dy.id),
                            session.get(County, world.yx.id),
                            session.get(User, world.dy_officer.id),
                            session.get(User, world.yx_officer.id))
        session.commit()
    return ids


@pytest.fixture
def today(monkeypatch):
    """Freeze the web layer's today."""
    def freeze(day: date):
        monkeypatch.setattr("pool.web.clock.today", lambda: day)
        return day
    return freeze


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def xlsx_table(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return list(book.worksheets[0].iter_rows(values_only=True))


def column(table, header: str) -> list:
    index = table[0].index(header)
    return [row[index] for row in table[1:]]


# --- downloads of the pool ----------------------------------------------------------

def test_pool_csv_filename_and_content(client, auth, world, history, today):
    today(date(2026, 6, 30))
    auth.login("dy")
    response = client.get("/reports/pool.csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition == ('attachment; filename="pool-2026-06-30.csv"; '
                           f"filename*=UTF-8''{quote('培育库企业名单_2026-06-30.csv')}")
    assert response.headers["Cache-Control"] == "no-store"
    table = csv_table(response)
    assert table[0][:4] == ["企业名称", "统一社会信用代码", "县（市、区）", "状态"]
    assert set(column(table, "县（市、区）")) == {"大冶市"}
    assert world.dy_ent.name in column(table, "企业名称")
    assert "阳新丁医药有限公司" not in column(table, "企业名称")
    states = dict(zip(column(table, "企业名称"), column(table, "状态")))
    assert states["大冶乙材料有限公司"] == "已退库" and states["大冶甲科技有限公司"] == "已出库"


def test_pool_xlsx_takes_the_list_filters(client, auth, world, history):
    auth.login("admin")
    table = xlsx_table(client.get(f"/reports/pool.xlsx?state=admitted&county={world.yx.id}"))
    assert column(table, "企业名称") == ["阳新丁医药有限公司"]
    table = xlsx_table(client.get("/reports/pool.xlsx?q=乙材料"))
    assert column(table, "企业名称") == ["大冶乙材料有限公司"]
    assert column(table, "入库日期") == [datetime(2025, 2, 1)]  # a date cell
    table = xlsx_table(client.get("/reports/pool.xlsx"))
    assert {world.dy_ent.name, world.yx_ent.name} <= set(column(table, "企业名称"))


def test_an_officer_cannot_export_another_countys_pool(client, auth, world, history):
    auth.login("dy")
    for url in (f"/reports/pool.csv?county={world.yx.id}", "/reports/pool.csv?state=admitted"):
        table = csv_table(client.get(url))
        assert set(column(table, "县（市、区）")) <= {"大冶市"}, url
        assert world.yx_ent.name not in column(table, "企业名称")
    table = xlsx_table(client.get(f"/reports/pool.xlsx?county={world.yx.id}"))
    assert set(column(table, "县（市、区）")) == {"大冶市"}


def test_bad_list_filters_are_ignored_not_errors(client, auth, world, history):
    auth.login("admin")
    for query in ("county=abc", "state=nonsense", "q=" + "长" * 500):
        assert client.get(f"/reports/pool.csv?{query}").status_code == 200, query


def test_formula_names_are_neutralised_in_downloads(client, auth, world, use_db):
    with use_db() as session:
        mf.enterprise(session, session.get(County, world.dy.id), '=HYPERLINK("http://x")')
        session.commit()
    auth.login("dy")
    assert "'=HYPERLINK(\"http://x\")" in column(csv_table(client.get("/reports/pool.csv")),
                                                 "企业名称")
    response = client.get("/reports/pool.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    cells = [row[0] for row in book.worksheets[0].iter_rows(min_row=2)]
    as_text = [c for c in cells if c.value == "=HYPERLINK(\"http://x\")"]
    assert len(as_text) == 1 and as_text[0].data_type == "s"  # a text cell, never a formula


def test_downloads_need_a_login(client, world):
    for url in ("/reports/pool.csv", "/reports/events.xlsx", "/reports/pool-on",
                "/reports/overview", "/reports/"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the event log ------------------------------------------------------------------

def test_events_csv_is_scoped_and_dated(client, auth, world, history):
    auth.login("yx")
    table = csv_table(client.get("/reports/events.csv"))
    assert table[0] == ["日期", "企业", "统一社会信用代码", "县（市、区）", "类型", "子类型", "原状态",
                        "新状态", "增补", "操作人", "记录时间", "原因"]
    assert set(column(table, "企业")) == {"阳新丁医药有限公司"}
    auth.logout()
    auth.login("dy")
    response = client.get("/reports/events.csv?from=2025-06-01&to=2025-06-01")
    assert "filename*=UTF-8''" + quote("培育库事件记录_2025-06-01起至2025-06-01.csv") in \
        response.headers["Content-Disposition"]
    assert 'filename="events-from-2025-06-01-to-2025-06-01.csv"' in \
        response.headers["Content-Disposition"]
    table = csv_table(response)
    assert set(column(table, "日期")) == {"2025-06-01"}
    assert sorted(column(table, "类型")) == ["状态变更", "诚信事件"]
    assert "阳新县" not in column(table, "县（市、区）")


def test_events_xlsx_for_the_admin_holds_every_county(client, auth, world, history):
    auth.login("admin")
    table = xlsx_table(client.get("/reports/events.xlsx?to=2025-01-31"))
    assert set(column(table, "县（市、区）")) == {"大冶市", "阳新县"}
    assert max(column(table, "日期")).date() == date(2025, 1, 20)


@pytest.mark.parametrize("url, named", [
    ("/reports/events.csv?from=2025-13-01", "2025-13-01"),
    ("/reports/events.xlsx?to=yesterday", "yesterday"),
    ("/reports/events.csv?from=20250101", "20250101"),
    ("/reports/pool-on?date=2025-02-30", "2025-02-30"),
    ("/reports/pool-on.csv?date=%3Cscript%3E", "&lt;script&gt;"),
    ("/reports/events.csv?from=2025-06-02&to=2025-06-01", "晚于"),
])
def test_bad_dates_answer_a_clear_400(client, auth, world, url, named):
    auth.login("admin")
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert named in page and "Traceback" not in page
    assert "<script>" not in page


# --- the pool on a date ---------------------------------------------------------------

def test_pool_on_page_defaults_to_today(client, auth, world, history, today):
    today(date(2025, 2, 1))
    auth.login("admin")
    page = client.get("/reports/pool-on").get_data(as_text=True)
    assert 'value="2025-02-01"' in page
    members = re.search(r'id="pool-on-members">(.*?)</table>', page, re.S).group(1)
    for name in ("大冶甲科技有限公司", "大冶乙材料有限公司", "阳新丁医药有限公司"):
        assert name in members
    assert "大冶丙装备有限公司" not in members
    assert world.dy_ent.name not in members  # marked admitted, but no admission in the log
    counts = re.search(r'id="pool-on-counts">(.*?)</table>', page, re.S).group(1)
    assert re.search(r"大冶市</td><td class=\"num\">2<", counts)
    assert re.search(r"阳新县</td><td class=\"num\">1<", counts)
    assert re.search(r"合计</td><td class=\"num\">3<", counts)
    assert "/reports/pool-on.csv?date=2025-02-01" in page
    assert "/reports/pool-on.xlsx?date=2025-02-01" in page


@pytest.mark.parametrize("on, expected", [
    ("2025-01-09", []),
    ("2025-01-10", ["大冶甲科技有限公司"]),
    ("2025-06-01", ["大冶甲科技有限公司"]),  # B expelled that day
    ("2026-01-31", ["大冶甲科技有限公司"]),
    ("2026-02-01", []),  # A graduated that day
    ("2026-03-01", ["大冶戊电子有限公司"]),
])
def test_pool_on_file_for_an_officer(client, auth, world, history, on, expected):
    auth.login("dy")
    response = client.get(f"/reports/pool-on.csv?date={on}")
    assert f'filename="pool-on-{on}.csv"' in response.headers["Content-Disposition"]
    table = csv_table(response)
    assert table[0] == ["企业名称", "统一社会信用代码", "县（市、区）", "入库日期", "当前状态"]
    assert column(table, "企业名称") == expected
    xlsx = xlsx_table(client.get(f"/reports/pool-on.xlsx?date={on}"))
    assert column(xlsx, "企业名称") == expected


def test_pool_on_paginates(app, client, auth, world, use_db, today):
    from .test_exports import enrol
    from .test_lifecycle import open_round

    with use_db() as session:
        dy, officer = session.get(County, world.dy.id), session.get(User, world.dy_officer.id)
        open_round(session, date(2025, 1, 1), None)
        for i in range(app.config["PAGE_SIZE"] + 3):
            enrol(session, dy, officer, f"分页企业{i:02d}", date(2025, 1, 2), date(2025, 1, 3))
        session.commit()
    today(date(2025, 1, 3))
    auth.login("dy")
    first = client.get("/reports/pool-on").get_data(as_text=True)
    assert "分页企业00" in first and "分页企业27" not in first
    assert f"共 {app.config['PAGE_SIZE'] + 3} 条，第 1 / 2 页" in first
    second = client.get("/reports/pool-on?date=2025-01-03&page=2").get_data(as_text=True)
    assert "分页企业27" in second and "分页企业00" not in second
    assert client.get("/reports/pool-on?date=2025-01-03&page=99").status_code == 200


# --- the overview -------------------------------------------------------------------

def quota_cells(page: str, county_id: int) -> dict[str, int]:
    row = re.search(rf'<tr data-county="{county_id}">(.*?)</tr>', page, re.S).group(1)
    return {name: int(value) for name, value in
            re.findall(r'quota-(\w+)[^>]*>(\d+)<', row)}


def test_overview_for_the_admin_shows_every_county_and_quota(client, auth, world, history, today):
    today(date(2026, 3, 1))
    auth.login("admin")
    page = client.get("/reports/overview").get_data(as_text=True)
    assert quota_cells(page, world.dy.id) == {"graduated": 1, "replenished": 1, "limit": 2,
                                              "left": 1}
    assert quota_cells(page, world.yx.id) == {"graduated": 0, "replenished": 0, "limit": 0,
                                              "left": 0}
    assert "合计" in page and "× 2" in page
    today(date(2026, 2, 28))  # before the replenishment
    page = client.get("/reports/overview").get_data(as_text=True)
    assert quota_cells(page, world.dy.id)["left"] == 2


def test_overview_for_an_officer_shows_only_their_county(client, auth, world, history, today):
    today(date(2026, 3, 1))
    auth.login("yx")
    page = client.get("/reports/overview").get_data(as_text=True)
    assert f'data-county="{world.yx.id}"' in page
    assert f'data-county="{world.dy.id}"' not in page and "大冶市" not in page


def test_reports_index_links_everything(client, auth, world):
    auth.login("dy")
    page = client.get("/reports/").get_data(as_text=True)
    for url in ("/reports/overview", "/reports/pool-on", "/reports/pool.csv",
                "/reports/pool.xlsx", "/reports/events.csv", "/reports/events.xlsx"):
        assert url in page, url


def test_a_pool_bigger_than_a_batch_streams_whole(client, auth, world, use_db):
    """More rows than one ``yield_per`` batch: the stream reads them after the
    view's context was torn down (a server-side cursor on PostgreSQL)."""
    n = exports.BATCH * 2 + 7
    with use_db() as session:
        session.add_all([Enterprise(uscc=uscc.make("91", world.dy.code, f"BATCH{i:04d}"),
                                    name=f"批量企业{i:04d}", county_id=world.dy.id)
                         for i in range(n)])
        session.commit()
    auth.login("dy")
    table = csv_table(client.get("/reports/pool.csv"))
    assert len(table) == 1 + n + 1  # header, the batch, world.dy_ent
    assert column(table, "企业名称")[-1] == "批量企业{:04d}".format(n - 1)
    assert len(xlsx_table(client.get("/reports/pool.xlsx"))) == 1 + n + 1
