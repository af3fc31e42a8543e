"""The targets' database mode: measures from the records on both sides of each year boundary, county
scoping and the city as the sum of its counties, no data (with the reason) when the records or a
statistic cannot say, append-only statistics and their import, and the CLI without --series."""
import json
from datetime import date
from fractions import Fraction as F

import pytest
from sqlalchemy import select, text

from models import Region, RegionStatistic, User
from pool.membership.history import members_on
from pool.targets import database, records, statistics
from pool.targets.measures import parse_key
from pool.targets.results import MET, NO_DATA, NOT_MET

from . import targets_world as tw

AS_OF = date(2026, 1, 5)


@pytest.fixture
def built(session):
    return tw.build(session)


ids, value = tw.county_ids, tw.measured


@pytest.mark.parametrize("key, year, expected", [
    ("grants.count{kind=invention}", 2024, 1),   # granted 31 Dec 2024
    ("grants.count{kind=invention}", 2025, 1),   # granted 1 Jan 2025
    ("grants.count", 2024, 2),                   # and the utility model
    ("grants.count{office=US}", 2024, 0),
    ("valid_inventions", 2024, 2),               # A (31 Dec) + the one lapsing mid-2025
    ("valid_inventions", 2025, 2),               # A + B; the lapsed one no longer
    ("new_valid_inventions", 2025, 0),
    ("pool.members", 2024, 1),                   # admitted 31 Dec 2024
    ("pledge.count{object=patent}", 2024, 1),    # 31 Dec 2024; the withdrawn one not
    ("pledge.count{object=patent}", 2025, 1),    # 1 Jan 2025
    ("pledge.amount{object=patent}", 2024, 300),
    ("pledge.amount{object=ip}", 2024, 350),     # with the trademark loan
    ("designations.count{kind=ip_enterprise,level=national}", 2024, 1),
    ("designations.count{kind=ip_enterprise,level=national}", 2025, 0),
])
def test_a_county_measure_on_both_sides_of_the_year_end(session, built, key, year, expected):
    assert value(session, key, year, "420281") == F(expected)


def test_members_across_the_year_end_and_the_city_as_the_sum(session, built):
    assert value(session, "pool.members", 2024, "420222") == 0       # admitted 1 Jan 2025
    assert value(session, "pool.members", 2025, "420222") == 0       # graduated 31 Dec 2025
    assert value(session, "pool.members", 2025, "420281", "420222") == 1
    assert value(session, "designations.cumulative{kind=ip_enterprise}", 2025, "420281", "420222") == 2
    assert value(session, "valid_inventions", 2024, "420281", "420222") == 3


def test_what_the_records_cannot_say_is_no_data_with_the_reason(session, built):
    assert "不含「重点产业知识产权运营中心项目（个）」" in value(session, "operation_centre_projects", 2024, "420281")
    assert "recipient=sme" in value(session, "transactions.count{direction=in,recipient=sme,type=transfer}",
                                    2024, "420281")
    assert "未配置" in value(session, "high_value_inventions", 2024, "420281")


def test_drill_down_lists_exactly_what_was_counted(session, built):
    measure = parse_key("grants.count{kind=invention}")[0]
    dy, yx = ids(session, "420281"), ids(session, "420222")
    assert [p.number for p in records.rows(session, measure, 2024, dy, members_on)] == ["ZL2024-A"]
    assert [p.number for p in records.rows(session, measure, 2024, yx, members_on)] == ["ZL-YX-1"]
    assert records.rows(session, parse_key("enforcement_cases")[0], 2024, dy, members_on) is None
    # a net change of a stock is no list of records
    assert not records.listable(parse_key("new_valid_inventions")[0])
    assert records.rows(session, parse_key("new_valid_inventions")[0], 2025, dy, members_on) is None


def test_the_database_mode_sums_the_counties_and_names_the_missing(session, built):
    tw.population(session, built.admin.id, "420200", 2024, "240")
    tw.population(session, built.admin.id, "420200", 2025, "241")
    city = database.evaluate(session, "yuanzhou-2023", "420200", AS_OF, members_on)
    assert any("所辖县（市、区）之和" in step for r in city.results for step in r.trace)
    assert any("黄石市" in note and "仅供参考" in note for note in city.notes)
    yz1 = next(r for r in city.results if r.target.id == "YZ-T1")
    assert [(p.year, p.value) for p in yz1.series][-2:] == [(2024, F(3, 240)), (2025, F(3, 241))]
    assert yz1.status == NOT_MET
    yz2 = next(r for r in city.results if r.target.id == "YZ-T2")
    assert yz2.status == NO_DATA and any("未配置" in step for step in yz2.trace)
    assert any("缺少授权日" in step for step in yz1.trace)


def test_no_data_when_the_population_is_missing_and_counties_are_their_own(session, built):
    county = database.evaluate(session, "yuanzhou-2023", "420281", AS_OF, members_on)
    yz1 = next(r for r in county.results if r.target.id == "YZ-T1")
    assert yz1.status == NO_DATA and any("常住人口" in step for step in yz1.trace)
    assert any("大冶市登记企业" in step for r in county.results for step in r.trace)


def test_statistics_are_append_only_and_a_correction_is_the_new_value(session, built):
    first = tw.population(session, built.admin.id)
    tw.population(session, built.admin.id, value="88.6")
    assert statistics.regions(session)["420281"].statistic("population", 2024)[0] == F("88.6")
    assert session.scalar(select(RegionStatistic).where(RegionStatistic.id == first.id)).value == "88.5"
    with pytest.raises(statistics.StatisticsRefused):
        tw.population(session, built.admin.id, value="88.6")  # the same value again
    with pytest.raises(Exception):
        session.execute(text("UPDATE region_statistic SET value = '1'"))
    session.rollback()


def test_an_import_creates_regions_and_refuses_series_or_changes(session, built):
    admin = session.get(User, built.admin.id)
    doc = {"regions": [
        {"code": "420000", "name": "湖北省", "level": "province",
         "statistics": [{"key": "ip_intensive_share", "year": 2024, "value": "12.5", "source": "省统计公报"}]},
        {"code": "420202", "name": "黄石港区", "level": "county", "parent": "420200"}]}
    doc["regions"].insert(1, {"code": "420200", "name": "黄石市", "level": "city", "parent": "420000"})
    created, added, skipped = statistics.import_document(session, doc, actor=admin, now=tw.NOW)
    assert [r.code for r in created] == ["420202"] and len(added) == 1 and skipped == 0
    assert statistics.import_document(session, doc, actor=admin, now=tw.NOW)[1:] == ([], 1)
    doc["regions"][0]["name"] = "湖南省"
    doc["regions"][2]["series"] = [{"measure": "pool.members", "source": "x", "values": {"2024": 1}}]
    with pytest.raises(statistics.StatisticsRefused) as refused:
        statistics.import_document(session, doc, actor=admin, now=tw.NOW)
    assert len(refused.value.problems) == 2
    assert session.scalar(select(Region).where(Region.code == "420202")).parent.code == "420200"


def test_the_cli_reads_the_database_without_series(app, runner, built):
    result = runner.invoke(args=["pool", "targets", "evaluate", "--programme", "huangshi-2024",
                                 "--region", "420281", "--as-of", "2026-01-05", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    tracked = out["tracked"][0]
    assert tracked["indicator"] == "pool_members"
    assert {p["year"]: p["value"] for p in tracked["series"]}[2025] == "1"
    assert out["targets"][0]["status"] == NO_DATA and "没有登记任何" in out["targets"][0]["trace"][-1]
    assert out["targets"][1]["status"] == NO_DATA and "不含" in out["targets"][1]["trace"][-1]
    text_mode = runner.invoke(args=["pool", "targets", "evaluate", "--programme", "huangshi-2024",
                                    "--region", "420200", "--as-of", "2026-01-05"])
    assert text_mode.exit_code == 0 and "黄石市" in text_mode.output
    unknown = runner.invoke(args=["pool", "targets", "evaluate", "--programme", "huangshi-2024",
                                  "--region", "999999", "--as-of", "2026-01-05"])
    assert unknown.exit_code == 2 and "999999" in unknown.output


def test_met_is_reachable_from_records(session, built):
    # 安阳 AY-T4-national: cumulative national IP-enterprise designations ≥ the target
    evaluation = database.evaluate(session, "anyang-2018", "420200", AS_OF, members_on)
    statuses = {r.target.id: r.status for r in evaluation.results}
    assert statuses["AY-T5"] == NO_DATA  # GB/T 29490 is not a qualification type of the records
    assert set(statuses.values()) <= {MET, NOT_MET, NO_DATA, "on_track"}


def test_migration_0021_goes_down_and_up_again(tmp_path):
    down, up, _triggers = tw.down_and_up(tmp_path / "round-trip.sqlite3", "0020")
    assert not {"region", "region_statistic"} & down and {"region", "region_statistic"} <= up
