"""Reported values (报送数值) for the measures the records cannot produce: entered or imported by the city
administrator with their source, only for such measures, append-only with corrections; HS-T2 met from them,
no data for a year without one, and a city's never summed from its counties'."""
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from models import RegionStatistic, User
from pool.membership.history import members_on
from pool.targets import database, statistics
from pool.targets.results import MET, NO_DATA

from . import targets_world as tw

AS_OF = date(2026, 1, 5)
SOURCE = "黄石市市场监督管理局《2024年知识产权工作总结》"
HUBEI = {"code": "420000", "name": "湖北省", "level": "province"}
HUANGSHI = {"code": "420200", "name": "黄石市", "level": "city", "parent": "420000"}


@pytest.fixture
def built(session):
    return tw.build(session)


def report(session, built, year, value, region="420200", key="operation_centre_projects", source=SOURCE, **kw):
    row = statistics.record(session, region, key, year, value, source, actor=session.get(User, built.admin.id),
                            now=tw.NOW, as_of=AS_OF, **kw)
    session.commit()
    return row


def hs_t2(session, region="420200"):
    evaluation = database.evaluate(session, "huangshi-2024", region, AS_OF, members_on)
    return next(r for r in evaluation.results if r.target.id == "HS-T2"), evaluation


def test_hs_t2_is_met_from_reported_values_and_no_data_for_a_year_without_one(session, built):
    report(session, built, 2024, "1")
    result, _evaluation = hs_t2(session)
    assert result.status == NO_DATA
    assert any("缺少 2025 年" in step for step in result.trace)
    assert any("可由市级管理员在「地区与官方统计」页按年度报送" in step for step in result.trace)
    report(session, built, 2025, "2", source="黄石市市场监督管理局《2025年知识产权工作总结》")
    result, evaluation = hs_t2(session)
    assert result.status == MET
    assert [p.value for p in result.series] == [1, 2]
    assert f"2024 年「重点产业知识产权运营中心项目」1个（来源：报送数值：{SOURCE}）" in result.trace
    assert any("2025年知识产权工作总结" in step for step in result.trace)  # each year cites its own source
    assert any("不由所辖县（市、区）加总" in note for note in evaluation.notes)


def test_a_zero_fails_the_year_and_a_correction_is_the_new_value(session, built):
    report(session, built, 2024, "1")
    first = report(session, built, 2025, "0")
    assert hs_t2(session)[0].status == "not_met"
    report(session, built, 2025, "1", note="补报：另有一个项目当年已实施")
    assert hs_t2(session)[0].status == MET
    assert session.get(RegionStatistic, first.id).value == "0"  # kept beside its correction


def test_a_citys_value_is_not_summed_from_its_counties(session, built):
    for year in (2024, 2025):
        report(session, built, year, "1", region="420281")
        report(session, built, year, "1", region="420222")
    assert hs_t2(session, "420281")[0].status == MET  # 大冶's own value, against the city's target for reference
    result, _evaluation = hs_t2(session)
    assert result.status == NO_DATA and all(p.value is None for p in result.series)


def test_only_a_measure_the_records_cannot_produce_takes_a_reported_value(session, built):
    refused = {}
    for key, year, value in [("grants.count", 2024, "3"),                       # the records count it
                             ("matchmaking.events{field=新材料}", 2024, "2"),    # recorded as events
                             ("matchmaking.events{field=*}", 2024, "2"),
                             ("operation_centre_projects", 2024, "1.5"),         # a count is whole
                             ("operation_centre_projects", 2027, "1"),           # a year not yet begun
                             ("no_such_measure", 2024, "1")]:
        with pytest.raises(statistics.StatisticsRefused) as caught:
            report(session, built, year, value, key=key)
        session.rollback()
        refused[(key, year, value)] = caught.value.problems
    assert refused[("operation_centre_projects", 2024, "1.5")] == [
        "「数值」：「重点产业知识产权运营中心项目（个）」是计数，须为不小于 0 的整数"]
    assert refused[("operation_centre_projects", 2027, "1")] == ["「统计年度」：2027 年尚未开始，不能报送该年度的数值"]
    assert all(problems for problems in refused.values())
    assert session.scalars(select(RegionStatistic)).all() == []
    # an amount may have decimals; this year (begun) may be reported; a long measure key is kept whole
    key = "transactions.amount{direction=out,transferor=university_institute,type=transfer|licence|equity}"
    assert report(session, built, 2026, "12.5", key=key).key == key
    assert report(session, built, 2024, "1500.25", key="pledge_loans.amount{borrower=sme}").value == "1500.25"
    assert "operation_centre_projects" in statistics.reportable() and "grants.count" not in statistics.reportable()


def test_an_import_takes_reported_series_and_refuses_series_the_records_measure(session, built):
    admin = session.get(User, built.admin.id)
    doc = {"regions": [HUBEI, {**HUANGSHI, "series": [
        {"measure": "operation_centre_projects", "source": SOURCE, "values": {"2024": 1, "2025": 1}}]}]}
    created, added, skipped = statistics.import_document(session, doc, actor=admin, now=tw.NOW, as_of=AS_OF)
    session.commit()
    assert (created, len(added), skipped) == ([], 2, 0)
    assert hs_t2(session)[0].status == MET
    assert statistics.import_document(session, doc, actor=admin, now=tw.NOW, as_of=AS_OF)[1:] == ([], 2)
    doc["regions"][1]["series"].append({"measure": "grants.count", "source": "x", "values": {"2024": 3}})
    doc["regions"][1]["series"][0]["values"]["2027"] = 1
    with pytest.raises(statistics.StatisticsRefused) as refused:
        statistics.import_document(session, doc, actor=admin, now=tw.NOW, as_of=AS_OF)
    assert refused.value.problems == [
        "第2个地区（420200）：计量 operation_centre_projects 的 2027 年尚未开始，不能报送该年度的数值",
        "第2个地区（420200）：计量 grants.count 由本系统记录计量，不在此导入；只导入官方统计和记录无法计量的报送数值"]


@pytest.fixture
def web(app, use_db, freeze_today):
    freeze_today(AS_OF)
    with use_db() as session:
        return tw.build(session)


def test_the_administrator_reports_a_value_on_the_statistics_page(client, auth, web, use_db):
    auth.login("dy")
    assert client.post("/targets/statistics/reported", data={}).status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.get("/targets/statistics/").get_data(as_text=True)
    assert 'id="reported-form"' in page and "重点产业知识产权运营中心项目（个） · operation_centre_projects" in page
    assert '<option value="grants.count' not in page  # only what the records cannot produce
    data = {"r-region": "420200", "r-key": "operation_centre_projects", "r-year": "2024", "r-value": "1",
            "r-source": SOURCE}
    assert client.post("/targets/statistics/reported", data=data).status_code == 303
    bad = client.post("/targets/statistics/reported", data={**data, "r-year": "2025", "r-value": "0.5"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "是计数，须为不小于 0 的整数" in text and SOURCE in text
    again = client.post("/targets/statistics/reported", data={**data, "r-key": "grants.count"})
    assert again.status_code == 422
    assert client.post("/targets/statistics/reported", data={**data, "r-year": "2025"}).status_code == 303
    shown = client.get("/targets/statistics/").get_data(as_text=True)
    assert 'id="reported-values"' in shown and SOURCE in shown
    dashboard = client.get("/targets/?programme=huangshi-2024&region=420200&as_of=2026-01-05").get_data(as_text=True)
    card = dashboard.split('id="target-HS-T2"', 1)[1]
    assert 'data-status="met"' in card and "报送数值：" in card
    doc = {"regions": [HUBEI, HUANGSHI, {"code": "420281", "name": "大冶市", "level": "county", "parent": "420200",
                                         "series": [{"measure": "enforcement_cases", "source": "大冶市执法统计",
                                                     "values": {"2024": 3}}]}]}
    imported = client.post("/targets/statistics/import", data={
        "file": (io.BytesIO(json.dumps(doc, ensure_ascii=False).encode()), "reported.json")},
        content_type="multipart/form-data")
    assert imported.status_code == 303
    with use_db() as session:
        keys = sorted(r.key for r in session.scalars(select(RegionStatistic)))
        assert keys == ["enforcement_cases", "operation_centre_projects", "operation_centre_projects"]
