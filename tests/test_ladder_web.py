"""The ladder's pages: the pools, a pool's members and proposals, one membership and its decisions."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from models import Membership, Qualification

from .ladder_world import graduate_from_first_pool

CONTINUING = "huangshi-continuing-2024"
DAY = date(2026, 6, 30)
GRADUATED_ON = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(DAY)


@pytest.fixture
def graduated(world, use_db):
    """The Daye enterprise graduated from the first pool on GRADUATED_ON (its log says so)."""
    with use_db() as session:
        graduate_from_first_pool(session, world.dy_ent.id, GRADUATED_ON)
        session.commit()
    return world.dy_ent.id


def text(response):
    return response.get_data(as_text=True)


def url(enterprise_id, action=None, code=CONTINUING):
    base = f"/pools/{code}/enterprises/{enterprise_id}"
    return f"{base}/{action}" if action else base


def test_from_graduation_to_continued_cultivation_and_out_again(client, auth, graduated, use_db):
    auth.login("dy")
    page = text(client.get(f"/enterprises/{graduated}"))
    assert "培育阶梯" in page and "出库样板企业接续培育" in page and "建议接续" in page
    listing = text(client.get(f"/pools/{CONTINUING}/"))
    assert "可申报本库" in listing and "大冶磁湖科技有限公司" in listing

    refused = client.post(url(graduated, "apply"), data={"on": "2026-07-01", "reason": ""})
    assert refused.status_code == 409 and "晚于今天" in text(refused)
    assert client.post(url(graduated, "apply"), data={"on": "2026-06-30"}).status_code == 302
    assert "已申报" in text(client.get(url(graduated)))

    early = client.post(url(graduated, "admit"), data={"on": "2026-02-28"})
    assert early.status_code == 409  # the day before graduation: still in the first pool
    assert client.post(url(graduated, "admit"), data={"on": "2026-06-30"}).status_code == 302
    page = text(client.get(url(graduated)))
    assert "培育中" in page and "入库时核验结论：" in page

    assert client.post(url(graduated, "graduate"), data={"on": "2026-06-30"}).status_code == 409
    with use_db() as session:
        session.add(Qualification(enterprise_id=graduated, type="little_giant", certificate_no="XJR-01",
                                  valid_from=date(2026, 6, 1), valid_to=date(2029, 5, 31)))
        session.commit()
    assert "建议出库" in text(client.get(f"/pools/{CONTINUING}/"))
    assert client.post(url(graduated, "graduate"), data={"on": "2026-06-30"}).status_code == 302
    page = text(client.get(url(graduated)))
    assert "已出库" in page and "XJR-01" in page
    with use_db() as session:
        membership = session.scalar(select(Membership))
        assert [(e.from_state, e.to_state) for e in membership.events] == [
            (None, "applied"), ("applied", "admitted"), ("admitted", "graduated")]


def test_a_decision_needing_a_reason_names_the_field_and_keeps_the_date(client, auth, graduated):
    auth.login("admin")
    client.post(url(graduated, "apply"), data={"on": "2026-06-30"})
    response = client.post(url(graduated, "reject"), data={"on": "2026-06-29", "reason": " "})
    assert response.status_code == 422
    assert "请写明理由" in text(response) and 'value="2026-06-29"' in text(response)
    assert client.post(url(graduated, "reject"), data={"on": "2026-06-30", "reason": "暂不具备条件"}).status_code == 302
    assert "未予入库" in text(client.get(url(graduated)))
    assert client.post(url(graduated, "void"), data={"on": "2026-06-30", "reason": "误判"}).status_code == 302
    page = text(client.get(url(graduated)))
    assert "已更正作废" in page and "已申报" in page


def test_another_countys_enterprise_is_not_there(client, auth, graduated, world, use_db):
    auth.login("yx")
    for path in (url(graduated), url(graduated, "apply")):
        assert client.get(path).status_code == 404
    assert client.post(url(graduated, "apply"), data={"on": "2026-06-30"}).status_code == 404
    assert "大冶磁湖科技有限公司" not in text(client.get(f"/pools/{CONTINUING}/"))
    with use_db() as session:
        assert session.scalar(select(Membership)) is None


def test_unknown_pool_and_the_first_pool_answer_404_here(client, auth, graduated):
    auth.login("admin")
    assert client.get("/pools/nowhere/").status_code == 404
    assert client.get(url(graduated, code="huangshi-2024")).status_code == 404
    assert client.get(url(graduated, "dance")).status_code == 404


def test_the_pools_page_counts_each_state_and_the_members_export(client, auth, graduated):
    auth.login("admin")
    client.post(url(graduated, "apply"), data={"on": "2026-06-30"})
    page = text(client.get("/pools/"))
    assert "专利产业化样板企业培育库" in page and "许昌市高新技术企业备选库" in page
    exported = client.get(f"/pools/{CONTINUING}/?format=csv&state=applied")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["企业名称", "统一社会信用代码", "县（市、区）", "状态"]
    assert rows[1][0] == "大冶磁湖科技有限公司" and rows[1][3] == "已申报"
    assert len(list(csv.reader(io.StringIO(client.get(
        f"/pools/{CONTINUING}/?format=csv&state=admitted").get_data(as_text=True))))) == 1
    assert client.get(f"/pools/{CONTINUING}/?format=xlsx").status_code == 200


def test_xuchang_facts_are_entered_by_their_labels(client, auth, world):
    auth.login("admin")
    page = text(client.get(url(world.yx_ent.id, "apply", code="xuchang-2022")))
    assert "规模以上企业" in page and "申报的高新技术领域编号" in page
    response = client.post(url(world.yx_ent.id, "apply", code="xuchang-2022"),
                           data={"on": "2026-06-30", "fact_above_scale": "yes", "fact_hightech_field": "1.1"})
    assert response.status_code == 302
    page = text(client.get(url(world.yx_ent.id, code="xuchang-2022")))
    assert "在许昌市登记注册" in page and "不符合" in page  # a Huangshi enterprise, criterion 1
    facts = text(client.get(url(world.yx_ent.id, "facts", code="xuchang-2022")))
    assert 'value="1.1"' in facts


def test_the_officers_day_lists_each_pools_work(client, auth, graduated, use_db):
    auth.login("dy")
    home = text(client.get("/"))
    assert "出库样板企业接续培育：可建议申报的出库企业" in home
    client.post(url(graduated, "apply"), data={"on": "2026-06-30"})
    home = text(client.get("/"))
    assert "出库样板企业接续培育：申报待决定" in home and "可建议申报的出库企业" not in home
    assert f"/pools/{CONTINUING}/?state=applied" in home
    client.post(url(graduated, "admit"), data={"on": "2026-06-30"})
    with use_db() as session:
        session.add(Qualification(enterprise_id=graduated, type="little_giant", certificate_no="XJR-02",
                                  valid_from=date(2026, 6, 30), valid_to=date(2029, 6, 29)))
        session.commit()
    home = text(client.get("/"))
    assert "出库样板企业接续培育：出库建议待办理" in home and "已取得出库资格：专精特新“小巨人”企业" in home
    auth.logout()
    auth.login("yx")
    assert "出库样板企业接续培育" not in text(client.get("/"))


def test_the_enterprise_sees_its_ladder_in_the_portal(client, auth, graduated):
    from .test_portal import NEW_PASSWORD, invite, join
    auth.login("dy")
    client.post(url(graduated, "apply"), data={"on": "2026-06-30"})
    client.post(url(graduated, "admit"), data={"on": "2026-06-30"})
    auth.logout()
    path = invite(client, auth, "dy", enterprise=graduated)
    with client.application.app_context():
        from models import Enterprise, db
        uscc = db.session.get(Enterprise, graduated).uscc
    assert join(client, path, uscc, NEW_PASSWORD).status_code == 302
    page = text(client.get("/portal/"))
    assert "培育阶梯：专利产业化样板企业培育库 <strong>已出库</strong>" in page
    assert "出库样板企业接续培育 <strong>培育中</strong>（自 2026-06-30）" in page


def test_a_long_pool_pages_its_members(client, auth, world, use_db, app):
    from sqlalchemy import insert
    from models import Enterprise
    from . import model_factories as mf
    with use_db() as session:
        county = session.get(Enterprise, world.dy_ent.id).county
        for n in range(30):
            e = mf.enterprise(session, county, f"大冶分页测试{n:02d}有限公司")
            session.execute(insert(Membership).values(enterprise_id=e.id, county_id=county.id, pool_code=CONTINUING,
                                                      state="applied", since=DAY, facts={}, version=1))
        session.commit()
    auth.login("dy")
    first = text(client.get(f"/pools/{CONTINUING}/"))
    assert "共 30 家" in first and f"/pools/{CONTINUING}/?page=2" in first
    second = text(client.get(f"/pools/{CONTINUING}/?page=2"))
    assert "大冶分页测试29有限公司" in second and "大冶分页测试00有限公司" not in second
    exported = client.get(f"/pools/{CONTINUING}/?format=csv").get_data(as_text=True)
    assert exported.count("大冶分页测试") == 30  # the export is every row, not a page
