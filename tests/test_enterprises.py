"""The enterprise list (search, filters, pagination) and the enterprise page."""
import re
from datetime import date
from decimal import Decimal

from models import County, PoolEvent, YearlyFigure

from . import model_factories as mf


def test_list_paginates(app, client, auth, world, use_db):
    with use_db() as session:
        dy = session.get(County, world.dy.id)
        for i in range(30):
            mf.enterprise(session, dy, name=f"大冶分页企业{i:02d}有限公司")
        session.commit()
    auth.login("dy")
    first = client.get("/enterprises/").get_data(as_text=True)
    assert "共 31 条，第 1 / 2 页" in first
    second = client.get("/enterprises/?page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second
    assert first.count("<tr>") - 1 == app.config["PAGE_SIZE"]
    # A page past the end shows an empty page, not an error.
    assert client.get("/enterprises/?page=99").status_code == 200


def test_search_by_name_and_uscc_prefix(client, auth, world):
    auth.login("admin")
    page = client.get("/enterprises/?q=磁湖").get_data(as_text=True)
    assert world.dy_ent.name in page and world.yx_ent.name not in page
    page = client.get(f"/enterprises/?q={world.yx_ent.uscc[:12].lower()}").get_data(as_text=True)
    assert world.yx_ent.name in page and world.dy_ent.name not in page


def test_search_treats_wildcards_literally(client, auth, world):
    auth.login("admin")
    page = client.get("/enterprises/?q=%25").get_data(as_text=True)
    assert "没有符合条件的企业" in page


def test_filter_by_county_and_state(client, auth, world):
    auth.login("admin")
    page = client.get(f"/enterprises/?county={world.yx.id}").get_data(as_text=True)
    assert world.yx_ent.name in page and world.dy_ent.name not in page
    page = client.get("/enterprises/?state=admitted").get_data(as_text=True)
    assert world.dy_ent.name in page and world.yx_ent.name not in page


def test_bad_filter_values_do_not_break_the_page(client, auth, world):
    auth.login("admin")
    for query in ("county=abc", "state=nonsense", "page=-1", "page=x", "q=" + "长" * 500):
        assert client.get(f"/enterprises/?{query}").status_code == 200, query


def test_enterprise_page_shows_figures_and_timeline(client, auth, world, use_db):
    with use_db() as session:
        session.add(YearlyFigure(enterprise_id=world.dy_ent.id, year=2025,
                                 operating_revenue=Decimal("2002"), rd_expense=Decimal("200.2"),
                                 employees=100, rd_staff=20))
        session.add(PoolEvent(enterprise_id=world.dy_ent.id, county_id=world.dy.id,
                              kind="state_change", from_state="applied", to_state="admitted",
                              effective_on=date(2025, 3, 1), actor_id=world.admin.id,
                              reason="首批入库"))
        session.commit()
    auth.login("dy")
    page = client.get(f"/enterprises/{world.dy_ent.id}").get_data(as_text=True)
    assert "2,002.00" in page and "200.20" in page
    assert "首批入库" in page and "2025-03-01" in page


def test_home_shows_counts_by_county_and_state(client, auth, world):
    auth.login("admin")
    page = client.get("/").get_data(as_text=True)
    assert "大冶市" in page and "阳新县" in page and "培育中" in page


def test_english_can_be_switched_on(client, auth, world):
    auth.login("admin")
    client.get("/lang/en")
    page = client.get("/enterprises/").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "企业名录" not in page  # the navigation and headings are translated
    client.get("/lang/zh_CN")
    assert 'lang="zh-CN"' in client.get("/enterprises/").get_data(as_text=True)


def test_unknown_url_shows_a_chinese_404_page(client, auth, world):
    auth.login("dy")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/auth/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_bootstrap_is_served_locally(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "cdn." not in page and "jsdelivr" not in page
    assert "/bootstrap/static/" in page


def test_a_search_with_a_control_character_finds_nothing_instead_of_failing(client, auth, world):
    auth.login("dy")
    response = client.get("/enterprises/", query_string={"q": "磁湖\x00"})
    assert response.status_code == 200 and "大冶磁湖科技有限公司" not in response.get_data(as_text=True)


def test_names_sort_in_pinyin_order_and_columns_sort_both_ways(client, auth, use_db):
    with use_db() as session:
        county = mf.county(session, "420281", "大冶市")
        mf.user(session, "dy", county=county)
        for name in ("阳新楚天新材料有限公司", "大冶磁湖科技有限公司", "黄石东贝电器有限公司", "艾博科技有限公司"):
            mf.enterprise(session, county, name=name)
        session.commit()
    auth.login("dy")

    def names(url):
        body = client.get(url).get_data(as_text=True)
        return [n for n in re.findall(r">([^<>]+有限公司)</a>", body)]
    # a(i) < d(a) < h(uang) < y(ang): not the characters' code points (阳 < 黄 < 大 < 艾 by code point)
    assert names("/enterprises/") == ["艾博科技有限公司", "大冶磁湖科技有限公司", "黄石东贝电器有限公司",
                                      "阳新楚天新材料有限公司"]
    assert names("/enterprises/?sort=name&dir=desc")[0] == "阳新楚天新材料有限公司"
    body = client.get("/enterprises/?sort=uscc").get_data(as_text=True)
    codes = re.findall(r"<code>([0-9A-Z]{18})</code>", body)
    assert codes == sorted(codes) and len(codes) == 4
    assert 'aria-sort="ascending"' in client.get("/enterprises/?sort=uscc").get_data(as_text=True)


def test_a_uscc_fragment_from_the_middle_finds_the_enterprise(client, auth, world):
    auth.login("dy")
    fragment = world.dy_ent.uscc[8:16]  # neither its start nor its end
    body = client.get(f"/enterprises/?q={fragment}").get_data(as_text=True)
    assert world.dy_ent.name in body


def test_the_list_remembers_its_filters_until_reset(client, auth, world):
    auth.login("admin")
    client.get("/enterprises/?state=applied")
    again = client.get("/enterprises/").get_data(as_text=True)
    assert 'id="restored-filters"' in again
    assert world.yx_ent.name in again and world.dy_ent.name not in again  # still only the applied
    assert "/reports/pool.csv?state=applied" in again  # the export takes the filters shown
    assert 'id="restored-filters"' in client.get("/enterprises/?page=2").get_data(as_text=True)
    cleared = client.get("/enterprises/?reset=1").get_data(as_text=True)
    assert world.dy_ent.name in cleared and 'id="restored-filters"' not in cleared
    assert world.dy_ent.name in client.get("/enterprises/").get_data(as_text=True)  # forgotten
